#pragma once
/// @file http.hpp
/// The aio::http component (target `aio::http`, pkg-config `aio-http`): the HTTP/1.1 client and
/// server, WebSockets and the protocol pieces. Includes <aio/io.hpp>.

#include "aio/http/body_error.hpp"    // IWYU pragma: export
#include "aio/http/client.hpp"        // IWYU pragma: export
#include "aio/http/content_type.hpp"  // IWYU pragma: export
#include "aio/http/headers.hpp"       // IWYU pragma: export
#include "aio/http/message_head.hpp"  // IWYU pragma: export
#include "aio/http/multipart.hpp"     // IWYU pragma: export
#include "aio/http/parse_error.hpp"   // IWYU pragma: export
#include "aio/http/query.hpp"         // IWYU pragma: export
#include "aio/http/server.hpp"        // IWYU pragma: export
#include "aio/http/status.hpp"        // IWYU pragma: export
#include "aio/http/url.hpp"           // IWYU pragma: export
#include "aio/http/websocket.hpp"     // IWYU pragma: export
#include "aio/io.hpp"                 // IWYU pragma: export
