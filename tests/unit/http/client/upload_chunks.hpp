#pragma once
// The streamed upload body of the client's upload tests (unit and integration): `n` chunks of `size`
// bytes, produced one at a time.

#include <cstddef>
#include <optional>
#include <string>

#include "aio/task/coro.hpp"

namespace upload_test {

/// A producer of `n` chunks of `size` bytes.
struct chunks {
  int n;
  std::size_t size;
  int given = 0;
  aio::coro<std::optional<std::string>> operator()() {
    if (given == n) co_return std::nullopt;
    ++given;
    co_return std::string(size, static_cast<char>('a' + given % 26));
  }
};

}  // namespace upload_test
