#pragma once
/// @file event_loop.hpp
/// `aio::event_loop`: the single-threaded scheduler under every aio program (asyncio's event loop).
///
/// One iteration reads like libuv's: poll the backend for I/O (blocking no longer than the next timer),
/// take the cross-thread submissions, move due timers to the ready queue, then run exactly the items
/// that were ready when the iteration started, in FIFO order. See docs/design/event_loop.md.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "aio/detail/callback.hpp"
#include "aio/detail/ready_queue.hpp"
#include "aio/detail/task_header.hpp"
#include "aio/detail/timer_heap.hpp"
#include "aio/runtime/timer_handle.hpp"
#include "aio/time/clock.hpp"

namespace aio {

template <class T>
class coro;
template <class T>
class task;
template <class T>
class future;
class thread_pool;
class executor;
struct loop_signals;

namespace detail {
class backend;
struct fd_watch;
struct io_op;
struct loop_access;
struct io_registration;
class tracer;
}  // namespace detail

/// Which I/O backend a loop uses. `automatic` picks the best the kernel allows.
enum class backend_kind { automatic, epoll, io_uring };
namespace backend {
inline constexpr backend_kind automatic = backend_kind::automatic;
inline constexpr backend_kind epoll = backend_kind::epoll;
inline constexpr backend_kind io_uring = backend_kind::io_uring;
}  // namespace backend

/// What the loop's exception handler receives (asyncio's context dict).
struct exception_context {
  std::string message;
  std::exception_ptr exception;
  std::string task_name;  ///< empty when no task is involved
};

/// How a loop is built; `run_options` adds to it.
struct loop_options {
  bool debug = false;
  backend_kind backend = backend_kind::automatic;
  clock_mode clock = clock_mode::real;
};

/// The event loop. Not copyable, not movable: tasks and timers point at it.
/// @par Thread safety
/// Only `call_soon_threadsafe` may be called from another thread; in debug mode the other members
/// throw `std::runtime_error` when called from a thread that is not the loop's.
class event_loop {
 public:
  using exception_handler = std::function<void(event_loop&, const exception_context&)>;

  event_loop() : event_loop(loop_options{}) {}
  explicit event_loop(loop_options opts);
  event_loop(const event_loop&) = delete;
  event_loop& operator=(const event_loop&) = delete;
  ~event_loop();

  /// The loop's current time. Under virtual time it stands still while tasks run and jumps to the next
  /// deadline whenever the loop is idle (it follows the wall only while work runs on other threads).
  [[nodiscard]] clock::time_point time() const noexcept;

  /// Schedules `fn()` for the next iteration, after everything already scheduled.
  template <class F>
  timer_handle call_soon(F&& fn) {
    check_thread("call_soon");
    auto* item = detail::make_callback(std::forward<F>(fn));  // its first reference is the queue's
    timer_handle h(this, item);
    enqueue_callback(item);
    return h;
  }
  /// Schedules `fn()` after `delay` (a delay in the past runs at once, i.e. next iteration).
  template <class Rep, class Period, class F>
  timer_handle call_later(std::chrono::duration<Rep, Period> delay, F&& fn) {
    return call_at(detail::saturating_add(time(), detail::to_clock_duration(delay)), std::forward<F>(fn));
  }
  /// Schedules `fn()` at `when` on the loop's clock.
  template <class F>
  timer_handle call_at(clock::time_point when, F&& fn) {
    check_thread("call_at");
    auto* item = detail::make_callback(std::forward<F>(fn));  // its first reference is the heap's
    timer_handle h(this, item);
    item->m_fire = &event_loop::fire_callback_timer;
    add_timer(item, when);
    return h;
  }
  /// The only member safe to call from any thread: schedules `fn()` on the loop and wakes it.
  template <class F>
  void call_soon_threadsafe(F&& fn) {
    submit_threadsafe(detail::make_callback(std::forward<F>(fn)));
  }

  /// Creates a task running `c` (defined in task.hpp).
  template <class T>
  task<T> create_task(coro<T> c, std::string name = {});
  /// A pending future bound to this loop (defined in future.hpp).
  template <class T>
  future<T> create_future();

  /// Calls `fn()` (through the ready queue) whenever `fd` is readable, until removed.
  void add_reader(int fd, std::function<void()> fn);
  bool remove_reader(int fd);
  /// Calls `fn()` (through the ready queue) whenever `fd` is writable, until removed.
  void add_writer(int fd, std::function<void()> fn);
  bool remove_writer(int fd);

  /// Calls `fn()` on the loop whenever signal `sig` arrives (replaces a previous handler).
  void add_signal_handler(int sig, std::function<void()> fn);
  bool remove_signal_handler(int sig);

  void set_debug(bool on) noexcept { m_debug = on; }
  [[nodiscard]] bool get_debug() const noexcept { return m_debug; }
  /// In debug mode, a callback or task step longer than this is reported.
  clock::duration slow_callback_duration = std::chrono::milliseconds(100);

  void set_exception_handler(exception_handler fn) { m_exception_handler = std::move(fn); }
  /// Passes `ctx` to the handler (default: logs to stderr). Never throws.
  void call_exception_handler(const exception_context& ctx) noexcept;
  void default_exception_handler(const exception_context& ctx) noexcept;

  /// Runs iterations while `done()` returns false (checked before each one) and `stop()` was not called.
  template <class Pred>
  void run_until(Pred done) {
    begin_run();
    try {
      while (!m_stopping && !done()) run_once();
    } catch (...) {
      end_run();
      throw;
    }
    end_run();
  }
  /// Runs until `stop()`.
  void run_forever() {
    run_until([] { return false; });
  }
  /// Makes `run_*` return after the current iteration.
  void stop() noexcept { m_stopping = true; }
  [[nodiscard]] bool is_running() const noexcept { return m_running; }
  [[nodiscard]] bool is_closed() const noexcept { return m_closed; }
  /// Closes the loop: reports tasks still pending, drops callbacks and timers, shuts the default
  /// executor down. Throws `std::runtime_error` if the loop is running.
  void close();

  /// Submits `f(args...)` to `ex` now; awaiting the result yields its outcome (asyncio's
  /// `loop.run_in_executor`, a future already running); defined in
  /// executor/to_thread.hpp, where `aio::run_in_executor(loop, ex, f, args...)` documents it.
  template <class F, class... Args>
  auto run_in_executor(executor& ex, F&& f, Args&&... args);

  /// The thread pool behind `to_thread` (created on first use).
  thread_pool& default_executor();
  /// Work started on another thread whose result will come back through `call_soon_threadsafe`
  /// (under virtual time, the clock waits for it instead of jumping).
  void begin_external() noexcept;
  void end_external() noexcept;

  /// Counts for tests and `aio::run`'s leak checks.
  [[nodiscard]] std::size_t live_tasks() const noexcept { return m_live_tasks; }
  [[nodiscard]] std::size_t pending_timers() const noexcept { return m_timers.size(); }
  [[nodiscard]] std::size_t watched_fds() const noexcept;
  /// More counts, for metrics (include/aio/debug/metrics.hpp): plain counters the loop keeps anyway,
  /// read on its thread. Tasks started on this loop since it was created.
  [[nodiscard]] std::uint64_t tasks_created() const noexcept { return m_tasks_created; }
  /// Items in the ready queue (tasks and callbacks the next iteration runs).
  [[nodiscard]] std::size_t ready_count() const noexcept { return m_ready.size(); }
  /// Iterations run so far.
  [[nodiscard]] std::uint64_t iterations() const noexcept { return m_beats; }
  /// Operations submitted to the kernel and not yet completed.
  [[nodiscard]] std::size_t pending_io() const noexcept { return m_pending_io; }
  /// The default executor if `to_thread` or `default_executor()` started it, else nullptr.
  [[nodiscard]] thread_pool* started_default_executor() const noexcept { return m_default_executor.get(); }
  /// Tasks not yet finished (in no particular order).
  [[nodiscard]] std::vector<detail::task_header*> tasks() const;
  /// The backend this loop runs on: "epoll" or "io_uring" (what `backend_kind::automatic` picked).
  [[nodiscard]] const char* backend_name() const noexcept;

 private:
  friend class timer_handle;
  friend struct detail::fd_watch;
  // aio's own tasks, awaitables and transports reach the members below through detail::loop_access
  // (include/aio/runtime/detail/loop_access.hpp, which documents each); users never do.
  friend struct detail::loop_access;

  void schedule(detail::task_header* t) noexcept {
    if (m_tracer != nullptr) [[unlikely]]
      trace_scheduled(t);
    m_ready.push(t, detail::ready_kind::task);
  }
  void add_timer(detail::timer_node* n, clock::time_point when) { m_timers.push(n, when); }
  void remove_timer(detail::timer_node* n) noexcept {
    if (n->armed()) m_timers.remove(n);
  }
  void add_timer(detail::task_header* t, clock::time_point when) { m_timers.push(t, when); }
  void remove_timer(detail::task_header* t) noexcept {
    if (t->m_timer_index != UINT32_MAX) m_timers.remove(t);
  }
  void register_task(detail::task_header* t);
  void unregister_task(detail::task_header* t) noexcept;
  void attach_io(detail::io_registration& reg);
  void detach_io(detail::io_registration& reg) noexcept;
  bool try_io(detail::io_op& op) noexcept;
  bool submit_io(detail::io_op& op);
  bool cancel_io(detail::io_op& op) noexcept;
  void abandon_io(detail::io_op& op) noexcept;
  void io_completed() noexcept {
    if (m_pending_io > 0) --m_pending_io;
  }
  [[nodiscard]] bool async_files() const noexcept;
  void enqueue_callback(detail::callback_item* item) noexcept {
    m_ready.push(item, detail::ready_kind::callback);
  }
  /// Throws if called off the loop's thread in debug mode.
  void check_thread(const char* what) const {
    if (m_debug && std::this_thread::get_id() != m_thread) throw_wrong_thread(what);
  }

  void run_once();
  void follow_wall() noexcept;
  void begin_run();
  void end_run() noexcept;
  void run_ready(std::size_t n);
  void trace_scheduled(detail::task_header* t) noexcept;
  void traced_step(detail::task_header* t) noexcept;
  void fire_timers();
  void take_threadsafe();
  void submit_threadsafe(detail::callback_item* item);
  void cancel_timer(detail::callback_item* item) noexcept;
  [[noreturn]] void throw_wrong_thread(const char* what) const;
  void update_fd(int fd);
  static void fire_callback_timer(detail::timer_node* n);

  detail::ready_queue m_ready;
  detail::timer_heap m_timers;
  // All unfinished tasks: a slot map. A free slot holds (next free index << 1) | 1, so removing a task
  // writes its own slot only (a swap-remove would touch another task's cache line on every finish).
  std::vector<std::uintptr_t> m_tasks;
  std::size_t m_free_slot = SIZE_MAX;
  std::size_t m_live_tasks = 0;
  std::uint64_t m_tasks_created = 0;  // register_task's count: the metrics' tasks created and finished
  std::unique_ptr<detail::backend> m_backend;
  std::unordered_map<int, std::unique_ptr<detail::fd_watch>> m_fds;
  std::size_t m_attached_fds = 0;  // io_registrations attached (sockets, pipes)
  std::size_t m_pending_io = 0;    // submitted operations not yet completed
  std::unique_ptr<loop_signals> m_signals;

  std::mutex m_threadsafe_mutex;
  std::vector<detail::callback_item*> m_threadsafe;  // guarded by m_threadsafe_mutex
  std::atomic<bool> m_has_threadsafe{false};         // m_threadsafe is not empty (hint, see run_once)
  unsigned m_iterations_without_poll = 0;
  // The stall detector's heartbeat (include/aio/debug/stall_detector.hpp): `m_beats << 1` once per
  // iteration after the poll, `| 1` before a poll that may block (the loop is idle, not stalled).
  // Relaxed stores by the loop; a watchdog thread reads it.
  std::uint64_t m_beats = 0;
  std::atomic<std::uint64_t> m_heartbeat{1};
  // The trace recorder (include/aio/debug/trace.hpp), or nullptr: the one branch each task hook pays.
  detail::tracer* m_tracer = nullptr;

  exception_handler m_exception_handler;
  std::unique_ptr<thread_pool> m_default_executor;
  std::thread::id m_thread;
  clock::time_point m_virtual_now;  // under virtual time: moved only by autojumps and external work
  clock::time_point m_wall_mark;    // the wall clock when virtual time last caught up with it
  std::size_t m_external = 0;       // in-flight work on other threads
  clock_mode m_clock_mode;
  bool m_debug = false;
  bool m_running = false;
  bool m_stopping = false;
  bool m_closed = false;
  event_loop* m_home_before = nullptr;  // this thread's home loop before we were created
};

/// The loop running on this thread. Throws `std::runtime_error` when there is none.
event_loop& get_running_loop();
namespace detail {
/// The running loop or nullptr.
event_loop* running_loop() noexcept;
/// The loop that tasks on this thread belong to: the running one, else the latest open one.
event_loop* home_loop() noexcept;
}  // namespace detail

}  // namespace aio
