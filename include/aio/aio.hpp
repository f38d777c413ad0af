#pragma once
/// @file aio.hpp
/// Everything of aio: `#include <aio/aio.hpp>` (target `aio::aio`). Each component has its own header
/// and target too (docs/design/components.md): a program that only needs the loop includes
/// <aio/core.hpp> and links `aio::core`.

#include "aio/core.hpp"    // IWYU pragma: export
#include "aio/http.hpp"    // IWYU pragma: export
#include "aio/io.hpp"      // IWYU pragma: export
#include "aio/pg.hpp"      // IWYU pragma: export
#include "aio/sqlite.hpp"  // IWYU pragma: export
