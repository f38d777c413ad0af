// aio::sqlite::value and row without a database: the C++ types a parameter can be, get<T>'s
// conversions, and the errors for a type mismatch, NULL, an unknown column or index.
#include "aio/sqlite/value.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aio/sqlite/error.hpp"
#include "aio/sqlite/row.hpp"

namespace sq = aio::sqlite;

TEST(sqlite_value, parameters_map_to_storage_classes) {
  EXPECT_EQ(sq::value().type(), sq::value_type::null);
  EXPECT_EQ(sq::value(nullptr).type(), sq::value_type::null);
  EXPECT_EQ(sq::value(std::nullopt).type(), sq::value_type::null);
  EXPECT_EQ(sq::value(std::optional<int>()).type(), sq::value_type::null);
  EXPECT_EQ(sq::value(std::optional<int>(3)).get<int>(), 3);
  EXPECT_EQ(sq::value(true).get<std::int64_t>(), 1);
  EXPECT_EQ(sq::value(42U).type(), sq::value_type::integer);
  EXPECT_EQ(sq::value(2.5F).get<double>(), 2.5);
  EXPECT_EQ(sq::value("text").get<std::string>(), "text");
  EXPECT_EQ(sq::value(std::string_view("sv")).get<std::string_view>(), "sv");
  EXPECT_EQ(sq::value(sq::blob{std::byte{1}}).type(), sq::value_type::blob);
  EXPECT_THROW((void)sq::value(std::numeric_limits<std::uint64_t>::max()), sq::type_error);
}

TEST(sqlite_value, get_checks_the_type) {
  sq::value text("abc");
  EXPECT_THROW((void)text.get<int>(), sq::type_error);
  EXPECT_THROW((void)text.get<double>(), sq::type_error);
  EXPECT_THROW((void)text.get<sq::blob>(), sq::type_error);
  EXPECT_EQ(sq::value(7).get<double>(), 7.0);  // an INTEGER reads as a REAL
  EXPECT_THROW((void)sq::value(1.5).get<int>(), sq::type_error);
  EXPECT_THROW((void)sq::value(300).get<std::int8_t>(), sq::type_error);
  try {
    (void)sq::value().get<int>();
    FAIL();
  } catch (const sq::type_error& e) {
    EXPECT_NE(std::string(e.what()).find("NULL"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("std::optional"), std::string::npos) << e.what();
    EXPECT_EQ(e.code(), 20);  // SQLITE_MISMATCH
  }
  EXPECT_EQ(sq::value().get<std::optional<int>>(), std::nullopt);
  EXPECT_EQ(sq::value(5).get<std::optional<long>>(), 5L);
}

TEST(sqlite_row, by_index_and_by_name) {
  auto cols = std::make_shared<const std::vector<std::string>>(std::vector<std::string>{"id", "Name"});
  sq::row r(cols, {sq::value(1), sq::value("ada")});
  EXPECT_EQ(r.size(), 2U);
  EXPECT_EQ(r[0].get<int>(), 1);
  EXPECT_EQ(r["Name"].get<std::string>(), "ada");
  EXPECT_EQ(r.get<std::string>("name"), "ada");  // case-insensitive, as sqlite3.Row
  EXPECT_EQ(r.get<int>(0), 1);
  try {
    (void)r["missing"];
    FAIL();
  } catch (const sq::programming_error& e) {
    EXPECT_NE(std::string(e.what()).find("'missing'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'Name'"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)r[2], sq::programming_error);
  try {
    (void)r.get<int>("Name");
    FAIL();
  } catch (const sq::type_error& e) {
    EXPECT_NE(std::string(e.what()).find("column 'Name'"), std::string::npos) << e.what();
  }
}
