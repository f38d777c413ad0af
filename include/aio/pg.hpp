#pragma once
/// @file pg.hpp
/// aio::pg, the PostgreSQL client shaped like asyncpg: `connect`, `create_pool`, records, listeners.
/// aio.hpp includes it (API.md: everything is reachable from <aio/aio.hpp>).

#include "aio/pg/connection.hpp"          // IWYU pragma: export
#include "aio/pg/errors.hpp"              // IWYU pragma: export
#include "aio/pg/listener.hpp"            // IWYU pragma: export
#include "aio/pg/notification.hpp"        // IWYU pragma: export
#include "aio/pg/pool.hpp"                // IWYU pragma: export
#include "aio/pg/prepared_statement.hpp"  // IWYU pragma: export
#include "aio/pg/record.hpp"              // IWYU pragma: export
#include "aio/pg/value.hpp"               // IWYU pragma: export
