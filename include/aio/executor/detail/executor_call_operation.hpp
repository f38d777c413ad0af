#pragma once
/// @file executor_call_operation.hpp
/// The awaitables of `to_thread` (lazy: submits at `co_await`) and `run_in_executor` (eager: submits
/// at the call, as asyncio): run a call on an executor's thread and resume the awaiting task with its
/// result (src/executor/executor_call.cpp).
///
/// Design note (the executor part of docs/design/combinators.md):
/// - At submission, the callable and its decay-copied arguments move into a job (the executor's own
///   allocation) and an `executor_call_link` is made. The link holds the outcome and is shared by the
///   awaitable and the job/completion, with an atomic count of two: it is the only object both threads
///   touch. No task or future header (whose counts are not atomic) is touched off the loop thread.
/// - The worker claims the call (`m_state`: pending -> running) before running it; a cancel that
///   claims it first (pending -> cancelled) means it never runs. Either way the worker stores the
///   outcome in the link, then posts a completion with `call_soon_threadsafe`; the loop's mutex orders
///   the worker's writes before the completion runs, so they happen-before the awaiter resumes.
/// - The completion (loop thread) marks the outcome arrived and wakes the awaiter if one is parked; an
///   eager call awaited after that does not suspend.
/// - `begin_external()` at submission and `end_external()` when the completion runs (on the loop
///   thread) keep virtual time from jumping while the thread works.
/// - Cancelling the awaiter withdraws it from the link (`m_waiter = nullptr`, loop thread only) and
///   wakes it at once; a call already running finishes in the background and its outcome is dropped
///   with the link. Dropping an eager call unawaited does the same without the cancel: it still runs.

#include <atomic>
#include <coroutine>
#include <cstdint>
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

  /// Worker: claims the call; false if a cancel claimed it first (then it must not run).
  bool try_start() noexcept {
    std::uint8_t expected = pending;
    // relaxed: only which side wins matters; the outcome is published by the loop's mutex.
    return m_state.compare_exchange_strong(expected, running, std::memory_order_relaxed);
  }
  /// Loop thread: a call that has not started will not run (asyncio cancels the concurrent future).
  void cancel_if_pending() noexcept {
    std::uint8_t expected = pending;
    m_state.compare_exchange_strong(expected, cancelled, std::memory_order_relaxed);
  }
  [[nodiscard]] bool was_cancelled() const noexcept {
    return m_state.load(std::memory_order_relaxed) == cancelled;
  }

  static constexpr std::uint8_t pending = 0;
  static constexpr std::uint8_t running = 1;
  static constexpr std::uint8_t cancelled = 2;

  std::atomic<int> m_refs{2};
  std::atomic<std::uint8_t> m_state{pending};
  bool m_arrived = false;                  ///< loop thread only: the completion has run
  executor_call_base* m_waiter = nullptr;  ///< loop thread only; nullptr while no awaiter is parked
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
      : m_link(link), m_f(std::in_place, std::move(f)), m_args(std::in_place, std::move(args)) {}
  void run() noexcept override {
    if (m_link->try_start()) {
      try {
        if constexpr (std::is_void_v<R>) {
          std::apply(std::move(*m_f), std::move(*m_args));
        } else {
          m_link->m_value.emplace(std::apply(std::move(*m_f), std::move(*m_args)));
        }
      } catch (...) {
        m_link->m_error = std::current_exception();
      }
    }
    // What the callable captured is released here, on the worker, before the awaiter can resume
    // (API.md: a lambda's captures are gone when the co_await returns).
    m_f.reset();
    m_args.reset();
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
  std::optional<F> m_f;
  std::optional<std::tuple<Args...>> m_args;
};

/// The untyped part of the awaitables.
class executor_call_base : public suspension {
 public:
  executor_call_base(event_loop* loop, executor* ex) noexcept : m_loop(loop), m_executor(ex) {}
  executor_call_base(executor_call_base&& o) noexcept
      : m_link(std::exchange(o.m_link, nullptr)), m_loop(o.m_loop), m_executor(o.m_executor) {}
  executor_call_base& operator=(executor_call_base&&) = delete;
  ~executor_call_base();

  /// Called by the completion (loop thread).
  void complete() noexcept;

 protected:
  /// Takes the current task; false if a cancel is pending (then nothing more is submitted, and a call
  /// already submitted but not started will not run).
  bool begin(std::coroutine_handle<> h);
  /// Submits `job` (whose outcome goes to `link`). After this, exactly one completion arrives: from the
  /// job's run, or from its destruction if the executor drops it.
  void start(executor_call_link* link, std::unique_ptr<executor::job> job) noexcept;
  /// Parks the task taken by `begin` until the completion or a cancel wakes it.
  void park() noexcept;
  [[nodiscard]] bool arrived() const noexcept { return m_link != nullptr && m_link->m_arrived; }
  /// Delivers the awaiter's cancellation, then rethrows the call's failure.
  void after_resume();
  executor_call_link* m_link = nullptr;

 private:
  static bool on_cancel(suspension* s, const std::string& msg) noexcept;
  event_loop* m_loop;
  executor* m_executor;
  task_header* m_self = nullptr;
  std::coroutine_handle<> m_handle;
};

/// `co_await to_thread(f, args...)`: lazy, movable until awaited; submits at `co_await`.
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
    start(link.release(), std::move(job));
    park();
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

/// What `run_in_executor` returns: the call is submitted when this is made (asyncio's
/// `loop.run_in_executor` returns a future already running). Await it once; it may be moved until
/// then, or dropped (the call still runs, its outcome is discarded).
template <class R>
class [[nodiscard]] executor_call_future : public executor_call_base {
 public:
  using result_type = R;

  template <class F, class... Args>
  executor_call_future(event_loop* loop, executor* ex, F f, std::tuple<Args...> args)
      : executor_call_base(loop, ex) {
    auto link = std::make_unique<executor_call_result<R>>();
    auto job = std::make_unique<executor_call_job<R, F, Args...>>(link.get(), std::move(f), std::move(args));
    start(link.release(), std::move(job));
  }
  executor_call_future(executor_call_future&&) noexcept = default;

  /// Done already (the outcome came back before the await): no suspension, as awaiting a done future.
  [[nodiscard]] bool await_ready() const noexcept { return arrived(); }
  bool await_suspend(std::coroutine_handle<> h) {
    if (!begin(h)) return false;
    park();
    return true;
  }
  R await_resume() {
    after_resume();
    if constexpr (!std::is_void_v<R>) {
      return std::move(*static_cast<executor_call_result<R>*>(m_link)->m_value);
    }
  }
};

}  // namespace aio::detail
