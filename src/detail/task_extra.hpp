#pragma once
// Rarely used task state, allocated on first use so that a plain task stays small.

#include <cstdint>
#include <string>

namespace aio::detail {

struct task_extra {
  std::string name;
  std::string cancel_message;
  bool named = false;
};

}  // namespace aio::detail
