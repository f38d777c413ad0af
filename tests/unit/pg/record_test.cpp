// aio::pg::record and value: lookups and text-format parsing (no server needed).

#include "aio/pg/record.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aio/pg/detail/query.hpp"
#include "aio/pg/errors.hpp"

namespace {

aio::pg::record sample() {
  auto cols =
      std::make_shared<std::vector<std::string>>(std::vector<std::string>{"id", "name", "ok", "x", "n"});
  return aio::pg::record(
      cols, {aio::pg::value(std::string("42")), aio::pg::value(std::string("abc")),
             aio::pg::value(std::string("t")), aio::pg::value(std::string("-Infinity")), aio::pg::value()});
}

template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const aio::pg::conversion_error& e) {
    return e.what();
  }
  return "";
}

TEST(pg_record, index_and_name) {
  const auto r = sample();
  EXPECT_EQ(r.size(), 5U);
  EXPECT_EQ(r[0].text(), "42");
  EXPECT_EQ(r["name"].text(), "abc");
  EXPECT_EQ(r.get<int>("id"), 42);
  EXPECT_EQ(r.get<long long>(0), 42);
  EXPECT_EQ(r.get<bool>("ok"), true);
  EXPECT_TRUE(std::isinf(r.get<double>("x")));
  EXPECT_LT(r.get<double>("x"), 0);
  EXPECT_EQ(r.get<std::optional<int>>("n"), std::nullopt);
  EXPECT_EQ(r.get<std::optional<int>>("id"), 42);
}

TEST(pg_record, errors_name_the_problem) {
  const auto r = sample();
  EXPECT_EQ(error_of([&] { (void)r.get<int>("name"); }),
            "aio::pg: cannot convert \"abc\" to int (column \"name\")");
  EXPECT_EQ(error_of([&] { (void)r.get<bool>(0); }),
            "aio::pg: cannot convert \"42\" to bool (column \"id\")");
  EXPECT_NE(error_of([&] { (void)r.get<int>("n"); }).find("NULL"), std::string::npos);
  EXPECT_EQ(error_of([&] { (void)r["nope"]; }),
            "aio::pg: no column named \"nope\" (columns: id, name, ok, x, n)");
  EXPECT_NE(error_of([&] { (void)r[7]; }).find("out of range"), std::string::npos);
  const aio::pg::value big(std::string("99999999999"));
  EXPECT_NE(error_of([&] { (void)big.get<int>(); }).find("out of range"), std::string::npos);
  EXPECT_EQ(big.get<long long>(), 99999999999LL);
  const aio::pg::value trailing(std::string("12x"));
  EXPECT_FALSE(error_of([&] { (void)trailing.get<int>(); }).empty());
  EXPECT_FALSE(error_of([&] { (void)trailing.get<double>(); }).empty());
}

TEST(pg_record, parameters_in_text_format) {
  const auto p = aio::pg::detail::make_params(1, -2LL, true, 0.1, "s", std::string("t"), std::nullopt,
                                              std::optional<int>(), std::optional<int>(3), 1.0 / 0.0);
  ASSERT_EQ(p.size(), 10U);
  EXPECT_EQ(p[0], "1");
  EXPECT_EQ(p[1], "-2");
  EXPECT_EQ(p[2], "true");
  EXPECT_EQ(p[3], "0.1");
  EXPECT_EQ(p[4], "s");
  EXPECT_EQ(p[5], "t");
  EXPECT_EQ(p[6], std::nullopt);
  EXPECT_EQ(p[7], std::nullopt);
  EXPECT_EQ(p[8], "3");
  EXPECT_EQ(p[9], "Infinity");
}

}  // namespace
