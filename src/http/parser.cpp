#include "parser.hpp"

#include "aio/http/status.hpp"
#include "serialize.hpp"

#include <llhttp.h>

#include <new>
#include <string>

namespace aio::http::detail {

namespace {
// Start line and header bytes llhttp consumes without a callback: separators, line ends, whitespace.
constexpr std::size_t raw_head_slack = 4096;
llhttp_t* ll(unsigned char* storage) noexcept { return std::launder(reinterpret_cast<llhttp_t*>(storage)); }
}  // namespace

// The llhttp callbacks: `parser->data` is the message_parser. Data callbacks that fail return HPE_USER
// after recording the error; the three event callbacks pause the parser.
struct parser_callbacks {
  static message_parser& self(llhttp_t* p) noexcept { return *static_cast<message_parser*>(p->data); }

  static int on_message_begin(llhttp_t* p) {
    auto& s = self(p);
    s.m_headers_done = false;
    s.m_message_done = false;
    s.m_in_value = false;
    s.m_line_bytes = s.m_field_bytes = s.m_head_bytes = 0;
    s.m_body_bytes = 0;
    s.m_field.clear();
    s.m_value.clear();
    if (s.m_kind == message_parser::kind::request) {
      auto& h = s.m_request;
      h.method.clear();
      h.target.clear();
      h.headers.clear();
      h.framing = {};
      h.keep_alive = true;
      h.upgrade = h.expect_continue = false;
    } else {
      auto& h = s.m_response;
      h.status = 0;
      h.reason.clear();
      h.headers.clear();
      h.framing = {};
      h.keep_alive = true;
      h.upgrade = false;
    }
    return 0;
  }

  static int on_line_part(llhttp_t* p, const char* at, std::size_t len) {
    auto& s = self(p);
    s.m_line_bytes += len;
    if (s.m_line_bytes > s.m_limits.max_line_size) {
      s.fail(parse_error_kind::header_too_large,
             (s.m_kind == message_parser::kind::request ? "request line longer than "
                                                        : "status line longer than ") +
                 std::to_string(s.m_limits.max_line_size) + " bytes");
      return HPE_USER;
    }
    auto& out = s.m_kind == message_parser::kind::request ? s.m_request.target : s.m_response.reason;
    out.append(at, len);
    return 0;
  }

  static bool count_header_bytes(message_parser& s, std::size_t len) {
    s.m_field_bytes += len;
    s.m_head_bytes += len;
    if (s.m_field_bytes > s.m_limits.max_field_size) {
      s.fail(parse_error_kind::header_too_large,
             "header line longer than " + std::to_string(s.m_limits.max_field_size) + " bytes");
      return false;
    }
    if (s.m_head_bytes > s.m_limits.max_headers_size) {
      s.fail(parse_error_kind::header_too_large,
             "header section larger than " + std::to_string(s.m_limits.max_headers_size) + " bytes");
      return false;
    }
    return true;
  }

  static int on_header_field(llhttp_t* p, const char* at, std::size_t len) {
    auto& s = self(p);
    if (!count_header_bytes(s, len)) return HPE_USER;
    s.m_field.append(at, len);
    return 0;
  }

  static int on_header_value(llhttp_t* p, const char* at, std::size_t len) {
    auto& s = self(p);
    if (!count_header_bytes(s, len)) return HPE_USER;
    s.m_value.append(at, len);
    return 0;
  }

  static int on_header_value_complete(llhttp_t* p) {
    auto& s = self(p);
    auto& h = s.m_kind == message_parser::kind::request ? s.m_request.headers : s.m_response.headers;
    if (h.size() >= s.m_limits.max_headers) {
      s.fail(parse_error_kind::header_too_large,
             "more than " + std::to_string(s.m_limits.max_headers) + " header fields");
      return HPE_USER;
    }
    if (!is_token(s.m_field)) {
      s.fail(parse_error_kind::bad_request, "invalid header name '" + s.m_field.substr(0, 64) + "'");
      return HPE_USER;
    }
    // llhttp leaves trailing whitespace in the value (leading whitespace is skipped).
    while (!s.m_value.empty() && (s.m_value.back() == ' ' || s.m_value.back() == '\t')) s.m_value.pop_back();
    h.add(std::move(s.m_field), std::move(s.m_value));
    s.m_field.clear();
    s.m_value.clear();
    s.m_field_bytes = 0;
    return 0;
  }

  static int on_headers_complete(llhttp_t* p) {
    auto& s = self(p);
    s.m_headers_done = true;
    s.m_raw_head_bytes = 0;
    body_framing framing;
    framing.chunked = (p->flags & F_CHUNKED) != 0;
    if ((p->flags & F_CONTENT_LENGTH) != 0) framing.content_length = p->content_length;
    bool keep_alive = llhttp_should_keep_alive(p) != 0;
    http_version version{p->http_major, p->http_minor};
    if (version.major != 1) {
      s.fail(parse_error_kind::bad_request, "unsupported HTTP version " + std::to_string(version.major) +
                                                "." + std::to_string(version.minor));
      return -1;
    }
    bool skip = false;
    if (s.m_kind == message_parser::kind::request) {
      auto& h = s.m_request;
      h.method = llhttp_method_name(static_cast<llhttp_method_t>(p->method));
      h.version = version;
      h.framing = framing;
      h.keep_alive = keep_alive;
      h.upgrade = p->upgrade != 0;
      auto expect = h.headers.get("Expect");
      h.expect_continue = expect && iequals(*expect, "100-continue");
    } else {
      auto& h = s.m_response;
      h.status = p->status_code;
      h.version = version;
      h.framing = framing;
      h.keep_alive = keep_alive;
      h.upgrade = p->upgrade != 0;
      // llhttp reads a body of 204 and 304 responses that announce a length: tell it there is none.
      skip = status_has_no_body(h.status) || s.m_skip_body;
    }
    if (!skip && framing.content_length && *framing.content_length > s.m_limits.max_body) {
      s.fail(parse_error_kind::body_too_large, "Content-Length " + std::to_string(*framing.content_length) +
                                                   " exceeds the limit of " +
                                                   std::to_string(s.m_limits.max_body) + " bytes");
      return -1;
    }
    s.m_event = parse_event::head;
    // A HEAD response has no body: llhttp goes straight on to message_complete, which pauses.
    if (skip) return 1;
    // So does a request without a body (most of them): going on to message_complete in this run saves
    // a second llhttp_execute for the end. Anything with a body, a Transfer-Encoding or an upgrade
    // pauses here, as before.
    if (s.m_kind == message_parser::kind::request && framing.content_length.value_or(0) == 0 &&
        (p->flags & (F_CHUNKED | F_TRANSFER_ENCODING)) == 0 && p->upgrade == 0) {
      return 0;
    }
    return HPE_PAUSED;
  }

  static int on_chunk_header(llhttp_t* p) {
    auto& s = self(p);
    if (p->content_length > s.m_limits.max_body - s.m_body_bytes) {
      s.fail(parse_error_kind::body_too_large,
             "chunked body exceeds the limit of " + std::to_string(s.m_limits.max_body) + " bytes");
      return HPE_USER;
    }
    return 0;
  }

  static int on_body(llhttp_t* p, const char* at, std::size_t len) {
    if (len == 0) return 0;  // llhttp flushes an empty span when a feed ends where a body piece would start
    auto& s = self(p);
    if (len > s.m_limits.max_body - s.m_body_bytes) {
      s.fail(parse_error_kind::body_too_large,
             "body exceeds the limit of " + std::to_string(s.m_limits.max_body) + " bytes");
      return HPE_USER;
    }
    s.m_body_bytes += len;
    s.m_body = std::string_view(at, len);
    s.m_event = parse_event::body;
    return HPE_PAUSED;
  }

  static int on_message_complete(llhttp_t* p) {
    auto& s = self(p);
    s.m_message_done = true;
    if (s.m_kind == message_parser::kind::response && !is_informational(s.m_response.status)) {
      s.m_skip_body = false;
    }
    if (s.m_event == parse_event::head) {
      s.m_pending_complete = true;  // report the head now, the completion on the next feed
    } else {
      s.m_event = parse_event::message_complete;
    }
    return HPE_PAUSED;
  }

  static const llhttp_settings_t& settings() noexcept {
    static const llhttp_settings_t value = [] {
      llhttp_settings_t st;
      llhttp_settings_init(&st);
      st.on_message_begin = on_message_begin;
      st.on_url = on_line_part;
      st.on_status = on_line_part;
      st.on_header_field = on_header_field;
      st.on_header_value = on_header_value;
      st.on_header_value_complete = on_header_value_complete;
      st.on_headers_complete = on_headers_complete;
      st.on_chunk_header = on_chunk_header;
      st.on_body = on_body;
      st.on_message_complete = on_message_complete;
      return st;
    }();
    return value;
  }
};

message_parser::message_parser(kind k, parser_limits limits) : m_limits(limits), m_kind(k) {
  static_assert(sizeof(llhttp_t) <= sizeof(m_llhttp) && alignof(llhttp_t) <= 8);
  new (static_cast<void*>(m_llhttp)) llhttp_t{};
  init_llhttp();
}

void message_parser::init_llhttp() {
  llhttp_t* p = ll(m_llhttp);
  llhttp_init(p, m_kind == kind::request ? HTTP_REQUEST : HTTP_RESPONSE, &parser_callbacks::settings());
  p->data = this;
}

void message_parser::reset() {
  init_llhttp();
  m_state = state::running;
  m_event = parse_event::need_more;
  m_pending_complete = m_headers_done = m_message_done = false;
  m_raw_head_bytes = 0;
  m_body = {};
  m_error = {};
}

void message_parser::fail(parse_error_kind kind, std::string reason) {
  if (m_state == state::failed) return;
  m_state = state::failed;
  m_error = parse_error{kind, std::move(reason)};
}

parse_result message_parser::feed(std::string_view data) {
  switch (m_state) {
    case state::failed:
      return {0, parse_event::error};
    case state::upgraded:
      return {0, parse_event::upgraded};
    case state::paused:
    case state::running:
      break;
  }
  llhttp_t* p = ll(m_llhttp);
  if (m_pending_complete) {
    m_pending_complete = false;
    m_event = parse_event::message_complete;
    if (p->upgrade != 0) m_state = state::upgraded;
    return {0, parse_event::message_complete};
  }
  if (m_state == state::paused) {
    llhttp_resume(p);
    m_state = state::running;
  }
  m_event = parse_event::need_more;
  m_body = {};
  llhttp_errno_t err = llhttp_execute(p, data.data(), data.size());
  std::size_t consumed = data.size();
  if (err != HPE_OK) {
    const char* pos = llhttp_get_error_pos(p);
    if (pos != nullptr && pos >= data.data() && pos <= data.data() + data.size()) {
      consumed = static_cast<std::size_t>(pos - data.data());
    }
  }
  if (err == HPE_PAUSED) {
    m_state = state::paused;
    if (m_event == parse_event::message_complete && p->upgrade != 0) m_state = state::upgraded;
    return {consumed, m_event};
  }
  if (err == HPE_PAUSED_UPGRADE) {
    m_state = state::upgraded;
    return {consumed, parse_event::upgraded};
  }
  if (err != HPE_OK) {
    if (m_state != state::failed) {
      const char* reason = llhttp_get_error_reason(p);
      fail(parse_error_kind::bad_request,
           reason != nullptr && *reason != '\0' ? reason : llhttp_errno_name(err));
    }
    return {consumed, parse_event::error};
  }
  // Bytes llhttp skips without a callback (whitespace, line ends) still count toward the header limit.
  if (!m_headers_done) {
    m_raw_head_bytes += consumed;
    if (m_raw_head_bytes > m_limits.max_line_size + m_limits.max_headers_size + raw_head_slack) {
      fail(parse_error_kind::header_too_large,
           "header section larger than " + std::to_string(m_limits.max_headers_size) + " bytes");
      return {consumed, parse_event::error};
    }
  }
  return {consumed, parse_event::need_more};
}

parse_event message_parser::finish() {
  if (m_state == state::failed) return parse_event::error;
  if (m_state == state::upgraded) return parse_event::upgraded;
  llhttp_t* p = ll(m_llhttp);
  if (m_pending_complete) {
    m_pending_complete = false;
    return parse_event::message_complete;
  }
  if (m_state == state::paused) {
    llhttp_resume(p);
    m_state = state::running;
  }
  m_event = parse_event::need_more;
  llhttp_errno_t err = llhttp_finish(p);
  if (err == HPE_PAUSED || m_event == parse_event::message_complete) {
    m_state = state::paused;
    return parse_event::message_complete;
  }
  if (err != HPE_OK) {
    fail(parse_error_kind::bad_request, m_headers_done ? "connection closed before the body was complete"
                                                       : "connection closed before the head was complete");
    return parse_event::error;
  }
  return parse_event::need_more;
}

}  // namespace aio::http::detail
