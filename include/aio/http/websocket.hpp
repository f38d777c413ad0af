#pragma once
/// @file websocket.hpp
/// WebSockets (RFC 6455; aiohttp's `WebSocketResponse` and `ws_connect` after the handshake):
/// `websocket_connection`, its options, messages and close codes, and the handshake helpers for an
/// upgrade done by hand. The server side is `websocket_response` (<aio/http/server.hpp>), the client
/// side `session.ws_connect` (<aio/http/client.hpp>).

#include "aio/http/websocket/websocket_connection.hpp"
#include "aio/http/websocket/websocket_options.hpp"
#include "aio/http/websocket/ws_close_code.hpp"
#include "aio/http/websocket/ws_deflate_params.hpp"
#include "aio/http/websocket/ws_handshake.hpp"
#include "aio/http/websocket/ws_message.hpp"
#include "aio/http/websocket/ws_role.hpp"
