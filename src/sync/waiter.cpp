// The re-examination trampoline of sync_waiter (see include/aio/sync/detail/waiter.hpp).
//
// A task whose waiter must look at its primitive again before the coroutine resumes is woken with
// `m_resume` pointing at a per-thread trampoline coroutine instead of the awaiting coroutine. The loop
// steps the task as usual; the trampoline finds the task's waiter in the thread's pending list, runs
// its `m_recheck`, and either transfers to the awaiting coroutine (symmetric transfer: same step, no
// recursion) or suspends straight back to the loop, the waiter parked again. Pending re-examinations
// run in the order they were scheduled, because the ready queue is FIFO, so the waiter sought is
// almost always the head of the list.

#include <atomic>
#include <cassert>
#include <coroutine>
#include <exception>
#include <stdexcept>

#include "aio/errors.hpp"
#include "aio/sync/detail/waiter.hpp"

namespace aio::detail {

namespace {

/// A coroutine that never finishes: every resume runs one re-examination.
class trampoline {
 public:
  struct promise_type {
    trampoline get_return_object() noexcept {
      return trampoline(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    std::suspend_always initial_suspend() const noexcept { return {}; }
    std::suspend_always final_suspend() const noexcept { return {}; }
    void return_void() const noexcept {}
    void unhandled_exception() const noexcept { std::terminate(); }
  };
  explicit trampoline(std::coroutine_handle<promise_type> h) noexcept : m_h(h) {}
  trampoline(const trampoline&) = delete;
  trampoline& operator=(const trampoline&) = delete;
  trampoline(trampoline&& o) noexcept : m_h(o.m_h) { o.m_h = nullptr; }
  trampoline& operator=(trampoline&&) = delete;
  ~trampoline() {
    if (m_h) m_h.destroy();
  }
  [[nodiscard]] std::coroutine_handle<> handle() const noexcept { return m_h; }

 private:
  std::coroutine_handle<promise_type> m_h;
};

struct dispatch {
  [[nodiscard]] bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> /*self*/) const noexcept {
    return run_recheck();
  }
  void await_resume() const noexcept {}
};

trampoline trampoline_body() {
  for (;;) co_await dispatch{};
}

/// FIFO of waiters whose re-examination is scheduled, singly linked through `m_next_recheck`.
struct pending_list {
  sync_waiter* m_head = nullptr;
  sync_waiter* m_tail = nullptr;

  void push(sync_waiter* w) noexcept {
    w->m_next_recheck = nullptr;
    if (m_tail != nullptr) {
      m_tail->m_next_recheck = w;
    } else {
      m_head = w;
    }
    m_tail = w;
  }
  /// Removes and returns the first waiter satisfying `match`, or nullptr.
  template <class Match>
  sync_waiter* take(Match match) noexcept {
    sync_waiter* prev = nullptr;
    for (sync_waiter* w = m_head; w != nullptr; prev = w, w = w->m_next_recheck) {
      if (!match(w)) continue;
      (prev != nullptr ? prev->m_next_recheck : m_head) = w->m_next_recheck;
      if (m_tail == w) m_tail = prev;
      w->m_next_recheck = nullptr;
      return w;
    }
    return nullptr;
  }
};

thread_local pending_list t_pending;

/// The thread's trampoline, created on first use (one frame per thread, destroyed at thread exit).
// The trampoline's resume function (the same on every thread): how an await graph recognises it.
std::atomic<void*> g_trampoline_resume{nullptr};

void* resume_function(std::coroutine_handle<> h) noexcept { return *static_cast<void**>(h.address()); }

std::coroutine_handle<> trampoline_handle() {
  thread_local trampoline t = [] {
    trampoline made = trampoline_body();
    g_trampoline_resume.store(resume_function(made.handle()), std::memory_order_relaxed);
    return made;
  }();
  return t.handle();
}

}  // namespace

sync_waiter::~sync_waiter() {
  if (m_list != nullptr) m_list->unlink(this);
  if (m_recheck_pending) t_pending.take([this](sync_waiter* w) { return w == this; });
}

bool sync_waiter::begin_suspend(std::coroutine_handle<> h, const char* what) {
  task_header* t = current_task_header();
  if (t == nullptr) throw std::runtime_error(std::string("aio: ") + what + " awaited outside any aio task");
  m_task = t;
  m_handle = h;
  if (t->has(task_header::flag_must_cancel)) {
    m_withdrawn = true;  // never parked: the pending request is delivered by await_resume at once
    return false;
  }
  return true;
}

void sync_waiter::recheck_later() noexcept {
  assert(m_recheck != nullptr && m_list == nullptr);
  m_recheck_pending = true;
  t_pending.push(this);
  m_task->wake();
  m_task->m_resume = trampoline_handle();
}

void sync_waiter::throw_cancelled() {
  m_withdrawn = false;
  m_task->deliver_cancel();
  throw cancelled_error(m_task->cancel_message());
}

std::coroutine_handle<> recheck_target(const task_header* t, std::coroutine_handle<> h) noexcept {
  if (!h || resume_function(h) != g_trampoline_resume.load(std::memory_order_relaxed)) return h;
  for (sync_waiter* w = t_pending.m_head; w != nullptr; w = w->m_next_recheck) {
    if (w->m_task == t) return w->m_handle;
  }
  return nullptr;
}

std::coroutine_handle<> run_recheck() noexcept {
  task_header* t = current_task_header();
  sync_waiter* w = t_pending.take([t](sync_waiter* p) { return p->m_task == t; });
  assert(w != nullptr && "aio: the trampoline ran for a task with no pending re-examination");
  w->m_recheck_pending = false;
  t->m_resume = w->m_handle;
  if (w->m_recheck(w)) return w->m_handle;
  return std::noop_coroutine();
}

bool sync_waiter::withdraw_on_cancel(suspension* s, const std::string& /*msg*/) noexcept {
  auto* self = static_cast<sync_waiter*>(s);
  self->unlink();
  self->m_withdrawn = true;
  self->resume_later();
  return false;
}

}  // namespace aio::detail
