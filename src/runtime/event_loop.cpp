// The event loop's iteration, timers, cross-thread submissions, fd watches, signals and close().

#include "aio/runtime/event_loop.hpp"

#include <unistd.h>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "../backend/backend.hpp"
#include "../debug/tracer.hpp"
#include "aio/detail/result_slot.hpp"
#include "aio/executor/thread_pool.hpp"
#include "aio/runtime/detail/loop_access.hpp"
#include "aio/task/basic_handle.hpp"
#include "aio/task/task_handle.hpp"

namespace aio {

namespace {
thread_local event_loop* t_loop = nullptr;
// The loop that owns this thread's tasks between runs (a task cancelled after run_until returned
// still finds its loop): the most recently created or run loop that is not closed.
thread_local event_loop* t_home = nullptr;

// Signals: one loop at a time owns the process's handlers (as asyncio: the main thread's loop).
constexpr int k_max_signal = 65;
std::atomic<std::uint64_t> g_pending_signals{0};
std::atomic<int> g_signal_wake_fd{-1};

extern "C" void on_signal(int sig) {
  const int saved = errno;
  g_pending_signals.fetch_or(std::uint64_t{1} << (sig - 1), std::memory_order_relaxed);
  const int fd = g_signal_wake_fd.load(std::memory_order_relaxed);
  if (fd >= 0) {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto r = ::write(fd, &one, sizeof one);
  }
  errno = saved;
}
}  // namespace

event_loop* detail::running_loop() noexcept { return t_loop; }
event_loop* detail::home_loop() noexcept { return t_loop != nullptr ? t_loop : t_home; }

event_loop& get_running_loop() {
  if (t_loop == nullptr) throw std::runtime_error("aio: no running event loop (call this inside aio::run)");
  return *t_loop;
}

namespace detail {

/// One watched fd: its callbacks and the two ready-queue items that run them (no allocation per event).
struct fd_watch {
  struct item final : callback_item {
    item(fd_watch* w, bool reader) : m_watch(w), m_reader(reader) {}
    void invoke() override {
      auto& fn = m_reader ? m_watch->reader : m_watch->writer;
      if (fn) {
        auto keep = fn;  // the callback may remove itself
        keep();
      }
    }
    fd_watch* m_watch;
    bool m_reader;
  };
  fd_watch() : read_item(this, true), write_item(this, false) {}
  std::function<void()> reader;
  std::function<void()> writer;
  item read_item;
  item write_item;
};

}  // namespace detail

namespace {
struct signal_slot {
  std::function<void()> fn;
  struct sigaction previous {};
  bool installed = false;
};
}  // namespace

struct loop_signals {
  signal_slot slots[k_max_signal];
};

event_loop::event_loop(loop_options opts)
    : m_backend(detail::make_backend(opts.backend, opts.debug)),
      m_thread(std::this_thread::get_id()),
      m_virtual_now(clock::now()),
      m_wall_mark(m_virtual_now),
      m_clock_mode(opts.clock),
      m_debug(opts.debug) {
  m_home_before = t_home;
  t_home = this;
}

event_loop::~event_loop() {
  if (!m_closed) {
    try {
      close();
    } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor cannot report more than close() did
    }
  }
}

clock::time_point event_loop::time() const noexcept {
  return m_clock_mode == clock_mode::virtual_time ? m_virtual_now : clock::now();
}

void event_loop::begin_run() {
  if (m_closed) throw std::runtime_error("aio: the event loop is closed");
  if (m_running) throw std::runtime_error("aio: this event loop is already running");
  if (t_loop != nullptr) {
    throw std::runtime_error(
        "aio: cannot run an event loop while another loop is running in the same thread");
  }
  {
    // Under the submissions' mutex: submit_threadsafe reads m_thread to recognise the loop's own thread.
    std::lock_guard<std::mutex> lock(m_threadsafe_mutex);
    m_thread = std::this_thread::get_id();
  }
  t_loop = this;
  t_home = this;
  m_running = true;
  m_stopping = false;
}

void event_loop::end_run() noexcept {
  m_heartbeat.store((m_beats << 1) | 1U, std::memory_order_relaxed);  // not running: not stalled
  m_running = false;
  m_stopping = false;
  t_loop = nullptr;
}

namespace {
class loop_sink final : public detail::io_sink {
 public:
  loop_sink(event_loop& loop, std::unordered_map<int, std::unique_ptr<detail::fd_watch>>& fds)
      : m_loop(loop), m_fds(fds) {}
  void on_ready(int fd, bool readable, bool writable) override {
    ++m_events;
    auto it = m_fds.find(fd);
    if (it == m_fds.end()) return;
    detail::fd_watch& w = *it->second;
    if (readable && w.reader) push(w.read_item);
    if (writable && w.writer) push(w.write_item);
  }
  void on_complete(detail::io_op& op) override {
    detail::loop_access::io_completed(m_loop);
    ++m_events;
    op.m_complete(op);
  }
  /// Completions and readiness reports delivered through this sink.
  [[nodiscard]] std::size_t events() const noexcept { return m_events; }

 private:
  void push(detail::fd_watch::item& i) {
    if (i.m_queued) return;
    i.m_queued = true;
    i.add_ref();  // the queue's reference
    detail::loop_access::enqueue_callback(m_loop, &i);
  }
  event_loop& m_loop;
  std::unordered_map<int, std::unique_ptr<detail::fd_watch>>& m_fds;
  std::size_t m_events = 0;
};
}  // namespace

void event_loop::follow_wall() noexcept {
  // Work on other threads takes real time: while any is in flight, virtual time advances with the wall
  // (all of it, not only the time spent in poll, so a thread that sleeps 1 s is seen to take >= 1 s).
  const clock::time_point wall = clock::now();
  if (m_external > 0) m_virtual_now += wall - m_wall_mark;
  m_wall_mark = wall;
}

void event_loop::run_once() {
  const bool virtual_time = m_clock_mode == clock_mode::virtual_time;
  if (virtual_time) follow_wall();
  std::chrono::nanoseconds timeout{-1};
  if (!m_ready.empty()) {
    timeout = std::chrono::nanoseconds{0};
  } else if (!m_timers.empty()) {
    timeout = std::max(clock::duration{0}, m_timers.next_deadline() - time());
    if (virtual_time && m_external == 0) {
      // Autojump: nothing can happen before the next timer except I/O, so look for I/O without
      // blocking and, when there is none, move time to the deadline instead of waiting for it.
      // With operations in flight, give the kernel a moment first: loopback bytes sent by this very
      // process can reach the peer socket a little later (softirq), and jumping past them would fire
      // timeouts that real time would never reach.
      loop_sink sink(*this, m_fds);
      m_backend->poll(m_pending_io > 0 ? std::chrono::nanoseconds{std::chrono::milliseconds(2)}
                                       : std::chrono::nanoseconds{0},
                      sink);
      take_threadsafe();
      // Jump only when the poll found nothing at all: a completion handled inside the poll (a TLS
      // handshake step that read and answered without waking a task) may have sent bytes that the
      // next poll will report.
      if (m_ready.empty() && sink.events() == 0)
        m_virtual_now = std::max(m_virtual_now, m_timers.next_deadline());
      timeout = std::chrono::nanoseconds{0};
    }
  }
  // With work ready, a non-blocking poll is a syscall that usually finds nothing: skip it, but never
  // for more than k_poll_interval iterations in a row so that I/O is not starved (Tokio's
  // event_interval does the same). Cross-thread submissions are checked through an atomic flag.
  constexpr unsigned k_poll_interval = 61;
  if (timeout.count() != 0 || ++m_iterations_without_poll >= k_poll_interval) {
    m_iterations_without_poll = 0;
    if (timeout.count() != 0) m_heartbeat.store((m_beats << 1) | 1U, std::memory_order_relaxed);  // idle
    loop_sink sink(*this, m_fds);
    m_backend->poll(timeout, sink);
  }
  m_heartbeat.store(++m_beats << 1, std::memory_order_relaxed);  // busy: one store per iteration
  if (virtual_time) follow_wall();
  take_threadsafe();
  fire_timers();
  run_ready(m_ready.size());
}

void event_loop::fire_timers() {
  if (m_timers.empty()) return;
  const clock::time_point now = time();
  while (!m_timers.empty() && m_timers.next_deadline() <= now) {
    const detail::timer_heap::due d = m_timers.pop();
    if (d.task != nullptr) {
      d.task->wake();
    } else {
      d.node->m_fire(d.node);
    }
  }
}

void event_loop::fire_callback_timer(detail::timer_node* n) {
  auto* item = static_cast<detail::callback_item*>(n);
  // The heap's reference becomes the queue's.
  t_loop->enqueue_callback(item);
}

void event_loop::run_ready(std::size_t n) {
  for (std::size_t i = 0; i < n && !m_ready.empty(); ++i) {
    detail::ready_kind kind{};
    detail::ready_link* link = m_ready.pop(kind);
    const bool timed = m_debug;
    const clock::time_point start = timed ? clock::now() : clock::time_point{};
    std::string what;
    if (kind == detail::ready_kind::task) {
      auto* t = static_cast<detail::task_header*>(link);
      if (!timed) {
        if (m_tracer == nullptr) [[likely]] {
          t->step();
        } else {
          traced_step(t);
        }
        continue;
      }
      task_handle keep(t);  // debug mode reads the name after the step, which may finish the task
      if (m_tracer == nullptr) {
        t->step();
      } else {
        traced_step(t);
      }
      const auto took = clock::now() - start;
      if (took > slow_callback_duration) what = "task " + keep.get_name();
      if (!what.empty()) {
        std::fprintf(stderr, "aio: executing %s took %.3f seconds\n", what.c_str(),
                     std::chrono::duration<double>(took).count());
      }
      continue;
    }
    auto* item = static_cast<detail::callback_item*>(link);
    if (!item->m_cancelled) {
      if (m_tracer != nullptr) [[unlikely]]
        m_tracer->callback_begin();
      try {
        item->invoke();
      } catch (...) {
        call_exception_handler({"Exception in callback", std::current_exception(), {}});
      }
      if (m_tracer != nullptr) [[unlikely]]
        m_tracer->callback_end();
    }
    // Cleared only now: an fd watch whose callback removes itself must not be freed while it runs
    // (update_fd keeps a watch with a queued item; an emptied one is reused when its fd number is).
    item->m_queued = false;
    item->release();
    if (timed) {
      const auto took = clock::now() - start;
      if (took > slow_callback_duration) {
        std::fprintf(stderr, "aio: executing a callback took %.3f seconds\n",
                     std::chrono::duration<double>(took).count());
      }
    }
  }
}

void event_loop::traced_step(detail::task_header* t) noexcept {
  task_handle keep(t);  // the step may finish the task: the recorder reads it after
  m_tracer->slice_begin(t);
  t->step();
  if (m_tracer != nullptr) m_tracer->slice_end(t);  // a write failure during the step stops recording
}

void event_loop::trace_scheduled(detail::task_header* t) noexcept { m_tracer->task_scheduled(t); }

void event_loop::submit_threadsafe(detail::callback_item* item) {
  bool need_wake = false;
  {
    std::lock_guard<std::mutex> lock(m_threadsafe_mutex);
    if (m_closed) {
      item->release();
      throw std::runtime_error("aio: call_soon_threadsafe() on a closed event loop");
    }
    if (m_thread == std::this_thread::get_id()) {
      // On the loop's own thread (asyncio appends to _ready directly): the callback keeps its FIFO
      // place among call_soon's, and no wake-up is needed. Only this thread touches the ready queue,
      // and another thread can become the loop's only in begin_run, under this mutex.
      enqueue_callback(item);
      return;
    }
    m_threadsafe.push_back(item);
    // Only the submission that makes the list non-empty writes the eventfd: later ones find the loop
    // already woken (or about to take the list), which saves a syscall per call under load.
    need_wake = !m_has_threadsafe.exchange(true, std::memory_order_acq_rel);
  }
  if (need_wake) m_backend->wake();
}

void event_loop::take_threadsafe() {
  // The flag is set under the mutex after the push, so seeing it false means nothing is waiting
  // that we must run now; a submission racing with this check also wrote the eventfd, which makes
  // the next blocking poll return at once.
  if (m_has_threadsafe.load(std::memory_order_acquire)) {
    std::vector<detail::callback_item*> items;
    {
      std::lock_guard<std::mutex> lock(m_threadsafe_mutex);
      items.swap(m_threadsafe);
      m_has_threadsafe.store(false, std::memory_order_relaxed);
    }
    for (auto* item : items) enqueue_callback(item);
  }
  const std::uint64_t sigs = g_pending_signals.load(std::memory_order_relaxed);
  if (sigs != 0 && m_signals) {
    const std::uint64_t mine = g_pending_signals.exchange(0, std::memory_order_relaxed);
    for (int sig = 1; sig < k_max_signal; ++sig) {
      if ((mine & (std::uint64_t{1} << (sig - 1))) == 0) continue;
      auto& slot = m_signals->slots[sig];
      if (slot.installed && slot.fn) {
        auto fn = slot.fn;
        call_soon(std::move(fn));
      }
    }
  }
}

void event_loop::begin_external() noexcept { ++m_external; }
void event_loop::end_external() noexcept { --m_external; }

void event_loop::register_task(detail::task_header* t) {
  std::size_t i = m_free_slot;
  if (i != SIZE_MAX) {
    m_free_slot = m_tasks[i] == (SIZE_MAX | 1U) ? SIZE_MAX : m_tasks[i] >> 1U;
    m_tasks[i] = reinterpret_cast<std::uintptr_t>(t);
  } else {
    i = m_tasks.size();
    m_tasks.push_back(reinterpret_cast<std::uintptr_t>(t));
  }
  t->m_registry_index = static_cast<std::uint32_t>(i);
  ++m_live_tasks;
  ++m_tasks_created;
  if (m_tracer != nullptr) [[unlikely]]
    m_tracer->task_created(t);
}

void event_loop::unregister_task(detail::task_header* t) noexcept {
  if (m_tracer != nullptr) [[unlikely]]
    m_tracer->task_done(t);
  const std::size_t i = t->m_registry_index;
  m_tasks[i] = m_free_slot == SIZE_MAX ? (SIZE_MAX | 1U) : ((m_free_slot << 1U) | 1U);
  m_free_slot = i;
  if (--m_live_tasks == 0) {
    // Empty: start over so that the table does not keep its high-water size forever.
    m_tasks.clear();
    m_free_slot = SIZE_MAX;
  }
}

std::vector<detail::task_header*> event_loop::tasks() const {
  std::vector<detail::task_header*> out;
  out.reserve(m_live_tasks);
  for (const std::uintptr_t slot : m_tasks) {
    // Free slots are odd (tagged free-list links); occupied ones are task pointers.
    if ((slot & 1U) == 0)
      out.push_back(reinterpret_cast<detail::task_header*>(slot));  // NOLINT(performance-no-int-to-ptr)
  }
  return out;
}

void event_loop::cancel_timer(detail::callback_item* item) noexcept {
  item->m_cancelled = true;
  if (item->armed()) {
    m_timers.remove(item);
    item->release();  // the heap's reference
  }
}

void timer_handle::cancel() noexcept {
  if (m_item != nullptr && !m_item->m_cancelled) m_loop->cancel_timer(m_item);
}

void event_loop::call_exception_handler(const exception_context& ctx) noexcept {
  try {
    if (m_exception_handler) {
      m_exception_handler(*this, ctx);
      return;
    }
  } catch (...) {
    std::fprintf(stderr, "aio: the exception handler itself threw\n");
  }
  default_exception_handler(ctx);
}

void event_loop::default_exception_handler(const exception_context& ctx) noexcept {
  std::string detail;
  if (ctx.exception) {
    try {
      std::rethrow_exception(ctx.exception);
    } catch (const std::exception& e) {
      detail = e.what();
    } catch (const cancelled_error& e) {
      detail = std::string("cancelled_error: ") + e.what();
    } catch (...) {
      detail = "unknown exception";
    }
  }
  std::fprintf(stderr, "aio: %s%s%s%s%s\n", ctx.message.c_str(), ctx.task_name.empty() ? "" : " [",
               ctx.task_name.c_str(), ctx.task_name.empty() ? "" : "]",
               detail.empty() ? "" : (": " + detail).c_str());
}

void event_loop::throw_wrong_thread(const char* what) const {
  throw std::runtime_error(std::string("aio: event_loop::") + what +
                           "() called from a thread that is not the loop's; use call_soon_threadsafe()");
}

// ---- fd watches ------------------------------------------------------------------------------

void event_loop::update_fd(int fd) {
  auto it = m_fds.find(fd);
  if (it == m_fds.end()) return;
  detail::fd_watch& w = *it->second;
  m_backend->set_interest(fd, static_cast<bool>(w.reader), static_cast<bool>(w.writer));
  if (!w.reader && !w.writer && !w.read_item.m_queued && !w.write_item.m_queued) m_fds.erase(it);
}

void event_loop::add_reader(int fd, std::function<void()> fn) {
  check_thread("add_reader");
  if (fd < 0) throw std::invalid_argument("aio: add_reader() needs a valid fd, got " + std::to_string(fd));
  auto& w = m_fds[fd];
  if (!w) w = std::make_unique<detail::fd_watch>();
  w->reader = std::move(fn);
  update_fd(fd);
}

bool event_loop::remove_reader(int fd) {
  check_thread("remove_reader");
  auto it = m_fds.find(fd);
  if (it == m_fds.end() || !it->second->reader) return false;
  it->second->reader = nullptr;
  update_fd(fd);
  return true;
}

void event_loop::add_writer(int fd, std::function<void()> fn) {
  check_thread("add_writer");
  if (fd < 0) throw std::invalid_argument("aio: add_writer() needs a valid fd, got " + std::to_string(fd));
  auto& w = m_fds[fd];
  if (!w) w = std::make_unique<detail::fd_watch>();
  w->writer = std::move(fn);
  update_fd(fd);
}

bool event_loop::remove_writer(int fd) {
  check_thread("remove_writer");
  auto it = m_fds.find(fd);
  if (it == m_fds.end() || !it->second->writer) return false;
  it->second->writer = nullptr;
  update_fd(fd);
  return true;
}

// ---- operations (the backend contract, src/backend/backend.hpp) --------------------------------

void event_loop::attach_io(detail::io_registration& reg) {
  m_backend->attach(reg);
  ++m_attached_fds;
}

void event_loop::detach_io(detail::io_registration& reg) noexcept {
  if (!reg.m_attached) return;
  m_backend->detach(reg);
  --m_attached_fds;
}

bool event_loop::try_io(detail::io_op& op) noexcept { return m_backend->try_now(op); }
bool event_loop::submit_io(detail::io_op& op) {
  const bool done = m_backend->submit(op);
  if (!done) ++m_pending_io;
  return done;
}
bool event_loop::cancel_io(detail::io_op& op) noexcept {
  const bool was_pending = op.m_pending;
  const bool withdrawn = m_backend->cancel(op);
  if (withdrawn && was_pending && m_pending_io > 0) --m_pending_io;
  return withdrawn;
}
void event_loop::abandon_io(detail::io_op& op) noexcept {
  const bool was_pending = op.m_pending;
  m_backend->abandon(op);
  if (was_pending && m_pending_io > 0) --m_pending_io;
}
bool event_loop::async_files() const noexcept { return m_backend->async_files(); }
const char* event_loop::backend_name() const noexcept { return m_backend->name(); }

std::size_t event_loop::watched_fds() const noexcept {
  std::size_t n = m_attached_fds;
  for (const auto& [fd, w] : m_fds) n += (w->reader || w->writer) ? 1 : 0;
  return n;
}

// ---- signals ---------------------------------------------------------------------------------

void event_loop::add_signal_handler(int sig, std::function<void()> fn) {
  check_thread("add_signal_handler");
  if (sig <= 0 || sig >= k_max_signal || sig == SIGKILL || sig == SIGSTOP) {
    throw std::invalid_argument("aio: add_signal_handler(): signal " + std::to_string(sig) +
                                " cannot be handled");
  }
  const int owner = g_signal_wake_fd.load();
  if (owner >= 0 && owner != m_backend->wake_fd()) {
    throw std::runtime_error("aio: another event loop already handles signals in this process");
  }
  if (!m_signals) m_signals = std::make_unique<loop_signals>();
  auto& slot = m_signals->slots[sig];
  slot.fn = std::move(fn);
  if (!slot.installed) {
    g_signal_wake_fd.store(m_backend->wake_fd());
    struct sigaction sa {};
    sa.sa_handler = &on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    if (::sigaction(sig, &sa, &slot.previous) != 0) {
      throw std::system_error(errno, std::generic_category(), "aio: sigaction");
    }
    slot.installed = true;
  }
}

bool event_loop::remove_signal_handler(int sig) {
  check_thread("remove_signal_handler");
  if (!m_signals || sig <= 0 || sig >= k_max_signal || !m_signals->slots[sig].installed) return false;
  auto& slot = m_signals->slots[sig];
  ::sigaction(sig, &slot.previous, nullptr);
  slot = signal_slot{};
  bool any = false;
  for (const auto& s : m_signals->slots) any = any || s.installed;
  if (!any) g_signal_wake_fd.store(-1);
  return true;
}

// ---- close -----------------------------------------------------------------------------------

void event_loop::close() {
  if (m_running) throw std::runtime_error("aio: cannot close a running event loop");
  if (m_closed) return;
  // Run the remaining teardown as if running, so that destructors that touch the loop find it.
  event_loop* outer = t_loop;
  t_loop = this;

  if (m_signals) {
    for (int sig = 1; sig < k_max_signal; ++sig) remove_signal_handler(sig);
  }
  // Drop queued work; tasks on the queue are handled with the pending tasks below.
  while (!m_ready.empty()) {
    detail::ready_kind kind{};
    detail::ready_link* link = m_ready.pop(kind);
    if (kind == detail::ready_kind::task) {
      static_cast<detail::task_header*>(link)->clear(detail::task_header::flag_queued);
    } else {
      auto* item = static_cast<detail::callback_item*>(link);
      item->m_queued = false;
      item->release();
    }
  }
  while (!m_timers.empty()) {
    const detail::timer_heap::due d = m_timers.pop();
    if (d.node != nullptr && d.node->m_fire == &event_loop::fire_callback_timer) {
      static_cast<detail::callback_item*>(d.node)->release();
    }
  }
  // Tasks still pending are reported (asyncio: "Task was destroyed but it is pending!") and dropped:
  // each is marked cancelled and its frame is destroyed once no handle refers to it.
  std::vector<task_handle> pending;
  for (auto* t : tasks()) pending.emplace_back(t);
  for (auto& h : pending) {
    detail::task_header* t = h.header();
    if (t->has(detail::task_header::flag_done)) continue;
    call_exception_handler({"Task was destroyed but it is pending", nullptr, h.get_name()});
    t->set_error(std::make_exception_ptr(cancelled_error("the event loop was closed")));
    t->set(static_cast<detail::task_header::flag>(detail::task_header::flag_done |
                                                  detail::task_header::flag_cancelled));
    // Done callbacks hold a reference to their task: drop them or the frame would never go.
    for (detail::wait_node* n = t->m_waiters.front(); n != nullptr;) {
      detail::wait_node* next = detail::task_wait_list::next(n);
      if (auto* cb = detail::done_callback_base::from(n)) {
        t->m_waiters.unlink(n);
        cb->release();
      }
      n = next;
    }
    unregister_task(t);
    t->release();  // the loop's reference
  }
  pending.clear();
  // Destroying frames can enqueue more work (a frame's destructor cancelling a timer); drop it too.
  while (!m_ready.empty()) {
    detail::ready_kind kind{};
    detail::ready_link* link = m_ready.pop(kind);
    if (kind == detail::ready_kind::callback) static_cast<detail::callback_item*>(link)->release();
  }
  m_fds.clear();
  if (m_default_executor) m_default_executor->shutdown(true);
  {
    std::lock_guard<std::mutex> lock(m_threadsafe_mutex);
    m_closed = true;
  }
  // Callbacks submitted from other threads after the last iteration are dropped; a pending
  // run_coroutine_threadsafe then reports broken_promise through its std::future.
  for (auto* item : m_threadsafe) item->release();
  m_threadsafe.clear();
  m_default_executor.reset();
  t_loop = outer;
  if (t_home == this) t_home = m_home_before;
}

thread_pool& event_loop::default_executor() {
  if (!m_default_executor) m_default_executor = std::make_unique<thread_pool>();
  return *m_default_executor;
}

}  // namespace aio
