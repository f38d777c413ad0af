#include "aio/net/getaddrinfo.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <string>
#include <system_error>

#include "aio/executor/to_thread.hpp"
#include "aio/task/task.hpp"

namespace aio {

namespace {

class gai_error_category final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "getaddrinfo"; }
  [[nodiscard]] std::string message(int code) const override { return ::gai_strerror(code); }
};

struct resolved {
  int error = 0;
  int system_errno = 0;
  std::vector<address_info> rows;
};

resolved resolve_blocking(const std::string& host, std::uint16_t port, getaddrinfo_options opts) {
  addrinfo hints{};
  hints.ai_family = opts.family;
  hints.ai_socktype = opts.type;
  hints.ai_protocol = opts.protocol;
  hints.ai_flags = opts.flags;
  addrinfo* list = nullptr;
  const std::string service = std::to_string(port);
  resolved out;
  out.error = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &list);
  if (out.error == EAI_SYSTEM) out.system_errno = errno;
  if (out.error != 0) return out;
  for (const addrinfo* p = list; p != nullptr; p = p->ai_next) {
    out.rows.push_back(
        {p->ai_family, p->ai_socktype, p->ai_protocol, socket_address::from_raw(p->ai_addr, p->ai_addrlen)});
  }
  ::freeaddrinfo(list);
  return out;
}

}  // namespace

const std::error_category& gai_category() noexcept {
  static const gai_error_category category;
  return category;
}

namespace {
coro<std::vector<address_info>> getaddrinfo_impl(std::string host, std::uint16_t port,
                                                 getaddrinfo_options opts) {
  if (auto numeric = socket_address::from_ip(host, port)) {
    // A literal address needs no resolver (and no thread hop); one row per requested socket type.
    std::vector<address_info> rows;
    const int family = numeric->family();
    if (opts.family != 0 && opts.family != family) {
      throw std::system_error(EAI_ADDRFAMILY, gai_category(), "aio: cannot resolve '" + host + "'");
    }
    const int types[] = {SOCK_STREAM, SOCK_DGRAM};
    for (int type : types) {
      if (opts.type != 0 && opts.type != type) continue;
      rows.push_back({family, type, type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP, *numeric});
    }
    co_return rows;
  }
  resolved r = co_await to_thread(&resolve_blocking, host, port, opts);
  if (r.error == EAI_SYSTEM) {
    throw std::system_error(r.system_errno, std::generic_category(), "aio: cannot resolve '" + host + "'");
  }
  if (r.error != 0) throw std::system_error(r.error, gai_category(), "aio: cannot resolve '" + host + "'");
  co_return std::move(r.rows);
}

}  // namespace

coro<std::vector<address_info>> getaddrinfo(std::string host, std::uint16_t port, getaddrinfo_options opts) {
  return getaddrinfo_impl(std::move(host), port, opts);
}

}  // namespace aio
