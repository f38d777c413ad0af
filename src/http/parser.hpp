#pragma once
/// @file parser.hpp
/// The incremental HTTP/1.x parsers (llhttp underneath): `request_parser` for the server,
/// `response_parser` for the client.
///
/// Design note. The caller owns the bytes. `feed(data)` parses from the start of `data` up to the next
/// event and returns how many bytes it consumed and which event it stopped at:
///
///   need_more         everything was consumed; feed more bytes (the parser keeps what it needs)
///   head              `head()` is ready (the start line and headers, copied into owned strings)
///   body              `body()` is a piece of the (de-chunked) body: a view into `data`, valid until
///                     the caller's buffer changes. Bodies are never copied by the parser.
///   message_complete  the message ended; the next `feed` starts the next (pipelined) message
///   upgraded          the message asked for an Upgrade / CONNECT and ended: the bytes from here on
///                     belong to the new protocol and the parser consumes nothing more
///   error             `error()` says why; the parser stays in this state (the connection is done)
///
/// The caller drops the consumed prefix and calls `feed` again with the rest (plus whatever it reads
/// later), so a server can parse straight out of its read buffer. Every event is reported once; a
/// `feed` that consumed 0 bytes and returned an event is normal (e.g. message_complete right after the
/// head of a body-less message).
///
/// Limits (aiohttp's defaults where it has one): a start line over `max_line_size` (8190 bytes), one
/// header line over `max_field_size` (8190), a header section over `max_headers_size` (64 KiB) or with
/// more than `max_headers` fields (128) is `header_too_large` (431); a body over `max_body` (1 MiB for
/// requests, aiohttp's `client_max_size`; unlimited for responses) is `body_too_large` (413), reported
/// at the head when a Content-Length announces it, else as soon as the chunks pass it. Everything
/// llhttp rejects (bad start line, bad header token, bad chunk size, Content-Length with
/// Transfer-Encoding, duplicate Content-Length, Transfer-Encoding not ending in chunked on a request)
/// is `bad_request` (400).
///
/// The llhttp state lives in an opaque buffer inside the object, so this header does not include
/// llhttp.h; the parser is neither copyable nor movable (llhttp points back at it).

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "aio/http/message_head.hpp"
#include "aio/http/parse_error.hpp"

namespace aio::http::detail {

/// Size limits enforced while parsing.
struct parser_limits {
  std::size_t max_line_size = 8190;      ///< request line target / status line reason
  std::size_t max_field_size = 8190;     ///< one header line: name plus value
  std::size_t max_headers_size = 65536;  ///< the whole header section, as received
  std::size_t max_headers = 128;         ///< number of header fields
  std::uint64_t max_body = 1024 * 1024;  ///< body bytes after de-chunking
};

/// The limits a response parser uses by default: as requests, but no body limit.
[[nodiscard]] inline parser_limits response_limits() {
  parser_limits l;
  l.max_body = std::numeric_limits<std::uint64_t>::max();
  return l;
}

/// What `feed` stopped at (see the file comment).
enum class parse_event { need_more, head, body, message_complete, upgraded, error };

/// The result of `feed`: bytes consumed from the front of the input, and the event.
struct parse_result {
  std::size_t consumed = 0;
  parse_event event = parse_event::need_more;
};

struct parser_callbacks;

/// The llhttp glue shared by both parsers.
class message_parser {
 public:
  message_parser(const message_parser&) = delete;
  message_parser& operator=(const message_parser&) = delete;
  ~message_parser() = default;

  /// Parses from the front of `data` up to the next event.
  parse_result feed(std::string_view data);
  /// Tells the parser the peer closed the stream: completes a body delimited by the end of the
  /// connection (`message_complete`), else `need_more` if nothing was in progress, else `error`.
  parse_event finish();
  /// Forgets everything (error included) and starts again at a message boundary.
  void reset();

  /// The body piece of the last `body` event (a view into the fed data).
  [[nodiscard]] std::string_view body() const noexcept { return m_body; }
  /// Body bytes seen so far in the current message.
  [[nodiscard]] std::uint64_t body_bytes() const noexcept { return m_body_bytes; }
  /// Why parsing failed (after an `error` event).
  [[nodiscard]] const parse_error& error() const noexcept { return m_error; }
  [[nodiscard]] bool failed() const noexcept { return m_state == state::failed; }
  /// True once an upgrade message completed: later bytes belong to the new protocol.
  [[nodiscard]] bool upgraded() const noexcept { return m_state == state::upgraded; }
  /// True between a `head` and its `message_complete`.
  [[nodiscard]] bool in_body() const noexcept { return m_headers_done && !m_message_done; }
  [[nodiscard]] const parser_limits& limits() const noexcept { return m_limits; }

 protected:
  enum class kind : std::uint8_t { request, response };
  message_parser(kind k, parser_limits limits);

  request_head m_request;
  response_head m_response;
  bool m_skip_body = false;  // response to HEAD: the head says a length, no body follows

 private:
  friend struct parser_callbacks;
  enum class state : std::uint8_t { running, paused, failed, upgraded };

  void fail(parse_error_kind kind, std::string reason);
  void init_llhttp();

  alignas(8) unsigned char m_llhttp[128];  // llhttp_t, constructed in place
  parser_limits m_limits;
  kind m_kind;
  state m_state = state::running;
  parse_event m_event = parse_event::need_more;
  bool m_pending_complete = false;  // message_complete to report on the next feed
  bool m_headers_done = false;
  bool m_message_done = false;
  bool m_in_value = false;
  std::string m_field;
  std::string m_value;
  std::size_t m_line_bytes = 0;
  std::size_t m_field_bytes = 0;
  std::size_t m_head_bytes = 0;
  std::size_t m_raw_head_bytes = 0;
  std::uint64_t m_body_bytes = 0;
  std::string_view m_body;
  parse_error m_error;
};

/// Parses requests (the server side).
///
/// @par Example
/// @code
/// request_parser p;
/// for (std::string_view buf = ...; ;) {
///   auto [n, ev] = p.feed(buf);
///   buf.remove_prefix(n);
///   if (ev == parse_event::head) handle(p.head());
///   else if (ev == parse_event::body) append(p.body());
///   else if (ev == parse_event::need_more || ev == parse_event::error) break;
/// }
/// @endcode
class request_parser : public message_parser {
 public:
  explicit request_parser(parser_limits limits = {}) : message_parser(kind::request, limits) {}
  /// The head of the current request (valid from its `head` event until the next message begins;
  /// the caller may move from it).
  [[nodiscard]] request_head& head() noexcept { return m_request; }
  [[nodiscard]] const request_head& head() const noexcept { return m_request; }
};

/// Parses responses (the client side).
class response_parser : public message_parser {
 public:
  explicit response_parser(parser_limits limits = response_limits())
      : message_parser(kind::response, limits) {}
  /// Declares that the next response answers a HEAD request (so it has no body whatever its
  /// Content-Length says). Call before feeding that response; it applies to one response.
  void expect_head_response(bool head = true) noexcept { m_skip_body = head; }
  [[nodiscard]] response_head& head() noexcept { return m_response; }
  [[nodiscard]] const response_head& head() const noexcept { return m_response; }
};

}  // namespace aio::http::detail
