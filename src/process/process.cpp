// aio::process: the handle, the wait() awaiter and communicate().

#include "aio/process/process.hpp"

#include <cerrno>
#include <csignal>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "aio/combinators/task_group.hpp"
#include "aio/errors.hpp"
#include "aio/task/task.hpp"
#include "process_state.hpp"

namespace aio {

namespace detail {

process_wait_operation::process_wait_operation(process_state* s) noexcept : m_state(s) {
  m_cancel = &on_cancel;
  m_wake = &on_exit;
  m_state->add_ref();
}

process_wait_operation::process_wait_operation(process_wait_operation&& o) noexcept
    : m_state(std::exchange(o.m_state, nullptr)) {  // moved before it is awaited: nothing is linked
  m_cancel = &on_cancel;
  m_wake = &on_exit;
}

process_wait_operation::~process_wait_operation() {
  if (m_state == nullptr) return;
  if (m_linked) {  // a frame destroyed while parked (loop close)
    m_state->m_waiters.unlink(this);
    if (m_state->m_waiters.empty()) m_state->unwatch();
  }
  m_state->release();
}

bool process_wait_operation::await_ready() { return m_state->poll(); }

bool process_wait_operation::await_suspend(std::coroutine_handle<> h) {
  task_header* t = current_task_header();
  if (t == nullptr) throw std::runtime_error("aio: process::wait() awaited outside any aio task");
  m_task = t;
  if (t->has(task_header::flag_must_cancel)) {
    m_withdrawn = true;  // await_resume delivers the pending cancel
    return false;
  }
  m_state->watch();  // may find the child already gone: then there is nothing to wait for
  if (m_state->m_returncode) return false;
  t->m_resume = h;
  m_state->m_waiters.push_back(this);
  m_linked = true;
  t->m_suspended = this;
  return true;
}

int process_wait_operation::await_resume() {
  if (m_withdrawn) {
    m_withdrawn = false;
    m_task->deliver_cancel();
  }
  if (m_state->m_returncode) return *m_state->m_returncode;
  if (m_state->m_watch_error != 0) {
    throw std::system_error(m_state->m_watch_error, std::generic_category(),
                            "aio: waiting for process " + std::to_string(m_state->m_pid) + " failed");
  }
  throw std::logic_error("aio: process::wait() resumed without an exit status");
}

bool process_wait_operation::on_cancel(suspension* s, const std::string& /*msg*/) {
  auto* self = static_cast<process_wait_operation*>(s);
  if (self->m_linked) {
    self->m_state->m_waiters.unlink(self);
    self->m_linked = false;
    if (self->m_state->m_waiters.empty()) self->m_state->unwatch();
  }
  self->m_withdrawn = true;
  self->m_task->wake();
  return false;  // withdrawn: the task delivers the cancel when it resumes
}

void process_wait_operation::on_exit(wait_node* n) {
  auto* self = static_cast<process_wait_operation*>(n);
  self->m_linked = false;
  self->m_task->wake();
}

}  // namespace detail

namespace {

coro<> feed_stdin(stream_writer w, std::string input) {
  // As asyncio's Process._feed_stdin: a child that exits without reading its input is not an error.
  try {
    if (!input.empty()) {
      w.write(input);
      co_await w.drain();
    }
  } catch (const std::system_error& e) {
    if (e.code().value() != EPIPE && e.code().value() != ECONNRESET) throw;
  }
  w.close();  // the queued rest is flushed, then the child sees the end of its input
}

coro<> read_to_end(stream_reader r, std::string* out) { *out = co_await r.read(); }

coro<communicate_result> communicate_impl(process p, std::string input) {
  communicate_result res;
  // The three streams move concurrently (a child blocked writing a full stdout pipe while we block
  // writing its stdin would deadlock); the group cancels and awaits them all if we are cancelled.
  auto body = [&p, &res, &input](task_group& tg) -> coro<> {
    if (p.has_stdin()) tg.create_task(feed_stdin(p.stdin_(), std::move(input)), "communicate stdin");
    if (p.has_stderr()) tg.create_task(read_to_end(p.stderr_(), &res.stderr_), "communicate stderr");
    if (p.has_stdout()) res.stdout_ = co_await p.stdout_().read();
  };
  std::exception_ptr failure;
  try {
    co_await task_group::run(std::move(body));
  } catch (const exception_group& g) {
    failure = g.exceptions().empty() ? std::current_exception() : g.exceptions().front();
  }
  if (failure) std::rethrow_exception(failure);  // the first failure itself, as asyncio's gather
  co_await p.wait();
  co_return res;
}

[[noreturn]] void throw_not_a_pipe(const char* which) {
  throw std::logic_error(std::string("aio: the process's ") + which + " is not a pipe (start it with ." +
                         which + " = aio::pipe)");
}

}  // namespace

process::process(detail::process_state* s) noexcept : m_state(s) {}

process::process(const process& o) noexcept : m_state(o.m_state) {
  if (m_state != nullptr) m_state->add_ref();
}

process::~process() {
  if (m_state != nullptr) m_state->release();
}

int process::pid() const noexcept { return m_state->m_pid; }

std::optional<int> process::returncode() const {
  m_state->poll();
  return m_state->m_returncode;
}

detail::process_wait_operation process::wait() const noexcept {
  return detail::process_wait_operation(m_state);
}

coro<communicate_result> process::communicate(std::string input) const {
  return communicate_impl(*this, std::move(input));
}

coro<communicate_result> process::communicate() const { return communicate_impl(*this, std::string()); }

namespace {
// Takes a copy of the handle: the coroutine does not depend on the `process` it was called on.
coro<> aclose_impl(process p) { (void)co_await p.communicate(); }
}  // namespace

coro<> process::aclose() const { return aclose_impl(*this); }

void process::send_signal(int sig) const { m_state->send_signal(sig); }
void process::terminate() const { m_state->send_signal(SIGTERM); }
void process::kill() const { m_state->send_signal(SIGKILL); }

stream_writer& process::stdin_() const {
  if (!m_state->m_stdin.valid()) throw_not_a_pipe("stdin_");
  return m_state->m_stdin;
}

stream_reader& process::stdout_() const {
  if (!m_state->m_stdout.valid()) throw_not_a_pipe("stdout_");
  return m_state->m_stdout;
}

stream_reader& process::stderr_() const {
  if (!m_state->m_stderr.valid()) throw_not_a_pipe("stderr_");
  return m_state->m_stderr;
}

bool process::has_stdin() const noexcept { return m_state->m_stdin.valid(); }
bool process::has_stdout() const noexcept { return m_state->m_stdout.valid(); }
bool process::has_stderr() const noexcept { return m_state->m_stderr.valid(); }

}  // namespace aio
