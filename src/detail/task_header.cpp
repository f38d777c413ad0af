// The task state machine: start, step, cancel, finish, release. See task_header.hpp for the invariants.

#include "aio/detail/task_header.hpp"

#include <atomic>
#include <cassert>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <typeinfo>
#include <unordered_map>

#include "aio/detail/coop_budget.hpp"
#include "aio/detail/result_slot.hpp"
#include "aio/errors.hpp"
#include "aio/runtime/detail/loop_access.hpp"
#include "aio/runtime/event_loop.hpp"
#include "aio/task/coro.hpp"
#include "task_extra.hpp"

namespace aio::detail {

namespace {
thread_local task_header* t_current = nullptr;
thread_local std::uint32_t t_budget = k_coop_budget;  // of the running step (coop_budget.hpp)
std::atomic<std::uint64_t> g_task_counter{0};

// The frame of an aio coroutine starts two function pointers before its promise (g++ and clang++);
// promise<T>::get_return_object asserts it.
constexpr std::ptrdiff_t k_promise_offset = 2 * sizeof(void*);
}  // namespace

task_header* current_task_header() noexcept { return t_current; }

void resumed_in(std::coroutine_handle<> h) noexcept {
  if (t_current != nullptr) t_current->m_resume = h;
}

bool coop_spend() noexcept {
  if (t_budget == 0) return false;
  --t_budget;
  return true;
}

bool coop_exhausted() noexcept { return t_budget == 0; }

void coop_yield(std::coroutine_handle<> h) noexcept {
  task_header* t = t_current;
  assert(t != nullptr && "aio: an awaiter yielded outside a task");
  t->m_resume = h;
  t->wake();
}

namespace {
// Whether a failure is a cancellation. libstdc++ can name the type without a throw, which costs a
// microsecond or two and is on every cancelled task's path; elsewhere, rethrow and catch.
bool is_cancellation(const std::exception_ptr& e) noexcept {
#if defined(__GLIBCXX__) && defined(__cpp_rtti)
  const std::type_info* type = e.__cxa_exception_type();
  return type != nullptr && *type == typeid(cancelled_error);
#else
  try {
    std::rethrow_exception(e);
  } catch (const cancelled_error&) {
    return true;
  } catch (...) {  // NOLINT(bugprone-empty-catch): any other failure is a plain error
  }
  return false;
#endif
}
}  // namespace

std::coroutine_handle<> task_header::frame() const noexcept {
  return std::coroutine_handle<>::from_address(
      const_cast<char*>(reinterpret_cast<const char*>(this) - k_promise_offset));
}

event_loop& task_header::loop() const noexcept {
  event_loop* l = home_loop();
  assert(l != nullptr && "aio: a task was touched with no event loop on this thread");
  return *l;
}

namespace {
// Side table of task_extra. Touched only for names, cancel messages and destruction of tasks that
// used them; the mutex makes it safe for loops on several threads.
std::mutex g_extras_mutex;
std::unordered_map<const task_header*, std::unique_ptr<task_extra>>& extras() {
  static auto* table = new std::unordered_map<const task_header*, std::unique_ptr<task_extra>>();
  return *table;
}
}  // namespace

task_extra& task_header::extra() {
  std::lock_guard<std::mutex> lock(g_extras_mutex);
  auto& slot = extras()[this];
  if (!slot) slot = std::make_unique<task_extra>();
  set(flag_extra);
  return *slot;
}

static const task_extra* find_extra(const task_header* t) {
  if (!t->has(task_header::flag_extra)) return nullptr;
  std::lock_guard<std::mutex> lock(g_extras_mutex);
  auto it = extras().find(t);
  return it == extras().end() ? nullptr : it->second.get();
}

std::string given_task_name(const task_header& t) {
  if (t.has(task_header::flag_future)) return "Future";
  const task_extra* e = find_extra(&t);
  return e != nullptr && e->named ? e->name : std::string();
}

void task_header::start_task(event_loop& loop, std::coroutine_handle<> root, std::string name, bool eager) {
  set(flag_task);
  m_resume = root;
  if (!name.empty()) set_name(std::move(name));
  loop_access::register_task(loop, this);
  add_ref();  // the loop's reference, dropped in finish()
  if (eager) {
    step();
  } else {
    set(flag_queued);
    loop_access::schedule(loop, this);
  }
}

suspension task_header::sleeping{};

void task_header::step() noexcept {
  clear(flag_queued);
  m_suspended = nullptr;  // the link word held the queue's next pointer
  if (!has(flag_started)) {
    set(flag_started);
    if (has(flag_must_cancel)) {
      // Cancelled before its first step: the body never runs (CPython 3.13).
      clear(flag_must_cancel);
      set_error(std::make_exception_ptr(cancelled_error(cancel_message())));
      finish();
      return;
    }
  }
  task_header* outer = t_current;
  const std::uint32_t outer_budget = t_budget;  // an eager task's first step runs inside another's
  t_current = this;
  t_budget = has(flag_must_cancel) ? 0 : k_coop_budget;
  m_resume.resume();  // may finish and destroy this frame
  t_current = outer;
  t_budget = outer_budget;
}

void task_header::wake() noexcept {
  assert(!has(flag_queued) && "aio: a task was woken twice");
  m_suspended = nullptr;
  set(flag_queued);
  loop_access::schedule(loop(), this);
}

bool task_header::cancel(std::string msg) {
  if (has(flag_done)) return false;
  if (m_cancel_requests < UINT16_MAX) ++m_cancel_requests;
  if (!msg.empty() || has(flag_extra)) extra().cancel_message = std::move(msg);
  if (has(flag_future)) {
    // A future has no body to deliver to: it completes as cancelled at once.
    set_error(std::make_exception_ptr(cancelled_error(cancel_message())));
    finish();
    return true;
  }
  if (!has(flag_queued) && m_suspended != nullptr) {
    suspension* s = m_suspended;
    if (s == &sleeping) {
      loop_access::remove_timer(loop(), this);
      wake();
    } else if (s->m_cancel(s, cancel_message())) {
      // Forwarded (we await another task or future that will end our wait): nothing more to do.
      return true;
    }
    set(flag_withdrawn);
  }
  set(flag_must_cancel);
  return true;
}

int task_header::uncancel() noexcept {
  if (m_cancel_requests > 0) --m_cancel_requests;
  if (m_cancel_requests == 0) clear(flag_must_cancel);
  return m_cancel_requests;
}

void task_header::deliver_cancel() {
  if (has(flag_must_cancel) || has(flag_withdrawn)) {
    clear(static_cast<flag>(flag_must_cancel | flag_withdrawn));
    throw cancelled_error(cancel_message());
  }
}

void end_cancelled(task_header& t) noexcept {
  t.clear(static_cast<task_header::flag>(task_header::flag_must_cancel | task_header::flag_withdrawn));
  t.set_error(std::make_exception_ptr(cancelled_error(t.cancel_message())));
}

void task_header::finish() noexcept {
  set(flag_done);
  if (has(flag_error) && is_cancellation(error())) set(flag_cancelled);
  m_waiters.wake_all(this);
  if (!has(flag_future)) {
    loop_access::unregister_task(loop(), this);
    release();  // the loop's reference
  }
}

void task_header::release() noexcept {
  assert(m_refs > 0);
  if (--m_refs != 0) return;
  if (has(flag_error) && !has(flag_retrieved) && !has(flag_cancelled)) report_unretrieved();
  if (has(flag_extra)) {
    std::lock_guard<std::mutex> lock(g_extras_mutex);
    extras().erase(this);
  }
  frame().destroy();
}

void task_header::report_unretrieved() const noexcept {
  exception_context ctx;
  ctx.message =
      has(flag_future) ? "Future exception was never retrieved" : "Task exception was never retrieved";
  ctx.exception = error();
  try {
    ctx.task_name = name();
  } catch (...) {  // NOLINT(bugprone-empty-catch): a report without a name is still a report
  }
  if (event_loop* l = running_loop()) {
    l->call_exception_handler(ctx);
  } else {
    std::fprintf(stderr, "aio: %s (%s)\n", ctx.message.c_str(), ctx.task_name.c_str());
  }
}

std::string task_header::cancel_message() const {
  const task_extra* e = find_extra(this);
  return e != nullptr ? e->cancel_message : std::string();
}

std::string task_header::name() const {
  if (has(flag_future)) return "Future";
  auto* self = const_cast<task_header*>(this);
  task_extra& e = self->extra();
  if (!e.named) {
    // asyncio numbers tasks at creation; aio numbers them when a name is first needed, which keeps
    // unnamed tasks free of the string (see docs/asyncio-mapping.md).
    e.name = "Task-" + std::to_string(++g_task_counter);
    e.named = true;
  }
  return e.name;
}

void task_header::set_name(std::string name) {
  task_extra& e = extra();
  e.name = std::move(name);
  e.named = true;
}

void task_header::add_waiter(wait_node* n) noexcept { m_waiters.push_back(n); }
void task_header::remove_waiter(wait_node* n) noexcept { m_waiters.unlink(n); }

}  // namespace aio::detail
