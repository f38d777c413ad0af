#pragma once
// Socket set-up shared by connections, servers and UDP (private: platform headers stay in src/).

#include <string>

#include "aio/net/socket_address.hpp"

namespace aio::detail {

/// A non-blocking, close-on-exec socket. @par Errors std::system_error naming `what`.
int open_socket(int family, int type, const std::string& what);
/// setsockopt(level, name, int value), throwing std::system_error naming the option.
void set_socket_option(int fd, int level, int name, int value, const char* option_name);
/// "aio: <what> <address>" as a system_error for errno `err`.
[[noreturn]] void throw_socket_error(int err, const std::string& what, const socket_address& a);

}  // namespace aio::detail
