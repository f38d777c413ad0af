// The awaitables of to_thread / run_in_executor: submission on the loop thread, completion posted back
// with call_soon_threadsafe. See executor_call_operation.hpp for who touches what on which thread.

#include <stdexcept>

#include "aio/errors.hpp"
#include "aio/executor/detail/executor_call_operation.hpp"
#include "aio/runtime/event_loop.hpp"

namespace aio::detail {

namespace {
/// The callback that brings a call's outcome back to the loop. It owns the job's reference to the
/// link: dropped unrun (the loop closed), it just releases it, on whatever thread drops it.
class completion {
 public:
  explicit completion(executor_call_link* link) noexcept : m_link(link) {}
  completion(completion&& o) noexcept : m_link(std::exchange(o.m_link, nullptr)) {}
  completion& operator=(completion&&) = delete;
  ~completion() {
    if (m_link != nullptr) m_link->release();
  }
  void operator()() {  // loop thread
    m_link->m_loop->end_external();
    m_link->m_arrived = true;
    if (executor_call_base* w = std::exchange(m_link->m_waiter, nullptr)) w->complete();
  }

 private:
  executor_call_link* m_link;
};
}  // namespace

void post_completion(executor_call_link* link) noexcept {
  event_loop* loop = link->m_loop;
  try {
    loop->call_soon_threadsafe(completion(link));
  } catch (...) {  // NOLINT(bugprone-empty-catch): the loop is closed; the link was released with the item
  }
}

void set_dropped(executor_call_link* link) noexcept {
  link->m_error = std::make_exception_ptr(
      std::runtime_error("aio: the executor dropped the call without running it (shut down?)"));
}

executor_call_base::~executor_call_base() {
  if (m_link != nullptr) {
    m_link->m_waiter = nullptr;
    m_link->release();
  }
}

bool executor_call_base::begin(std::coroutine_handle<> h) {
  m_self = current_task_header();
  if (m_self == nullptr)
    throw std::runtime_error("aio: to_thread()/run_in_executor() awaited outside any aio task");
  if (m_self->has(task_header::flag_must_cancel)) {
    // The cancel is delivered at this await, so it cancels the awaited call (asyncio cancels the
    // future the task waits on): an eager call that has not started will not run.
    if (m_link != nullptr) m_link->cancel_if_pending();
    return false;
  }
  m_handle = h;
  return true;
}

void executor_call_base::start(executor_call_link* link, std::unique_ptr<executor::job> job) noexcept {
  m_link = link;
  link->m_loop = m_loop;
  m_loop->begin_external();
  try {
    m_executor->submit(std::move(job));
  } catch (...) {  // NOLINT(bugprone-empty-catch): the dropped job already posted its failure
  }
}

void executor_call_base::park() noexcept {
  m_link->m_waiter = this;
  m_self->m_resume = m_handle;
  m_self->m_suspended = this;
  m_cancel = &on_cancel;
}

void executor_call_base::complete() noexcept { m_self->wake(); }

bool executor_call_base::on_cancel(suspension* s, const std::string& /*msg*/) noexcept {
  auto* self = static_cast<executor_call_base*>(s);
  // Not started: it never runs. Running: it finishes in the background; its outcome is dropped.
  self->m_link->cancel_if_pending();
  self->m_link->m_waiter = nullptr;
  self->m_self->wake();
  return false;  // delivered by after_resume()
}

void executor_call_base::after_resume() {
  // Cleared so that a later await that does not suspend never touches a task that may be gone.
  if (task_header* self = std::exchange(m_self, nullptr)) self->deliver_cancel();
  if (m_link == nullptr) return;
  if (m_link->was_cancelled()) throw cancelled_error();
  if (m_link->m_error) std::rethrow_exception(m_link->m_error);
}

}  // namespace aio::detail
