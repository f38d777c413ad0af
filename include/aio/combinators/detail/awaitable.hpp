#pragma once
/// @file awaitable.hpp
/// What the combinators need to know about "any aio awaitable", and how they turn one into a task.
///
/// Design note (docs/design/combinators.md):
/// - An awaitable is a coro, a task/future/task_handle, or an object with `operator co_await` or the
///   three `await_*` members (the primitives' awaiter objects, `aio::sleep(...)`, another combinator).
/// - Combinators that run their argument concurrently (gather, shield, as_completed) need a task:
///   a coro becomes one with `create_task`; a task/future is used as is; any other awaitable is awaited
///   by a small helper task. A movable rvalue awaitable is moved into the helper's frame ("owned"); a
///   non-movable one (a lock's `acquire()`) or an lvalue is awaited in place ("borrowed"). A borrowed
///   object lives in the caller's frame, so the combinator never resumes its caller while a helper
///   still uses it (see gather and shield).
/// - `spawned::task` carries one reference that the combinator releases when it is done with it.

#include <concepts>
#include <coroutine>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <variant>

#include "aio/detail/result_slot.hpp"
#include "aio/errors.hpp"
#include "aio/task/coro.hpp"
#include "aio/task/future.hpp"
#include "aio/task/task.hpp"
#include "aio/task/task_handle.hpp"

namespace aio::detail {

template <class A>
concept has_member_co_await = requires(A&& a) {
  static_cast<A&&>(a).operator co_await();
};

template <class A>
concept is_awaiter = requires(A& a) {
  { a.await_ready() } -> std::convertible_to<bool>;
  a.await_resume();
};

/// Anything `co_await` accepts in an aio coroutine (free `operator co_await` is not looked for).
template <class A>
concept awaitable = has_member_co_await<A> || is_awaiter<std::remove_reference_t<A>>;

/// The awaiter `co_await a` uses: the result of `operator co_await`, or `a` itself (by reference).
template <class A>
decltype(auto) get_awaiter(A&& a) {
  if constexpr (has_member_co_await<A>) {
    return static_cast<A&&>(a).operator co_await();
  } else {
    return static_cast<A&&>(a);
  }
}

template <class A>
using awaiter_t = decltype(get_awaiter(std::declval<A>()));
/// What `co_await a` yields, cv-ref removed (combinators return values, never references).
template <class A>
using await_result_t =
    std::remove_cvref_t<decltype(std::declval<std::remove_reference_t<awaiter_t<A>>&>().await_resume())>;

template <class T>
using value_or_monostate = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

template <class T>
inline constexpr bool is_coro_v = false;
template <class T>
inline constexpr bool is_coro_v<coro<T>> = true;

template <class T>
inline constexpr bool is_typed_handle_v = false;
template <class T>
inline constexpr bool is_typed_handle_v<task<T>> = true;
template <class T>
inline constexpr bool is_typed_handle_v<future<T>> = true;

/// A task or future of any result type (what `wait` accepts).
template <class H>
inline constexpr bool is_handle_v = is_typed_handle_v<H> || std::is_same_v<H, task_handle>;

/// The awaiter of `A`, held in place: `co_await` on a prvalue awaiter that cannot move (a join) or a
/// reference to `A` itself when it is its own awaiter.
template <class A>
class awaiter_holder {
  using raw = awaiter_t<A&&>;

 public:
  using type = std::remove_reference_t<raw>;
  awaiter_holder() noexcept {}  // NOLINT(modernize-use-equals-default): the union stays unconstructed
  awaiter_holder(const awaiter_holder&) = delete;
  awaiter_holder& operator=(const awaiter_holder&) = delete;
  ~awaiter_holder() { reset(); }

  [[nodiscard]] bool engaged() const noexcept { return m_engaged; }
  void emplace(A&& a) {
    if constexpr (std::is_reference_v<raw>) {
      m_ptr = std::addressof(a);
    } else {
      ::new (static_cast<void*>(std::addressof(m_value))) type(get_awaiter(static_cast<A&&>(a)));
    }
    m_engaged = true;
  }
  type& get() noexcept {
    if constexpr (std::is_reference_v<raw>) {
      // emplace() set it; clang-tidy's analyzer loses the union's active member across a coroutine's
      // suspension (seen through wait_for in src/http/client/session_state.cpp).
      return *m_ptr;  // NOLINT(clang-analyzer-core.uninitialized.UndefReturn)
    } else {
      return m_value;
    }
  }
  void reset() noexcept {
    if constexpr (!std::is_reference_v<raw>) {
      if (m_engaged) std::destroy_at(std::addressof(m_value));
    }
    m_engaged = false;
  }

 private:
  union {
    type* m_ptr;
    type m_value;
  };
  bool m_engaged = false;
};

/// How a combinator sees one child: the value it yields and where that value is read from.
template <class A>
struct child_traits {  // any other awaitable: awaited by a helper task returning coro<R>
  using result_type = await_result_t<A&&>;
  using value_type = value_or_monostate<result_type>;
  using promise_type = promise<result_type>;
  static constexpr bool owns = true;  ///< the combinator made the task: it may move the value out
};
template <class T>
struct child_traits<coro<T>> {
  using result_type = T;
  using value_type = value_or_monostate<T>;
  using promise_type = promise<T>;
  static constexpr bool owns = true;
};
template <class T>
struct child_traits<task<T>> {
  using result_type = T;
  using value_type = value_or_monostate<T>;
  using promise_type = promise<T>;
  static constexpr bool owns = false;
};
template <class T>
struct child_traits<future<T>> : child_traits<task<T>> {};
template <>
struct child_traits<task_handle> {
  using result_type = void;
  using value_type = std::monostate;
  using promise_type = void;
  static constexpr bool owns = false;
};

/// A task or future given as an rvalue: its value is moved out, as `co_await std::move(t)` does.
template <class Traits>
struct moving_traits : Traits {
  static constexpr bool owns = true;
};

template <class A>
using child_traits_t =
    std::conditional_t<is_typed_handle_v<std::remove_cvref_t<A>> && !std::is_lvalue_reference_v<A>,
                       moving_traits<child_traits<std::remove_cvref_t<A>>>,
                       child_traits<std::remove_cvref_t<A>>>;

/// The value of a finished child, or its failure rethrown (marking it retrieved).
template <class Traits>
typename Traits::value_type child_value(task_header* h) {
  using P = typename Traits::promise_type;
  if constexpr (std::is_void_v<P>) {
    rethrow_if_error(*h);
    return std::monostate{};
  } else if constexpr (std::is_void_v<typename Traits::result_type>) {
    take_result<void, false>(*static_cast<P*>(h));
    return std::monostate{};
  } else {
    return take_result<typename Traits::result_type, Traits::owns>(*static_cast<P*>(h));
  }
}

/// A child turned into a task: the task (one counted reference) and whether it borrows the argument.
struct spawned {
  task_header* task = nullptr;
  bool borrowed = false;
};

template <class R, class A>
coro<R> await_owned(A a) {
  if constexpr (std::is_void_v<R>) {
    co_await std::move(a);
  } else {
    co_return co_await std::move(a);
  }
}

template <class R, class A>
coro<R> await_borrowed(std::remove_reference_t<A>* a) {
  if constexpr (std::is_void_v<R>) {
    co_await static_cast<A&&>(*a);
  } else {
    co_return co_await static_cast<A&&>(*a);
  }
}

template <class T>
spawned adopt(task<T> t) {
  task_header* h = t.header();
  h->add_ref();  // `t` drops its own reference on return
  return {h, false};
}

/// Makes `a` a task the combinator can wait on (coros and awaiters are scheduled now, left to right).
template <class A>
spawned spawn_child(A&& a) {
  using D = std::remove_cvref_t<A>;
  if constexpr (is_coro_v<D>) {
    static_assert(!std::is_lvalue_reference_v<A>,
                  "aio: a combinator takes ownership of a coro: pass it as an rvalue (std::move(c))");
    return adopt(create_task(std::forward<A>(a)));
  } else if constexpr (is_handle_v<D>) {
    task_header* h = a.header();
    if (h == nullptr) throw invalid_state_error("aio: a combinator was given an empty task or future handle");
    h->add_ref();
    return {h, false};
  } else if constexpr (!std::is_lvalue_reference_v<A> && std::is_move_constructible_v<D>) {
    return adopt(create_task(await_owned<await_result_t<A&&>, D>(std::forward<A>(a))));
  } else {
    spawned s = adopt(create_task(await_borrowed<await_result_t<A&&>, A>(std::addressof(a))));
    s.borrowed = true;
    return s;
  }
}

/// Like `spawn_child`, for an element of a range: coros and awaiter objects are consumed (moved from)
/// even when the range is an lvalue, tasks and futures are shared.
template <class E>
spawned spawn_element(E&& e) {
  using D = std::remove_cvref_t<E>;
  if constexpr (is_handle_v<D>) {
    return spawn_child(static_cast<const D&>(e));
  } else {
    static_assert(
        std::is_move_constructible_v<D>,
        "aio: the awaitables of a range must be movable (coros, tasks, futures, or awaiters that move)");
    return spawn_child(static_cast<D&&>(e));
  }
}

}  // namespace aio::detail
