// connect_any: addresses in turn, or raced (connect_raced.cpp, RFC 8305 Happy Eyeballs).

#include <string>
#include <system_error>

#include "connect.hpp"

namespace aio::detail {

coro<transport_ptr> connect_raced(const std::vector<socket_address>& addrs,
                                  std::chrono::duration<double> delay);

coro<transport_ptr> connect_any(const std::vector<socket_address>& addrs,
                                std::optional<std::chrono::duration<double>> delay) {
  if (delay && addrs.size() > 1) co_return co_await connect_raced(addrs, *delay);
  std::error_code last;
  std::string tried;
  for (const socket_address& a : addrs) {
    try {
      co_return co_await connect_one(a);
    } catch (const std::system_error& e) {
      if (addrs.size() == 1) throw;
      last = e.code();
      tried += (tried.empty() ? "" : ", ") + a.to_string() + " (" + e.code().message() + ")";
    }
  }
  throw std::system_error(last, "aio: cannot connect to any of " + tried);
}

}  // namespace aio::detail
