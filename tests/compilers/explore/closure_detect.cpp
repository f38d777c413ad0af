// Can aio tell, at compile time, that to_thread(f) got an inline capturing lambda (the GCC PR 100611
// spelling) and refuse it on g++ only?  Yes: __PRETTY_FUNCTION__ names a closure type "<lambda" on g++
// ("(lambda at" on clang), and is usable in a constant expression on both.
// Build: g++ -std=c++20 closure_detect.cpp            # compiles, prints the name
//        g++ -std=c++20 -DREJECT closure_detect.cpp   # static_assert fires (g++ only; clang compiles it)
// Limits: an rvalue closure is rejected even when it is safe (co_await to_thread(std::move(named)),
// or a to_thread(...) call outside any co_await); a callable wrapped before the call (std::function) is
// not seen; the version bound below is a placeholder until the fixing release is confirmed.
#include <cstdio>
#include <memory>
#include <string_view>
#include <type_traits>
#include <utility>
// Is F a lambda closure type?  The compiler's own spelling of the type, read at compile time.
template <class F>
constexpr std::string_view type_name() {
#if defined(__clang__)
  std::string_view n = __PRETTY_FUNCTION__;  // "... [F = (lambda at file:line:col)]"
#else
  std::string_view n = __PRETTY_FUNCTION__;  // "... [with F = body()::<lambda()>; ...]"
#endif
  return n;
}
template <class F>
constexpr bool is_closure_v =
#if defined(__clang__)
    type_name<F>().find("(lambda at ") != std::string_view::npos;
#else
    type_name<F>().find("<lambda") != std::string_view::npos;
#endif
// What g++ 12 gets wrong: a closure with a capture whose destructor matters, made inside the co_await
// statement.
template <class F>
constexpr bool hits_pr100611_v =
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 99 /* placeholder: fixed-in version */
    is_closure_v<std::remove_cvref_t<F>> && !std::is_trivially_destructible_v<std::remove_cvref_t<F>> &&
    !std::is_lvalue_reference_v<F>;
#else
    false;
#endif
template <class F>
int to_thread(F&& f) {
  static_assert(
      !hits_pr100611_v<F>,
      "g++ < 13 destroys the by-copy captures of a lambda written inside a co_await statement twice "
      "(GCC PR 100611): name the lambda first, or pass what it needs as arguments: to_thread(f, args...)");
  return f();
}
struct functor {
  std::shared_ptr<int> p;
  int operator()() const { return *p; }
};
int main() {
  auto sp = std::make_shared<int>(1);
  int n = 0;
  static_assert(is_closure_v<decltype([] {})>);
  static_assert(is_closure_v<decltype([sp] { return *sp; })>);
  static_assert(!is_closure_v<functor>);
  static_assert(!is_closure_v<int (*)()>);
  static_assert(!is_closure_v<std::shared_ptr<int>>);
  n += to_thread([] { return 1; });       // no capture: fine
  n += to_thread([&] { return *sp; });    // by reference: trivially destructible closure: fine
  n += to_thread([x = 1] { return x; });  // trivially destructible capture: fine
  n += to_thread(functor{sp});            // not a lambda: fine
  auto named = [sp] { return *sp; };
  n += to_thread(named);  // lvalue: the closure was made outside the statement: fine
#ifdef REJECT
  n += to_thread([sp] { return *sp; });  // rejected on g++
#endif
  std::printf("n=%d %.*s\n", n, (int)type_name<decltype(named)>().size(),
              type_name<decltype(named)>().data());
}
