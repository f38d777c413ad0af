// Which library-side shapes of to_thread(f) avoid GCC PR 100611 on g++ 12.2?  Answer: none.
// Build: g++ -std=c++20 -DV=<1..13> -DCALL=<0..8> to_thread_shapes.cpp && ./a.out   (run.sh --explore runs
// all) V picks the library shape, CALL the user spelling; "BUG" = a capture destroyed without being
// constructed. V: 1 F&& -> aggregate awaiter{F}   2 F by value -> aggregate   3 const F& -> aggregate   4
// coroutine taking F
//    5 coroutine taking F&&   6 awaiter with await_ready() true   7 awaiter holding F*   8 CTAD class with a
//    ctor 9 CTAD aggregate (g++ only: clang 14 has no paren-init of aggregates)   10 non-aggregate awaiter
//    (ctor) 11 std::function<void()> parameter   12 object with operator co_await   13 like 1, noexcept
// CALL: 0 [state]  1 [s = state]  2 [s = std::move(state)]  3 [&]  4 [=]  5 [state]() mutable
//    6 named lambda passed as lvalue  7 named lambda std::move'd  8 [s = res(2)] (prvalue init-capture)
#include <coroutine>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
// task: lazy, awaitable, symmetric transfer
struct task {
  struct promise_type {
    std::coroutine_handle<> cont;
    task get_return_object() { return {std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_always initial_suspend() { return {}; }
    struct fin {
      bool await_ready() noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
        auto c = h.promise().cont;
        return c ? c : std::noop_coroutine();
      }
      void await_resume() noexcept {}
    };
    fin final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() { std::abort(); }
  };
  std::coroutine_handle<promise_type> h;
  task(std::coroutine_handle<promise_type> h) : h(h) {}
  task(task&& o) noexcept : h(std::exchange(o.h, {})) {}
  ~task() {
    if (h) h.destroy();
  }
  bool await_ready() { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> c) {
    h.promise().cont = c;
    return h;
  }
  void await_resume() {}
};
// res: tracks every live address; destroying a dead/unknown address is reported
inline std::set<const void*>& live() {
  static std::set<const void*> s;
  return s;
}
inline int bad = 0;
struct res {
  int id;
  explicit res(int i) : id(i) { live().insert(this); }
  res(const res& o) : id(o.id) { live().insert(this); }
  res(res&& o) noexcept : id(o.id) { live().insert(this); }
  ~res() {
    if (!live().erase(this)) {
      ++bad;
      std::printf("  BAD destroy of never-constructed %p\n", (const void*)this);
    }
  }
};
inline int report(const char* name) {
  std::printf("%-40s %s (bad=%d live=%zu)\n", name, bad || !live().empty() ? "BUG" : "ok", bad,
              live().size());
  return bad || !live().empty();
}
inline int drive(task t) {
  t.h.resume();
  return 0;
}
#include <functional>
// --- library-side shapes of to_thread (runs f synchronously in await_suspend / await_resume) ---
template <class F>
struct agg_awaiter {
  F f;
  bool await_ready() { return false; }
  bool await_suspend(std::coroutine_handle<>) {
    f();
    return false;
  }
  void await_resume() {}
};
template <class F>
struct ready_awaiter {
  F f;
  bool await_ready() { return true; }
  void await_suspend(std::coroutine_handle<>) {}
  void await_resume() { f(); }
};
template <class F>
struct ptr_awaiter {
  F* f;
  bool await_ready() { return false; }
  bool await_suspend(std::coroutine_handle<>) {
    (*f)();
    return false;
  }
  void await_resume() {}
};
template <class F>
class ctor_awaiter {
  F f_;

 public:
  template <class G>
  explicit ctor_awaiter(G&& g) : f_(std::forward<G>(g)) {}
  bool await_ready() { return false; }
  bool await_suspend(std::coroutine_handle<>) {
    f_();
    return false;
  }
  void await_resume() {}
};
template <class F>
struct deferred {
  F f;
  auto operator co_await() && { return agg_awaiter<F>{std::move(f)}; }
};
namespace lib {
#if V == 1
template <class F>
agg_awaiter<std::decay_t<F>> to_thread(F&& f) {
  return {std::forward<F>(f)};
}
#elif V == 2
template <class F>
agg_awaiter<F> to_thread(F f) {
  return {std::move(f)};
}
#elif V == 3
template <class F>
agg_awaiter<F> to_thread(const F& f) {
  return {f};
}
#elif V == 4
template <class F>
task to_thread(F f) {
  f();
  co_return;
}
#elif V == 5
template <class F>
task to_thread(F&& f) {
  f();
  co_return;
}
#elif V == 6
template <class F>
ready_awaiter<std::decay_t<F>> to_thread(F&& f) {
  return {std::forward<F>(f)};
}
#elif V == 7
template <class F>
ptr_awaiter<std::remove_reference_t<F>> to_thread(F&& f) {
  return {&f};
}
#elif V == 8
template <class F>
struct to_thread : ctor_awaiter<F> {
  using ctor_awaiter<F>::ctor_awaiter;
};
template <class G>
to_thread(G&&) -> to_thread<std::decay_t<G>>;
#elif V == 9
template <class F>
struct to_thread {
  F f;
  bool await_ready() { return false; }
  bool await_suspend(std::coroutine_handle<>) {
    f();
    return false;
  }
  void await_resume() {}
};
template <class G>
to_thread(G) -> to_thread<G>;
#elif V == 10
template <class F>
ctor_awaiter<std::decay_t<F>> to_thread(F&& f) {
  return ctor_awaiter<std::decay_t<F>>(std::forward<F>(f));
}
#elif V == 11
inline agg_awaiter<std::function<void()>> to_thread(std::function<void()> f) { return {std::move(f)}; }
#elif V == 12
template <class F>
deferred<std::decay_t<F>> to_thread(F&& f) {
  return {std::forward<F>(f)};
}
#elif V == 13
template <class F>
agg_awaiter<std::decay_t<F>> to_thread(F&& f) noexcept {
  return {std::forward<F>(f)};
}
#endif
}  // namespace lib
task body() {
  res state(1);
#if CALL == 0  // the user's spelling
  co_await lib::to_thread([state] { (void)state.id; });
#elif CALL == 1  // init-capture copy
  co_await lib::to_thread([s = state] { (void)s.id; });
#elif CALL == 2  // init-capture move
  co_await lib::to_thread([s = std::move(state)] { (void)s.id; });
#elif CALL == 3  // [&]
  co_await lib::to_thread([&] { (void)state.id; });
#elif CALL == 4  // [=]
  co_await lib::to_thread([=] { (void)state.id; });
#elif CALL == 5  // mutable lambda
  co_await lib::to_thread([state]() mutable { state.id++; });
#elif CALL == 6  // named lambda (control)
  auto l = [state] { (void)state.id; };
  co_await lib::to_thread(l);
#elif CALL == 7  // named lambda moved
  auto l = [state] { (void)state.id; };
  co_await lib::to_thread(std::move(l));
#elif CALL == 8  // prvalue init-capture
  co_await lib::to_thread([s = res(2)] { (void)s.id; });
#endif
}
int main() {
  drive(body());
  char n[64];
  std::snprintf(n, sizeof n, "V=%d CALL=%d", V, CALL);
  return report(n);
}
