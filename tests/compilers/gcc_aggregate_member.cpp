// A braced aggregate argument (an options struct) inside a co_await statement: every member whose
// destructor is not trivial is destroyed twice, however the member is initialised (copy of an lvalue,
// prvalue, converting constructor such as std::string from a literal).
//
// The same frame-temporary promotion as GCC PR 100611 (a lambda closure is initialised like an
// aggregate); no separate bugzilla entry for the aggregate spelling was confirmed.
//
//   g++ -std=c++20 gcc_aggregate_member.cpp && ./a.out       # g++ 12.2: "FAIL ..." exit 1 (each case)
//   clang++ -std=c++20 gcc_aggregate_member.cpp && ./a.out   # clang++ 14: "ok ..." exit 0
//
// Members that are trivially destructible (ints, enums, pointers, std::string_view, durations,
// std::optional<int>) are not affected: destroying their copy twice does nothing.
#include <coroutine>
#include <cstdio>
#include <utility>

static int constructed = 0, destroyed = 0;
struct counted {
  int v = 0;
  counted(int x) : v(x) { ++constructed; }  // converting: {.c = 1}
  counted(const counted& o) : v(o.v) { ++constructed; }
  counted(counted&& o) noexcept : v(o.v) { ++constructed; }
  ~counted() { ++destroyed; }
};
struct options {
  counted c{0};
  int limit = 5;  // trivially destructible: harmless
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
struct suspend_and_continue {
  bool await_ready() { return false; }
  bool await_suspend(std::coroutine_handle<>) { return false; }
  void await_resume() {}
};
suspend_and_continue request(const char*, const options& o) {
  (void)o;
  return {};
}

task body() {
  counted lvalue(7);
  co_await request("copy", {.c = lvalue});         // copy of an lvalue
  co_await request("prvalue", {.c = counted(8)});  // prvalue
  co_await request("convert", {.c = 9});           // converting constructor
}
int main() {
  task t = body();
  t.h.resume();
  t.h.destroy();
  bool ok = constructed == destroyed;
  std::printf("%s constructed=%d destroyed=%d\n", ok ? "ok" : "FAIL", constructed, destroyed);
  return ok ? 0 : 1;
}
