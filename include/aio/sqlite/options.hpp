#pragma once
/// @file options.hpp
/// `aio::sqlite::options`: how `aio::sqlite::connect` opens a database (sqlite3.connect's keywords).

#include <chrono>

namespace aio::sqlite {

/// Python's `isolation_level`: when an INSERT, UPDATE, DELETE or REPLACE runs outside a transaction,
/// which BEGIN opens one first (that `commit()` ends); `autocommit` (Python's `None`) opens none, so
/// every statement commits by itself.
enum class isolation_level {
  deferred,   ///< "" or "DEFERRED" (Python's default): BEGIN
  immediate,  ///< "IMMEDIATE": BEGIN IMMEDIATE, takes the write lock at once
  exclusive,  ///< "EXCLUSIVE": BEGIN EXCLUSIVE
  autocommit  ///< None
};

/// Options of `aio::sqlite::connect`; the defaults are Python 3.11's. Trivially copyable, so
/// `co_await connect(path, {...})` is safe with g++ 12 too (docs/design/compilers.md).
struct options {
  /// How long a statement waits for another connection's lock before failing with SQLITE_BUSY
  /// (sqlite3.connect's `timeout=5.0`).
  std::chrono::milliseconds timeout{5000};
  /// See `isolation_level`.
  sqlite::isolation_level isolation_level = sqlite::isolation_level::deferred;
  /// The path is a `file:` URI (sqlite3.connect's `uri=True`), e.g. "file:data.db?mode=ro".
  bool uri = false;
};

}  // namespace aio::sqlite
