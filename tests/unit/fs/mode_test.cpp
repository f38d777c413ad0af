// aio::files::open_mode::parse: Python's open() mode strings, and its ValueErrors as invalid_argument.
#include "aio/fs/mode.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace {

using aio::files::open_mode;

TEST(fs_mode, read_write_append_exclusive) {
  const open_mode r = open_mode::parse("r");
  EXPECT_TRUE(r.read);
  EXPECT_FALSE(r.write || r.create || r.truncate || r.append || r.exclusive || r.binary);

  const open_mode w = open_mode::parse("w");
  EXPECT_TRUE(w.write && w.create && w.truncate);
  EXPECT_FALSE(w.read || w.append || w.exclusive);

  const open_mode a = open_mode::parse("a");
  EXPECT_TRUE(a.write && a.create && a.append);
  EXPECT_FALSE(a.read || a.truncate || a.exclusive);

  const open_mode x = open_mode::parse("x");
  EXPECT_TRUE(x.write && x.create && x.exclusive);
  EXPECT_FALSE(x.read || x.truncate || x.append);
}

TEST(fs_mode, plus_adds_the_other_direction) {
  const open_mode rp = open_mode::parse("r+");
  EXPECT_TRUE(rp.read && rp.write);
  EXPECT_FALSE(rp.create || rp.truncate);
  const open_mode wp = open_mode::parse("w+");
  EXPECT_TRUE(wp.read && wp.write && wp.truncate && wp.create);
  const open_mode ap = open_mode::parse("a+");
  EXPECT_TRUE(ap.read && ap.write && ap.append);
  EXPECT_TRUE(open_mode::parse("x+").read);
}

TEST(fs_mode, binary_and_text_in_any_order) {
  EXPECT_TRUE(open_mode::parse("rb").binary);
  EXPECT_TRUE(open_mode::parse("br").binary);
  EXPECT_FALSE(open_mode::parse("rt").binary);
  const open_mode m = open_mode::parse("+rb");
  EXPECT_TRUE(m.read && m.write && m.binary);
  EXPECT_TRUE(open_mode::parse("wb+").truncate);
}

TEST(fs_mode, invalid_modes_throw_invalid_argument) {
  for (const char* bad : {"", "b", "+", "rw", "ra", "wx", "rr", "r++", "rbb", "rz", "U", "r ", "rbt"}) {
    EXPECT_THROW(open_mode::parse(bad), std::invalid_argument) << "mode '" << bad << "'";
  }
  try {
    open_mode::parse("rq");
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "invalid mode: 'rq'");
  }
  try {
    open_mode::parse("bt");
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "can't have text and binary mode at once");
  }
}

}  // namespace
