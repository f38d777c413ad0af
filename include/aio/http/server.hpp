#pragma once
/// @file server.hpp
/// The aiohttp-shaped HTTP/1.1 server (`aio::http::application`, `run_app`, `serve`): every header.

#include "aio/http/server/application.hpp"
#include "aio/http/server/dashboard.hpp"
#include "aio/http/server/file_response.hpp"
#include "aio/http/server/metrics_handler.hpp"
#include "aio/http/server/request.hpp"
#include "aio/http/server/response.hpp"
#include "aio/http/server/router.hpp"
#include "aio/http/server/run_app.hpp"
#include "aio/http/server/stream_response.hpp"
#include "aio/http/server/websocket_response.hpp"
