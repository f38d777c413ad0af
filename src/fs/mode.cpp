// Python's open() mode strings (Lib/_pyio.py's checks, with the same messages).

#include "aio/fs/mode.hpp"

#include <stdexcept>
#include <string>

namespace aio::files {

open_mode open_mode::parse(std::string_view mode) {
  const auto invalid = [mode] { return std::invalid_argument("invalid mode: '" + std::string(mode) + "'"); };
  open_mode m;
  bool seen_r = false;
  bool seen_w = false;
  bool seen_a = false;
  bool seen_x = false;
  bool seen_plus = false;
  bool seen_b = false;
  bool seen_t = false;
  for (const char c : mode) {
    bool* seen = nullptr;
    switch (c) {
      case 'r':
        seen = &seen_r;
        break;
      case 'w':
        seen = &seen_w;
        break;
      case 'a':
        seen = &seen_a;
        break;
      case 'x':
        seen = &seen_x;
        break;
      case '+':
        seen = &seen_plus;
        break;
      case 'b':
        seen = &seen_b;
        break;
      case 't':
        seen = &seen_t;
        break;
      default:
        throw invalid();
    }
    if (*seen) throw invalid();
    *seen = true;
  }
  if (seen_t && seen_b) throw std::invalid_argument("can't have text and binary mode at once");
  if (int{seen_r} + int{seen_w} + int{seen_a} + int{seen_x} != 1) {
    throw std::invalid_argument("must have exactly one of create/read/write/append mode (got '" +
                                std::string(mode) + "')");
  }
  m.read = seen_r || seen_plus;
  m.write = seen_w || seen_a || seen_x || seen_plus;
  m.create = seen_w || seen_a || seen_x;
  m.truncate = seen_w;
  m.exclusive = seen_x;
  m.append = seen_a;
  m.binary = seen_b;
  return m;
}

}  // namespace aio::files
