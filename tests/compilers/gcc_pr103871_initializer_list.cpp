// std::initializer_list inside a co_await statement.
//
// GCC PR 103871 (https://gcc.gnu.org/bugzilla/show_bug.cgi?id=103871), and the related PR 109227:
// when a statement contains co_await, g++ moves the temporaries of the statement into the coroutine
// frame; for the array behind a braced list it then emits an array assignment, which the front end
// rejects ("array used as initializer", reported at the coroutine's closing brace).
//
//   g++ -std=c++20 gcc_pr103871_initializer_list.cpp        # g++ 12.2: error: array used as initializer
//   clang++ -std=c++20 gcc_pr103871_initializer_list.cpp    # clang++ 14: compiles, prints "ok 6 2"
//
// Each of the two co_await statements below fails on its own (-DONLY_VECTOR keeps only the second, whose
// list elements have a destructor, the shape of PR 109227's test).
#include <coroutine>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <vector>

struct task {
  struct promise_type {
    task get_return_object() { return {}; }
    std::suspend_never initial_suspend() { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() {}
  };
};
struct ready {  // an awaiter that does not suspend, so the test runs without an event loop
  int v;
  bool await_ready() { return true; }
  void await_suspend(std::coroutine_handle<>) {}
  int await_resume() { return v; }
};
ready sum(std::initializer_list<int> l) {
  int s = 0;
  for (int x : l) s += x;
  return {s};
}
ready count(const std::vector<std::string>& v) { return {static_cast<int>(v.size())}; }

task body() {
#ifndef ONLY_VECTOR
  int s = co_await sum({1, 2, 3});  // std::initializer_list<int> parameter
#else
  int s = 6;
#endif
  int n = co_await count({"a", "b"});  // a braced list for a std::vector<std::string> parameter
  std::printf("%s %d %d\n", s == 6 && n == 2 ? "ok" : "FAIL", s, n);
}
int main() { body(); }
