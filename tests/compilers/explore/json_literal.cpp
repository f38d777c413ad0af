// Designs of a "json literal" parameter ({.json = {{"k", 1}}}) without std::initializer_list.
// Build: g++ -std=c++20 -DD=<1|2|3> json_literal.cpp && ./a.out   (also clang++; add -fsanitize=address)
//   D=1 one class whose composite ctors take the class itself: {{"k", 1}} does not compile on either
//       compiler ([over.best.ics]/4: a one-element list holding a braced list cannot use a user-defined
//       conversion to the class itself).
//   D=2 two alternating classes (node<0> takes node<1> elements and vice versa), one ctor with eight
//       defaulted const& parameters, keeping pointers to the reference-bound temporaries (they live to
//       the end of the full-expression, co_await included): compiles on both, right structure, trivially
//       destructible, ASan-clean inside a co_await statement on g++ 12.2.
//   D=3 like D=2 but owning (std::string/std::vector members): right structure, but as a member of a
//       braced options struct inside co_await, g++ 12.2 frees it twice (the aggregate-member bug).
// Objects: a list whose elements are all 2-lists starting with a string (nlohmann's rule); {} is null.
#include <coroutine>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#if D == 1
// D1: one class; composite ctors take the class itself (const J&), arities 1..4.
struct J {
  enum kind_t { null_k, bool_k, int_k, dbl_k, str_k, list_k } kind = null_k;
  bool b = false;
  long long i = 0;
  double d = 0;
  std::string_view s;
  const J* e[4] = {};
  int n = 0;
  J() = default;
  J(std::nullptr_t) {}
  J(bool v) : kind(bool_k), b(v) {}
  J(int v) : kind(int_k), i(v) {}
  J(double v) : kind(dbl_k), d(v) {}
  J(const char* v) : kind(str_k), s(v) {}
  J(const J& a) : kind(list_k), e{&a}, n(1) {}  // NB: also the copy ctor -- the root of D1's trouble
  J(const J& a, const J& b) : kind(list_k), e{&a, &b}, n(2) {}
  J(const J& a, const J& b, const J& c) : kind(list_k), e{&a, &b, &c}, n(3) {}
  J(const J& a, const J& b, const J& c, const J& d) : kind(list_k), e{&a, &b, &c, &d}, n(4) {}
};
using json_lit = J;
#elif D == 2 || D == 3
// D2: two alternating classes; node<P>'s composite ctors take node<1-P>, so a one-element list whose
// element is itself a braced list converts to the *other* class, which [over.best.ics]/4 allows.
// D2 keeps pointers to the element temporaries (trivially destructible view, valid to the end of the
// full-expression); D3 copies into an owning tree (std::vector/std::string: non-trivial destructor).
template <int P>
struct node;
template <int P>
struct node {
  using elem = node<1 - P>;
  enum kind_t { null_k, bool_k, int_k, dbl_k, str_k, list_k } kind = null_k;
  bool b = false;
  long long i = 0;
  double d = 0;
#if D == 2
  std::string_view s;
  const elem* e[8] = {};
  int n = 0;
  void add(const elem& x) { e[n++] = &x; }
#else
  std::string s;
  std::vector<node<0>> e;
  int n = 0;
  void add(const elem& x) {
    e.push_back(to0(x));
    ++n;
  }
  template <int Q>
  static node<0> to0(const node<Q>& x) {
    node<0> r;
    r.kind = static_cast<typename node<0>::kind_t>(x.kind);
    r.b = x.b;
    r.i = x.i;
    r.d = x.d;
    r.s = x.s;
    r.e = x.e;
    r.n = x.n;
    return r;
  }
#endif
  node() = default;
  node(std::nullptr_t) {}
  node(bool v) : kind(bool_k), b(v) {}
  node(int v) : kind(int_k), i(v) {}
  node(long long v) : kind(int_k), i(v) {}
  node(double v) : kind(dbl_k), d(v) {}
  node(const char* v) : kind(str_k), s(v) {}
  // a template, so that a braced list ({"k", 1}) can never pick std::string(const char*, size_t)
  template <class S, std::enable_if_t<std::is_same_v<S, std::string>, int> = 0>
  node(const S& v) : kind(str_k), s(v) {}
  // one ctor with defaulted trailing parameters covers arities 1..8
  static const elem& none() {
    static const elem x = mk_none();
    return x;
  }
  static elem mk_none() {
    elem x;
    x.kind = static_cast<typename elem::kind_t>(-1);
    return x;
  }
  node(const elem& a, const elem& b = none(), const elem& c = none(), const elem& d = none(),
       const elem& e5 = none(), const elem& f = none(), const elem& g = none(), const elem& h = none())
      : kind(list_k) {
    for (const elem* x : {&a, &b, &c, &d, &e5, &f, &g, &h})
      if (x != &none()) add(*x);
  }
};
using json_lit = node<0>;
#endif

template <class N>
void dump(const N& j, std::string& out);
template <class N>
bool is_pair(const N& j) {
  if (j.kind != N::list_k || j.n != 2) return false;
  return j.e[0]->kind == std::remove_pointer_t<std::decay_t<decltype(j.e[0])>>::str_k;
}
#if D == 3
template <>
bool is_pair(const node<0>& j) {
  return j.kind == node<0>::list_k && j.n == 2 && j.e[0].kind == node<0>::str_k;
}
template <>
bool is_pair(const node<1>& j) {
  return j.kind == node<1>::list_k && j.n == 2 && j.e[0].kind == node<0>::str_k;
}
#define EL(j, k) (j).e[k]
#else
#define EL(j, k) (*(j).e[k])
#endif
template <class N>
void dump(const N& j, std::string& out) {
  switch (j.kind) {
    case N::null_k:
      out += "null";
      break;
    case N::bool_k:
      out += j.b ? "true" : "false";
      break;
    case N::int_k:
      out += std::to_string(j.i);
      break;
    case N::dbl_k:
      out += std::to_string(j.d);
      break;
    case N::str_k:
      out += '"';
      out += j.s;
      out += '"';
      break;
    case N::list_k: {
      bool obj = j.n > 0;
      for (int k = 0; k < j.n; ++k) obj = obj && is_pair(EL(j, k));
      out += obj ? '{' : '[';
      for (int k = 0; k < j.n; ++k) {
        if (k) out += ',';
        if (obj) {
          dump(EL(EL(j, k), 0), out);
          out += ':';
          dump(EL(EL(j, k), 1), out);
        } else
          dump(EL(j, k), out);
      }
      out += obj ? '}' : ']';
      break;
    }
    default:
      out += "?";
  }
}
static int fails = 0;
void check(const json_lit& j, const char* want, const char* src) {
  std::string got;
  dump(j, got);
  bool ok = got == want;
  if (!ok) ++fails;
  std::printf("  %-4s %-48s -> %s%s%s\n", ok ? "ok" : "FAIL", src, got.c_str(), ok ? "" : "  want ",
              ok ? "" : want);
}
#define T(want, ...) check(json_lit __VA_ARGS__, want, #__VA_ARGS__)

// inside a co_await statement, as a member of a braced options aggregate
struct task {
  struct promise_type {
    task get_return_object() { return {std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_never initial_suspend() { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() { std::abort(); }
  };
  std::coroutine_handle<promise_type> h;
};
struct opts {
  json_lit json{};
  int timeout = 0;
};
struct post_awaiter {
  std::string body;
  bool await_ready() { return false; }
  bool await_suspend(std::coroutine_handle<>) { return false; }
  std::string await_resume() { return body; }
};
post_awaiter post(const char*, const opts& o) {
  std::string s;
  dump(o.json, s);
  return {s};
}
task coro() {
  std::string r1 = co_await post("u", {.json = {{"k", 1}}});
  std::string r2 = co_await post("u", {.json = {{"a", {1, 2, 3}}, {"b", {{"c", true}}}}});
  std::string r3 = co_await post("u", {.json = {{"x", "y"}}, .timeout = 5});
  int ok = r1 == R"({"k":1})" && r2 == R"({"a":[1,2,3],"b":{"c":true}})" && r3 == R"({"x":"y"})";
  std::printf("  %-4s inside co_await: %s %s %s\n", ok ? "ok" : "FAIL", r1.c_str(), r2.c_str(), r3.c_str());
  fails += !ok;
}

int main() {
  std::printf("D=%d trivially destructible: %d\n", D, (int)std::is_trivially_destructible_v<json_lit>);
  T("5", {5});
  T(R"("s")", {"s"});
  T(R"({"k":1})", {{"k", 1}});
  T(R"(["k",1])", {"k", 1});
  T("[1,2,3]", {1, 2, 3});
  T("[[1,2]]", {{1, 2}});
  T(R"({"a":[1,2,3],"b":{"c":true}})", {{"a", {1, 2, 3}}, {"b", {{"c", true}}}});
  T(R"({"a":{"b":{"c":null}}})", {{"a", {{"b", {{"c", nullptr}}}}}});
  T(R"({"x":1,"y":"z"})", {{"x", 1}, {"y", "z"}});
  T(R"({"a":null})", {{"a", {}}});
  coro();
  return fails != 0;
}
