#pragma once
/// @file body_stream.hpp
/// `aio::http::body_stream`: a request body produced while it is sent (aiohttp's `data=` given an
/// async generator), as a view of a producer the caller keeps alive.

#include <concepts>
#include <optional>
#include <string>
#include <type_traits>

#include "aio/net/stream_reader.hpp"
#include "aio/task/coro.hpp"

namespace aio::http {

/// Where a streamed request body comes from: a callable whose every call gives the next chunk
/// (`aio::coro<std::optional<std::string>>`, `std::nullopt` at the end), or a `stream_reader` read
/// to its EOF. The body is sent with `Transfer-Encoding: chunked`, or as is when the request's
/// headers give a `Content-Length` (the session then checks that the producer gives exactly that
/// many bytes).
///
/// A view, like the rest of `request_options`: the producer is referenced, not copied, so it must
/// live until the request's `co_await` returns; a temporary lambda does not compile.
/// @par Cancellation
/// Cancelling the request while the body is being sent closes its connection (it is never pooled
/// half-written); chunks already taken from the producer are lost.
/// @par Example
/// @code
/// int left = 3;
/// auto chunks = [&]() -> aio::coro<std::optional<std::string>> {
///   if (left-- == 0) co_return std::nullopt;
///   co_return std::string(64 * 1024, 'x');
/// };
/// auto resp = co_await session.post(url, {.stream = chunks});
/// @endcode
class body_stream {
 public:
  using chunk = std::optional<std::string>;

  body_stream() = default;
  /// Views `producer`, called once per chunk.
  template <class F>
  requires(!std::same_as<std::remove_cv_t<F>, body_stream> && std::invocable<F&> &&
           std::same_as<std::invoke_result_t<F&>, coro<chunk>>) body_stream(F& producer)
  noexcept  // NOLINT(google-explicit-constructor): `.stream = producer`
      : m_obj(const_cast<void*>(
            static_cast<const void*>(&producer))),  // NOLINT(cppcoreguidelines-pro-type-const-cast)
        m_call([](void* p) { return (*static_cast<F*>(p))(); }) {}
  /// Views `reader`: its bytes until EOF, in chunks of up to 64 KiB.
  body_stream(stream_reader& reader) noexcept;  // NOLINT(google-explicit-constructor)

  /// True when a producer is set.
  explicit operator bool() const noexcept { return m_call != nullptr; }
  /// The next chunk, or `std::nullopt` at the end.
  [[nodiscard]] coro<chunk> next() const { return m_call(m_obj); }

 private:
  void* m_obj = nullptr;
  coro<chunk> (*m_call)(void*) = nullptr;
};

}  // namespace aio::http
