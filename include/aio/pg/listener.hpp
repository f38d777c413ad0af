#pragma once
/// @file listener.hpp
/// `aio::pg::listener`: the notifications of one LISTEN channel, in the order the server sent them
/// (asyncpg's `add_listener`, as an awaitable stream instead of a callback).

#include <memory>
#include <string>

#include "aio/pg/notification.hpp"
#include "aio/task/coro.hpp"

namespace aio::pg {

namespace detail {
struct listener_state;
}

/// Made by `connection::listen(channel)`. While the connection is idle it watches the socket, so
/// notifications arrive without a query running; they queue (unbounded) until `next()` takes them.
/// Destroying the listener stops delivery to it but sends no UNLISTEN (call `unlisten()` for that).
/// @par Thread safety
/// Loop thread only.
class listener {
 public:
  explicit listener(std::shared_ptr<detail::listener_state> s) noexcept : m_state(std::move(s)) {}
  listener(listener&&) noexcept = default;
  listener& operator=(listener&&) noexcept;
  listener(const listener&) = delete;
  listener& operator=(const listener&) = delete;
  ~listener();

  [[nodiscard]] const std::string& channel() const;

  /// The next notification, waiting for one.
  /// @par Cancellation
  /// Cancel-safe: a cancelled `next()` takes no notification.
  /// @par Errors
  /// `interface_error` once the listener was unlistened or the connection closed or lost (after the
  /// notifications already queued).
  coro<notification> next();

  /// Sends UNLISTEN (unless another listener of the connection uses the channel) and ends `next()`.
  coro<> unlisten();

 private:
  std::shared_ptr<detail::listener_state> m_state;
};

}  // namespace aio::pg
