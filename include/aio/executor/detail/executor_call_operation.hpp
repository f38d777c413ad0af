#pragma once
/// @file executor_call_operation.hpp
/// The awaiter of `to_thread` and `run_in_executor`: runs a call on an executor's thread and resumes
/// the awaiting task with its result (src/executor/executor_call.cpp).
///
/// Design note:
/// - At `co_await`, the callable and its decay-copied arguments move into a job (the executor's own
///   allocation) and an `executor_call_link` is made. The link holds the outcome and is shared by the
///   awaiter and the job/completion, with an atomic count of two: it is the only object both threads
///   touch. No task or future header (whose counts are not atomic) is touched off the loop thread.
/// - The worker stores the outcome in the link, then posts a completion with `call_soon_threadsafe`;
///   the loop's mutex orders the worker's writes before the completion runs, so they happen-before
///   the awaiter resumes.
/// - `begin_external()` at submission and `end_external()` when the completion runs (on the loop
///   thread) keep virtual time from jumping while the thread works.
/// - Cancelling the awaiter withdraws it from the link (`m_waiter = nullptr`, loop thread only) and
///   wakes it at once; the thread finishes in the background and its outcome is dropped with the link.

#include <atomic>
#include <coroutine>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "aio/detail/task_header.hpp"
#include "aio/executor/thread_pool.hpp"

namespace aio {
class event_loop;
}

namespace aio::detail {

class executor_call_base;

/// The outcome of one call, shared by the awaiter and the job (see the file comment).
class executor_call_link {
 public:
  executor_call_link() = default;
  executor_call_link(const executor_call_link&) = delete;
  executor_call_link& operator=(const executor_call_link&) = delete;
  virtual ~executor_call_link() = default;

  void release() noexcept {
    // acq_rel: the last owner (either thread) sees every write of the other before destroying.
    if (m_refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  std::atomic<int> m_refs{2};
  executor_call_base* m_waiter = nullptr;  ///< loop thread only; nullptr once the awaiter left
  event_loop* m_loop = nullptr;
  std::exception_ptr m_error;  ///< written by the worker before it posts the completion
};

template <class R>
class executor_call_result final : public executor_call_link {
 public:
  std::optional<R> m_value;
};
template <>
class executor_call_result<void> final : public executor_call_link {};

/// Posts the completion of `link` to its loop (any thread; consumes the job's reference). If the loop
/// is closed the completion is dropped with the reference.
void post_completion(executor_call_link* link) noexcept;
/// Stores "the executor dropped the call" in `link` (a job destroyed without running).
void set_dropped(executor_call_link* link) noexcept;

/// What a call yields: the callable's result, decayed (`void` stays `void`).
template <class F, class... Args>
using call_result_t = std::conditional_t<std::is_void_v<std::invoke_result_t<F&&, Args&&...>>, void,
                                         std::decay_t<std::invoke_result_t<F&&, Args&&...>>>;

template <class R, class F, class... Args>
class executor_call_job final : public executor::job {
 public:
  executor_call_job(executor_call_result<R>* link, F&& f, std::tuple<Args...>&& args)
      : m_link(link), m_f(std::move(f)), m_args(std::move(args)) {}
  void run() noexcept override {
    try {
      if constexpr (std::is_void_v<R>) {
        std::apply(std::move(m_f), std::move(m_args));
      } else {
        m_link->m_value.emplace(std::apply(std::move(m_f), std::move(m_args)));
      }
    } catch (...) {
      m_link->m_error = std::current_exception();
    }
    post_completion(std::exchange(m_link, nullptr));
  }
  ~executor_call_job() override {
    if (m_link == nullptr) return;
    // Destroyed without running (an executor shut down without waiting, or a failed submit): the
    // awaiter still gets exactly one completion, carrying the failure.
    set_dropped(m_link);
    post_completion(std::exchange(m_link, nullptr));
  }

 private:
  executor_call_result<R>* m_link;
  F m_f;
  std::tuple<Args...> m_args;
};

/// The untyped part of the awaiter.
class executor_call_base : public suspension {
 public:
  executor_call_base(event_loop* loop, executor* ex) noexcept : m_loop(loop), m_executor(ex) {}
  executor_call_base(executor_call_base&& o) noexcept : m_loop(o.m_loop), m_executor(o.m_executor) {}
  executor_call_base& operator=(executor_call_base&&) = delete;
  ~executor_call_base();

  /// Called by the completion (loop thread).
  void complete() noexcept;

 protected:
  /// Takes the current task; false if a cancel is pending (rule 2: nothing is submitted then).
  bool begin(std::coroutine_handle<> h);
  /// Submits `job` (whose outcome goes to `link`) and parks the task. After this, exactly one
  /// completion arrives: from the job's run, or from its destruction if the executor drops it.
  void submit(executor_call_link* link, std::unique_ptr<executor::job> job) noexcept;
  /// Delivers the awaiter's cancellation, then rethrows the call's failure.
  void after_resume() const;
  executor_call_link* m_link = nullptr;

 private:
  static bool on_cancel(suspension* s, const std::string& msg) noexcept;
  event_loop* m_loop;
  executor* m_executor;
  task_header* m_self = nullptr;
  std::coroutine_handle<> m_handle;
};

/// `co_await to_thread(f, args...)` / `run_in_executor(...)`: movable until awaited.
template <class F, class... Args>
class executor_call_operation : public executor_call_base {
 public:
  using result_type = call_result_t<F, Args...>;

  executor_call_operation(event_loop* loop, executor* ex, F f, std::tuple<Args...> args)
      : executor_call_base(loop, ex), m_f(std::move(f)), m_args(std::move(args)) {}
  executor_call_operation(executor_call_operation&&) noexcept(std::is_nothrow_move_constructible_v<F> &&
                                                              (std::is_nothrow_move_constructible_v<Args> &&
                                                               ...)) = default;

  [[nodiscard]] bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    if (!begin(h)) return false;
    auto link = std::make_unique<executor_call_result<result_type>>();
    auto job = std::make_unique<executor_call_job<result_type, F, Args...>>(link.get(), std::move(m_f),
                                                                            std::move(m_args));
    submit(link.release(), std::move(job));
    return true;
  }
  result_type await_resume() {
    after_resume();
    if constexpr (!std::is_void_v<result_type>) {
      return std::move(*static_cast<executor_call_result<result_type>*>(m_link)->m_value);
    }
  }

 private:
  F m_f;
  std::tuple<Args...> m_args;
};

}  // namespace aio::detail
