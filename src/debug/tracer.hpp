#pragma once
// The recorder behind trace_recorder (include/aio/debug/trace.hpp): the loop calls these hooks when its
// `m_tracer` is set, on its own thread only. See docs/design/tracing.md.

#include <cstdint>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "aio/debug/trace.hpp"
#include "aio/detail/task_header.hpp"
#include "aio/runtime/event_loop.hpp"

namespace aio::detail {

class tracer {
 public:
  tracer(event_loop& loop, std::string path, const trace_options& opts);
  tracer(const tracer&) = delete;
  tracer& operator=(const tracer&) = delete;
  ~tracer();

  /// False when the file could not be opened or written (reported once).
  [[nodiscard]] bool ok() const noexcept { return m_file != nullptr; }
  [[nodiscard]] std::size_t events() const noexcept { return m_count; }

  // ---- the loop's hooks ---------------------------------------------------------------------------
  void task_created(task_header* t) noexcept;
  void task_scheduled(task_header* t) noexcept;
  void slice_begin(task_header* t) noexcept;
  void slice_end(task_header* t) noexcept;
  void task_done(task_header* t) noexcept;
  /// A callback (call_soon, call_later, an fd watch) runs on the loop's row.
  void callback_begin() noexcept;
  void callback_end() noexcept;

  // ---- spans (trace::span) ------------------------------------------------------------------------
  /// The running task's row (0: no task).
  [[nodiscard]] std::uint32_t current_row() const;
  [[nodiscard]] std::int64_t now() const noexcept;
  void add_span(const char* category, std::uint32_t row, std::int64_t begin, std::string name,
                std::string args_json);

 private:
  enum class kind : std::uint8_t {
    run,
    wait,
    ready,
    callback,
    created,
    done,
    failed,
    cancelled,
    span,
    truncated
  };
  struct event {
    std::int64_t ts = 0;
    std::int64_t dur = 0;
    const void* fn = nullptr;        // wait: the coroutine the task waits in
    const void* on = nullptr;        // wait: the cancel function of what it waits on (names its kind)
    const char* category = nullptr;  // span
    std::uint32_t row = 0;
    std::uint32_t text = UINT32_MAX;  // span: name and args in m_strings
    kind what = kind::run;
    bool sleeping = false;
  };
  struct task_state {
    std::uint32_t row = 0;
    std::int64_t suspended_since = -1;  // waiting on something since
    std::int64_t ready_since = -1;      // on the ready queue since
    const void* waits_in = nullptr;
    const void* waits_on = nullptr;
    const void* root = nullptr;  // the task's coroutine, which names an unnamed task's row
    bool sleeping = false;
  };
  struct row_name {
    std::uint32_t row = 0;
    std::string name;            // the task's name, when it was given one
    const void* root = nullptr;  // else its coroutine, named when written
  };

  void push(const event& e);
  void flush() noexcept;
  void fail(const std::string& what) noexcept;
  void write(const std::string& text) noexcept;
  const std::string& name_of(const void* fn);
  /// The wait's event name ("io", "to_thread", ...; "wait" when unknown) and what it waited on.
  const std::pair<const char*, std::string>& wait_of(const void* on);
  void close_wait(task_state& s, std::int64_t at);
  task_state& state_of(const task_header* t);

  event_loop& m_loop;
  std::string m_path;
  std::FILE* m_file = nullptr;
  trace_options m_opts;
  clock::time_point m_origin;
  int m_pid = 0;
  std::vector<event> m_buffer;
  std::vector<std::string> m_strings;  // span names and args of the buffered events
  std::vector<row_name> m_rows;        // rows whose names are not written yet
  std::unordered_map<const task_header*, task_state> m_tasks;
  std::unordered_map<const void*, std::string> m_symbols;
  std::unordered_map<const void*, std::pair<const char*, std::string>> m_waits;
  std::size_t m_count = 0;
  std::uint32_t m_next_row = 1;
  std::uint64_t m_next_span = 1;
  // The slice being recorded: the task may finish (and leave m_tasks) during it.
  const task_header* m_running = nullptr;
  std::uint32_t m_running_row = 0;
  std::int64_t m_slice_start = 0;
  std::int64_t m_callback_start = -1;
  bool m_requeued = false;  // the running task was scheduled again during its slice
  bool m_truncated = false;
  bool m_first = true;
};

}  // namespace aio::detail
