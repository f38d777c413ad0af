#pragma once
/// @file trace.hpp
/// Trace timelines: `run_options{.trace_path = "t.json"}` or `AIO_TRACE=t.json` record what the loop
/// did (each task's creation, its run slices, what it waited on and for how long, its end) in Chrome's
/// trace-event JSON, which Perfetto (ui.perfetto.dev) and chrome://tracing open; `aio trace-svg t.json`
/// draws it as one row per task. `trace_recorder` records any loop; `trace::span` adds a named interval
/// (an HTTP request, a SQL query) to the running loop's trace.
/// See docs/guide/debugging.md and docs/design/tracing.md.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "aio/runtime/event_loop.hpp"
#include "aio/time/clock.hpp"

namespace aio {

/// Options of a `trace_recorder`.
struct trace_options {
  /// Recording stops, with one "trace truncated" event and one report, after this many events.
  std::size_t max_events = 1'000'000;
  /// Events kept in memory before they are written out.
  std::size_t buffer_events = 65'536;
};

/// Records a trace of `loop` into the file `path` while it lives (`aio::run` makes one when asked).
/// A file that cannot be opened or written is reported once through the loop's exception handler and
/// recording stops; the program goes on. Times are the loop's clock (virtual time in tests).
/// @par Thread safety
/// Create and destroy it on the loop's thread, outside a task step (around `run_until`, as `aio::run`);
/// one recorder per loop.
class trace_recorder {
 public:
  trace_recorder(event_loop& loop, std::string path, trace_options opts = {});
  trace_recorder(const trace_recorder&) = delete;
  trace_recorder& operator=(const trace_recorder&) = delete;
  /// Writes what is left and closes the file.
  ~trace_recorder();

  /// False once the file could not be opened or written.
  [[nodiscard]] bool ok() const noexcept;
  /// Events recorded so far (written or buffered).
  [[nodiscard]] std::size_t events() const noexcept;

  struct state;

 private:
  std::unique_ptr<state> m_state;
};

namespace trace {

/// True when the loop running on this thread records a trace (one thread-local read and a load).
[[nodiscard]] bool enabled() noexcept;

/// A named interval in the running loop's trace, from construction to destruction, drawn on the row of
/// the task that created it (an async slice in Perfetto). Nothing is recorded, and nothing allocated,
/// when the loop records no trace or when there is no running loop.
/// `category` must outlive the span (a string literal: "http", "sql", "thread").
/// @par Thread safety
/// Create, annotate and destroy it on the loop's thread.
class span {
 public:
  span(const char* category, std::string name);
  span(const span&) = delete;
  span& operator=(const span&) = delete;
  ~span();
  /// Adds `key: value` to the span's arguments (a response status, a row count).
  void arg(const char* key, std::string value);
  /// Replaces the span's name (once the status is known: "GET /x 200").
  void rename(std::string name);
  [[nodiscard]] bool recording() const noexcept { return m_state != nullptr; }

  struct state;

 private:
  std::unique_ptr<state> m_state;
};

}  // namespace trace

namespace detail {
/// The trace path `aio::run` uses: `*option` when set (empty: none), else `AIO_TRACE` from the
/// environment; empty: no trace.
std::string trace_path_for(const std::string* option);
}  // namespace detail

}  // namespace aio
