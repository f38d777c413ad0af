// RFC 8305 Happy Eyeballs: staggered connection attempts, first success wins (docs/design/happy_eyeballs.md).
//
// The race is a task group: the body starts attempt i, then waits until attempt i fails or `delay`
// passes, then starts attempt i + 1. The first attempt that connects stores its transport and cancels
// the group, which cancels the body and every other attempt; a cancelled attempt's connect_one frame
// closes its socket as it unwinds. If every attempt fails, the group ends normally with no winner and
// the error names each address with its own failure.

#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <sys/socket.h>

#include "aio/combinators/task_group.hpp"
#include "aio/combinators/wait_for.hpp"
#include "aio/errors.hpp"
#include "aio/sync/event.hpp"
#include "connect.hpp"

namespace aio::detail {

namespace {

/// Shared by the body and the attempts; lives in connect_raced's frame, which outlives the group.
struct race {
  std::vector<socket_address> order;
  std::unique_ptr<event[]> failed;  // failed[i]: attempt i is over without a connection
  std::vector<std::string> outcomes;
  std::error_code last;
  transport_ptr winner;
};

/// RFC 8305 section 4: alternate the families, IPv6 first, each family in the resolver's order.
std::vector<socket_address> interleave(const std::vector<socket_address>& addrs) {
  std::vector<socket_address> v6;
  std::vector<socket_address> other;
  for (const socket_address& a : addrs) (a.family() == AF_INET6 ? v6 : other).push_back(a);
  std::vector<socket_address> out;
  out.reserve(addrs.size());
  for (std::size_t i = 0; i < std::max(v6.size(), other.size()); ++i) {
    if (i < v6.size()) out.push_back(v6[i]);
    if (i < other.size()) out.push_back(other[i]);
  }
  return out;
}

coro<> attempt(race* r, std::size_t i, task_group* tg) {
  try {
    transport_ptr t = co_await connect_one(r->order[i]);
    if (!r->winner) {
      r->winner = std::move(t);
      tg->cancel();  // the body and the other attempts; their sockets close as they unwind
    }
    // else: a second success in the same loop turn; `t` closes here.
  } catch (const std::system_error& e) {
    r->last = e.code();
    r->outcomes[i] = r->order[i].to_string() + " (" + e.code().message() + ")";
    r->failed[i].set();
  }
}

}  // namespace

coro<transport_ptr> connect_raced(const std::vector<socket_address>& addrs,
                                  std::chrono::duration<double> delay) {
  race r;
  r.order = interleave(addrs);
  r.failed = std::make_unique<event[]>(r.order.size());
  r.outcomes.resize(r.order.size());
  if (delay.count() < 0) delay = std::chrono::duration<double>::zero();
  // Named, not a temporary inside co_await (g++ 12: docs/design/compilers.md).
  auto body = [&r, delay](task_group& tg) -> coro<> {
    for (std::size_t i = 0; i < r.order.size(); ++i) {
      tg.create_task(attempt(&r, i, &tg));
      if (i + 1 == r.order.size()) break;
      try {
        co_await wait_for(r.failed[i].wait(), delay);  // the previous attempt failed: start now
      } catch (const timeout_error&) {
        // `delay` passed with the attempt still pending: start the next one beside it.
      }
    }
  };
  co_await task_group::run(body);
  if (r.winner) co_return std::move(r.winner);
  std::string tried;
  for (const std::string& o : r.outcomes) tried += (tried.empty() ? "" : ", ") + o;
  throw std::system_error(r.last, "aio: cannot connect to any of " + tried);
}

}  // namespace aio::detail
