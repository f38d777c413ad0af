#pragma once
/// @file sqlite.hpp
/// aio::sqlite, an aiosqlite-shaped SQLite client: `co_await aio::sqlite::connect(path)`, `execute`,
/// `executemany`, `fetchone`, `fetchall`, `commit`, `close` (docs/guide/sqlite.md).

#include "aio/sqlite/connection.hpp"
#include "aio/sqlite/cursor.hpp"
#include "aio/sqlite/error.hpp"
#include "aio/sqlite/options.hpp"
#include "aio/sqlite/row.hpp"
#include "aio/sqlite/value.hpp"
