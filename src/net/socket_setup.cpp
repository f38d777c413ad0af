#include "socket_setup.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <system_error>

namespace aio::detail {

int open_socket(int family, int type, const std::string& what) {
  const int fd = ::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    throw std::system_error(errno, std::generic_category(), "aio: cannot create a socket for " + what);
  return fd;
}

void set_socket_option(int fd, int level, int name, int value, const char* option_name) {
  if (::setsockopt(fd, level, name, &value, sizeof value) != 0) {
    throw std::system_error(errno, std::generic_category(), std::string("aio: setsockopt ") + option_name);
  }
}

void throw_socket_error(int err, const std::string& what, const socket_address& a) {
  throw std::system_error(err, std::generic_category(), "aio: " + what + " " + a.to_string());
}

}  // namespace aio::detail
