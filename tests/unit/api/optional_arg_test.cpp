// aio::optional_arg and the braced argument forms users write inside co_await (docs/design/compilers.md).
// Built with g++ 12 these tests run the compiler's faulty path itself: a braced options temporary inside
// a co_await statement. Under ASan (the asan-ubsan preset) a double release fails them.

#include <gtest/gtest.h>

#include <aio/aio.hpp>
#include <aio/optional_arg.hpp>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <vector>

#include "test_support.hpp"

namespace {

struct counted_options {
  aio::optional_arg<std::shared_ptr<int>> shared{};
  aio::optional_arg<std::string> name{};
  int limit = 5;
};

aio::coro<long> use_count_inside(counted_options o) {
  co_await aio::sleep(std::chrono::seconds(0));
  co_return o.shared ? o.shared->use_count() : 0;
}

aio::coro<std::string> name_inside(counted_options o) {
  co_await aio::sleep(std::chrono::seconds(0));
  co_return o.name.value_or("none");
}

std::shared_ptr<int> make_shared_int() { return std::make_shared<int>(7); }

}  // namespace

TEST(optional_arg, behaves_as_an_optional) {
  aio::optional_arg<std::string> a;
  EXPECT_FALSE(a);
  EXPECT_THROW((void)a.value(), std::bad_optional_access);
  a = std::string("long enough to live on the heap, not in the small buffer");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->size(), 56U);
  aio::optional_arg<std::string> b = a;
  aio::optional_arg<std::string> c = std::move(a);
  EXPECT_EQ(*b, *c);
  c = std::nullopt;
  EXPECT_FALSE(c);
  EXPECT_EQ(c.value_or("fallback"), "fallback");
}

// g++ 12's byte copy, by hand (docs/design/compilers.md, Bug 1): the copy must neither release nor
// steal what it shows.
TEST(optional_arg, a_byte_copy_does_not_release_the_value) {
  auto p = std::make_shared<int>(1);
  using arg = aio::optional_arg<std::shared_ptr<int>>;
  {
    arg original = p;
    EXPECT_EQ(p.use_count(), 2);
    alignas(arg) unsigned char bytes[sizeof(arg)];
    std::memcpy(bytes, static_cast<const void*>(&original), sizeof(arg));
    arg& twin = *std::launder(reinterpret_cast<arg*>(bytes));
    EXPECT_EQ(**twin, 1);
    arg moved_from_twin = std::move(twin);  // copies: the twin does not own what it shows
    EXPECT_EQ(p.use_count(), 3);
    EXPECT_TRUE(original.has_value());
    twin.~arg();  // releases nothing
    EXPECT_EQ(p.use_count(), 3);
  }
  EXPECT_EQ(p.use_count(), 1);
}

TEST(optional_arg, braced_inside_co_await_releases_each_value_once) {
  auto p = std::make_shared<int>(1);
  aio_test::run([](std::shared_ptr<int> p) -> aio::coro<> {
    // The spellings of the issue: an lvalue, a prvalue and a long string, braced inside co_await.
    long n = co_await use_count_inside({.shared = p, .name = "a name longer than the small-string buffer"});
    EXPECT_GE(n, 2);
    // A fresh pointer: g++ copies the braced temporary into the coroutine's frame (2 owners while it
    // runs), clang++ moves it there (1). Either way it is released exactly once: ASan and the counts
    // below would see a double release.
    const long fresh = co_await use_count_inside({.shared = make_shared_int()});
    EXPECT_GE(fresh, 1);
    EXPECT_LE(fresh, 2);
    EXPECT_EQ(co_await name_inside({.name = "a name longer than the small-string buffer"}),
              "a name longer than the small-string buffer");
    EXPECT_EQ(co_await name_inside({}), "none");
    EXPECT_EQ(p.use_count(), 2);  // the test's and this frame's parameter
  }(p));
  EXPECT_EQ(p.use_count(), 1);
}

TEST(user_spelling, option_structs_survive_g12_byte_copies) {
  // Every options struct users brace inside co_await is trivially destructible, or holds its owning
  // members in optional_arg (whose byte copies are harmless).
  static_assert(std::is_trivially_destructible_v<aio::subprocess_options>);
  static_assert(std::is_trivially_destructible_v<aio::getaddrinfo_options>);
  static_assert(std::is_trivially_destructible_v<aio::start_tls_options>);
  static_assert(std::is_trivially_destructible_v<aio::udp_options>);
  static_assert(std::is_trivially_destructible_v<aio::http::request_options> ||
                std::is_same_v<decltype(aio::http::request_options::json), aio::http::json_ref>);
  static_assert(std::is_trivially_destructible_v<aio::http::ws_connect_options>);
  static_assert(std::is_trivially_destructible_v<aio::http::serve_options>);
  static_assert(std::is_trivially_destructible_v<aio::http::client_timeout>);
  static_assert(std::is_trivially_destructible_v<aio::http::field_list>);
  static_assert(std::is_trivially_destructible_v<aio::arg_list>);
  static_assert(std::is_trivially_destructible_v<aio::pg::pool_options>);
  static_assert(std::is_trivially_destructible_v<aio::pg::acquire_options>);
  static_assert(std::is_trivially_destructible_v<aio::pg::connect_options>);
  static_assert(std::is_same_v<decltype(aio::connection_options::ssl), aio::optional_arg<aio::ssl_context>>);
  static_assert(
      std::is_same_v<decltype(aio::connection_options::server_hostname), aio::optional_arg<std::string>>);
  static_assert(std::is_same_v<decltype(aio::server_options::ssl), aio::optional_arg<aio::ssl_context>>);
  static_assert(std::is_same_v<decltype(aio::task_options::name), aio::optional_arg<std::string>>);
  SUCCEED();
}

TEST(user_spelling, braced_field_list) {
  const aio::http::field_list two = {{"a", "1"}, {"b", "2"}};  // literals: nothing dangles
  ASSERT_EQ(two.size(), 2U);
  EXPECT_EQ(two[1].first, "b");
  EXPECT_EQ(two[1].second, "2");
  const aio::http::field_list one = {{"only", "x"}};
  ASSERT_EQ(one.size(), 1U);
  EXPECT_EQ(one[0].first, "only");
  const aio::http::field_list twelve = {{"1", ""}, {"2", ""}, {"3", ""}, {"4", ""},  {"5", ""},  {"6", ""},
                                        {"7", ""}, {"8", ""}, {"9", ""}, {"10", ""}, {"11", ""}, {"12", ""}};
  EXPECT_EQ(twelve.size(), 12U);
  EXPECT_EQ(twelve[11].first, "12");
}

TEST(user_spelling, braced_arg_list) {
  const aio::arg_list args = {"-c", "echo hi"};
  ASSERT_EQ(args.size(), 2U);
  EXPECT_EQ(args[1], "echo hi");
  std::vector<std::string> v{"x", "y", "z"};
  const aio::arg_list from_vector = v;
  ASSERT_EQ(from_vector.size(), 3U);
  EXPECT_EQ(from_vector[2], "z");
  EXPECT_EQ(aio::arg_list{}.size(), 0U);
}

TEST(user_spelling, braced_json_literal) {
  auto dump = [](const aio::http::json_ref& j) { return j ? j.get()->dump() : std::string("absent"); };
  const std::string name = "aio";
  const int n = 3;
  EXPECT_EQ(dump({{"k", 1}}), R"({"k":1})");
  EXPECT_EQ(dump({{"name", name}, {"tags", {"c++", "async"}}, {"n", n}, {"nested", {{"c", true}}}}),
            R"({"n":3,"name":"aio","nested":{"c":true},"tags":["c++","async"]})");
  EXPECT_EQ(dump({1, 2, 3}), "[1,2,3]");
  EXPECT_EQ(dump({{"x", nullptr}, {"y", 2.5}, {"empty", {}}}), R"({"empty":null,"x":null,"y":2.5})");
  EXPECT_EQ(dump({{1, 2}, {3, 4}}), "[[1,2],[3,4]]");  // pairs without a string first: an array
  const nlohmann::json doc = {{"doc", true}};
  EXPECT_EQ(dump(doc), R"({"doc":true})");
  EXPECT_EQ(dump({}), "absent");
}

// Asks at the end of the translation unit, as aio's own functions do (g++ names a lambda written in a
// coroutine after the coroutine's frame only once the body has been transformed).
template <class F>
bool refused(F&& /*f*/) {
  return aio::detail::gcc12_unsafe_closure<F>();
}

auto make_job(std::shared_ptr<int> state) {
  return [state] { return *state; };  // built by an ordinary function: never in a co_await statement
}

TEST(user_spelling, the_gcc12_capture_check_names_only_unsafe_temporaries) {
  aio_test::run([]() -> aio::coro<> {
    auto state = std::make_shared<int>(1);
    auto by_value = [state] { return *state; };
    int plain = 0;
    EXPECT_EQ(refused([state] { return *state; }),
              AIO_GCC12_CAPTURE_CHECK == 1);  // not in co_await here: safe
    EXPECT_FALSE(refused(by_value));          // by name
    EXPECT_FALSE(refused([&state] { return *state; }));
    EXPECT_FALSE(refused([plain] { return plain; }));
    EXPECT_FALSE(refused(make_job(state)));           // made by an ordinary function
    EXPECT_FALSE(refused(std::make_shared<int>(2)));  // not a lambda
    // The safe spellings run, and release what they captured when the co_await returns.
    EXPECT_EQ(co_await aio::to_thread(by_value), 1);
    EXPECT_EQ(co_await aio::to_thread(make_job(state)), 1);
    EXPECT_EQ(co_await aio::to_thread([&state] { return *state; }), 1);
    EXPECT_EQ(co_await aio::to_thread([](const std::shared_ptr<int>& s) { return *s; }, state), 1);
    EXPECT_EQ(state.use_count(), 2);  // `state` and by_value's copy
  }());
}
