#pragma once
/// @file ws_role.hpp
/// `aio::http::ws_role`: which end of a WebSocket connection a codec serves.

namespace aio::http {

/// Which end of the connection a WebSocket decoder or encoder works for (RFC 6455 section 5.1).
///
/// A client masks every frame it sends and rejects masked frames from the server; a server sends
/// unmasked frames and rejects unmasked frames from the client.
enum class ws_role : unsigned char {
  client,  ///< `session.ws_connect`: sends masked frames, receives unmasked ones.
  server,  ///< `websocket_response`: sends unmasked frames, receives masked ones.
};

}  // namespace aio::http
