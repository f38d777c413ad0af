// RFC 8305 Happy Eyeballs: staggered connection attempts, first success wins.

#include <string>
#include <system_error>

#include "happy_eyeballs.hpp"

namespace aio::detail {

coro<transport_ptr> connect_raced(const std::vector<socket_address>& addrs,
                                  std::chrono::duration<double> /*delay*/) {
  // Placeholder until the racing version lands: in turn.
  std::error_code last;
  for (const socket_address& a : addrs) {
    try {
      co_return co_await connect_one(a);
    } catch (const std::system_error& e) {
      last = e.code();
    }
  }
  throw std::system_error(last, "aio: cannot connect");
}

}  // namespace aio::detail
