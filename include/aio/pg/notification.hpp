#pragma once
/// @file notification.hpp
/// `aio::pg::notification`: one NOTIFY delivered to a listener.

#include <string>

namespace aio::pg {

/// What `NOTIFY channel, 'payload'` (or `pg_notify`) delivers.
struct notification {
  std::string channel;
  std::string payload;
  int pid = 0;  ///< the notifying server process
};

}  // namespace aio::pg
