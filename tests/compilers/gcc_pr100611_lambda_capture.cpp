// A lambda with a by-copy capture, written inside a co_await statement, has the capture destroyed twice.
//
// GCC PR 100611 (https://gcc.gnu.org/bugzilla/show_bug.cgi?id=100611; PR 101367 is the co_yield twin):
// g++ copy-constructs the capture into a coroutine-frame temporary, copies those bytes into the closure
// without a constructor call, and destroys both. With a std::shared_ptr capture that is one decrement
// too many (use-after-free); with a std::string it frees a buffer twice or frees frame memory.
//
//   g++ -std=c++20 gcc_pr100611_lambda_capture.cpp && ./a.out       # g++ 12.2: "FAIL ..." exit 1
//   clang++ -std=c++20 gcc_pr100611_lambda_capture.cpp && ./a.out   # clang++ 14: "ok ..." exit 0
//
// Same result at -O0..-O3/-Os and with -fno-exceptions. The lambda named before the statement
// (auto l = [c] {...}; co_await run(l);) and [&] captures are not affected.
#include <coroutine>
#include <cstdio>
#include <utility>

static int constructed = 0, destroyed = 0;
struct counted {
  counted() { ++constructed; }
  counted(const counted&) { ++constructed; }
  counted(counted&&) noexcept { ++constructed; }
  ~counted() { ++destroyed; }
};

struct task {
  struct promise_type {
    task get_return_object() { return {std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_always initial_suspend() { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() {}
  };
  std::coroutine_handle<promise_type> h;
};
// What a to_thread-like function returns: an awaiter owning the callable, which suspends and runs it.
template <class F>
struct run_awaiter {
  F f;
  bool await_ready() { return false; }
  bool await_suspend(std::coroutine_handle<>) {
    f();
    return false;
  }  // false: resume at once
  void await_resume() {}
};
template <class F>
run_awaiter<F> run(F f) {
  return {std::move(f)};
}

task body() {
  counted c;
  co_await run([c] { (void)c; });  // the spelling users write
}
int main() {
  task t = body();
  t.h.resume();
  t.h.destroy();
  bool ok = constructed == destroyed;
  std::printf("%s constructed=%d destroyed=%d\n", ok ? "ok" : "FAIL", constructed, destroyed);
  return ok ? 0 : 1;
}
