// The WebSocket decoder: frame events from ws_frame_parser, judged against RFC 6455 and joined into
// messages. Every check that needs only the header runs before any payload is kept, so an oversized
// or malformed frame costs nothing to reject.

#include "ws_decoder.hpp"

#include <algorithm>
#include <utility>

#include "aio/http/websocket/ws_close_code.hpp"
#include "ws_deflate.hpp"
#include "ws_mask.hpp"
#include "ws_opcode.hpp"

namespace aio::http {
namespace {

// Appends `chunk` to `dst`, unmasking it when the frame is masked.
void append_payload(std::string& dst, std::string_view chunk, const detail::ws_frame_header& h,
                    std::uint64_t offset) {
  const std::size_t old = dst.size();
  dst.append(chunk);
  if (h.masked) detail::ws_mask(dst.data() + old, dst.data() + old, chunk.size(), h.mask, offset);
}

// A compressed chunk larger than this is not kept in the scratch buffer after use.
constexpr std::size_t k_keep_scratch = std::size_t{64} * 1024;

}  // namespace

ws_decoder::ws_decoder(ws_role role, std::size_t max_msg_size) noexcept
    : m_max_msg_size(max_msg_size), m_role(role) {}
ws_decoder::ws_decoder(ws_decoder&&) noexcept = default;
ws_decoder& ws_decoder::operator=(ws_decoder&&) noexcept = default;
ws_decoder::~ws_decoder() = default;

void ws_decoder::enable_deflate(const ws_deflate_params& params) {
  // The peer compresses: a client's peer is the server, and the other way round.
  const bool peer_resets =
      m_role == ws_role::client ? params.server_no_context_takeover : params.client_no_context_takeover;
  m_inflater = std::make_unique<detail::ws_inflater>(peer_resets);
}

std::optional<ws_message> ws_decoder::feed(std::string_view& in) {
  if (m_finished) return std::nullopt;
  for (;;) {
    switch (m_parser.next(in)) {
      case detail::ws_frame_parser::event::need_more:
        return std::nullopt;
      case detail::ws_frame_parser::event::header:
        if (auto msg = on_header(in.size())) return msg;
        break;
      case detail::ws_frame_parser::event::payload:
        if (auto msg = on_payload()) return msg;
        break;
    }
  }
}

ws_message ws_decoder::fail(std::uint16_t code, std::string reason) {
  m_finished = true;
  m_message.clear();
  m_control.clear();
  return ws_message{ws_msg_type::error, {}, code, std::move(reason)};
}

std::optional<ws_message> ws_decoder::on_header(std::size_t available) {
  const detail::ws_frame_header& h = m_parser.header();
  const bool rsv1 = (h.rsv & 0x4U) != 0;
  if ((h.rsv & 0x3U) != 0 || (rsv1 && !m_inflater)) {
    return fail(ws_close_code::protocol_error, "reserved bits set with no extension negotiated");
  }
  if (!ws_is_known_opcode(h.opcode)) {
    return fail(ws_close_code::protocol_error, "reserved opcode " + std::to_string(h.opcode));
  }
  if (m_role == ws_role::server && !h.masked) {
    return fail(ws_close_code::protocol_error, "a client frame is not masked");
  }
  if (m_role == ws_role::client && h.masked)
    return fail(ws_close_code::protocol_error, "a server frame is masked");
  if ((h.length >> 63U) != 0) {
    return fail(ws_close_code::protocol_error, "64-bit payload length with its most significant bit set");
  }
  const auto op = static_cast<ws_opcode>(h.opcode);
  if (ws_is_control(op)) {
    if (!h.fin) return fail(ws_close_code::protocol_error, "fragmented control frame");
    if (rsv1) return fail(ws_close_code::protocol_error, "compressed control frame");
    if (h.length > 125)
      return fail(ws_close_code::protocol_error, "control frame payload longer than 125 bytes");
    m_control.clear();
    return std::nullopt;
  }
  if (op == ws_opcode::continuation) {
    if (!m_in_message)
      return fail(ws_close_code::protocol_error, "continuation frame with no message to continue");
    if (rsv1) return fail(ws_close_code::protocol_error, "RSV1 set on a continuation frame");
  } else {
    if (m_in_message) {
      return fail(ws_close_code::protocol_error, "new data frame while a fragmented message is unfinished");
    }
    m_in_message = true;
    m_text = op == ws_opcode::text;
    m_compressed = rsv1;
    m_message.clear();
    m_utf8.reset();
  }
  // A compressed message's limit applies to what it inflates to (in on_payload): its wire size
  // says nothing, and its payload is never kept whole.
  if (m_compressed) return std::nullopt;
  if (m_max_msg_size != 0 && h.length > m_max_msg_size - m_message.size()) {
    return fail(ws_close_code::message_too_big,
                "message larger than max_msg_size (" + std::to_string(m_max_msg_size) + " bytes)");
  }
  // Reserve for the part of the payload already in the caller's buffer, not for what the header
  // claims: a peer announcing 4 MiB and sending nothing costs nothing. Later chunks grow the string.
  m_message.reserve(m_message.size() +
                    static_cast<std::size_t>(std::min<std::uint64_t>(h.length, available)));
  return std::nullopt;
}

std::optional<ws_message> ws_decoder::on_payload() {
  const detail::ws_frame_header& h = m_parser.header();
  const std::string_view chunk = m_parser.chunk();
  if (ws_is_control(static_cast<ws_opcode>(h.opcode))) {
    append_payload(m_control, chunk, h, m_parser.chunk_offset());
    if (!m_parser.frame_done()) return std::nullopt;
    return end_control_frame();
  }
  const std::size_t old = m_message.size();
  bool inflated = true;
  if (m_compressed) {
    inflated = inflate_chunk(chunk);
  } else {
    append_payload(m_message, chunk, h, m_parser.chunk_offset());
  }
  // The text inflated before a DEFLATE error or the size limit is judged first: the same bytes give
  // the same error however they were split into reads.
  if (m_text && !m_utf8.feed(std::string_view(m_message).substr(old))) {
    return fail(ws_close_code::invalid_payload, "text message is not valid UTF-8");
  }
  if (!inflated) return inflate_failure();
  if (!m_parser.frame_done() || !h.fin) return std::nullopt;
  if (m_text && !m_utf8.complete()) {
    return fail(ws_close_code::invalid_payload, "text message ends inside a UTF-8 sequence");
  }
  m_in_message = false;
  return ws_message{m_text ? ws_msg_type::text : ws_msg_type::binary, std::move(m_message), 0, {}};
}

bool ws_decoder::inflate_chunk(std::string_view chunk) {
  const detail::ws_frame_header& h = m_parser.header();
  m_scratch.clear();
  append_payload(m_scratch, chunk, h, m_parser.chunk_offset());
  detail::ws_inflate_status st = m_inflater->feed(m_scratch, m_message, m_max_msg_size);
  if (m_scratch.capacity() > k_keep_scratch) std::string().swap(m_scratch);
  if (st == detail::ws_inflate_status::ok && m_parser.frame_done() && h.fin) {
    st = m_inflater->finish(m_message, m_max_msg_size);
  }
  m_inflate_too_big = st == detail::ws_inflate_status::too_big;
  return st == detail::ws_inflate_status::ok;
}

ws_message ws_decoder::inflate_failure() {
  if (m_inflate_too_big) {
    return fail(ws_close_code::message_too_big, "decompressed message larger than max_msg_size (" +
                                                    std::to_string(m_max_msg_size) + " bytes)");
  }
  return fail(ws_close_code::protocol_error, "compressed message is not valid DEFLATE data");
}

std::optional<ws_message> ws_decoder::end_control_frame() {
  switch (static_cast<ws_opcode>(m_parser.header().opcode)) {
    case ws_opcode::ping:
      return ws_message{ws_msg_type::ping, std::move(m_control), 0, {}};
    case ws_opcode::pong:
      return ws_message{ws_msg_type::pong, std::move(m_control), 0, {}};
    default:
      break;
  }
  // A close frame: empty, or a 2-byte code and a UTF-8 reason (RFC 6455 section 5.5.1).
  if (m_control.empty()) {
    m_finished = true;
    return ws_message{ws_msg_type::close, {}, ws_close_code::no_status, {}};
  }
  if (m_control.size() == 1) return fail(ws_close_code::protocol_error, "close frame with a 1-byte payload");
  const auto code = static_cast<std::uint16_t>((static_cast<unsigned char>(m_control[0]) << 8U) |
                                               static_cast<unsigned char>(m_control[1]));
  if (!ws_is_valid_close_code(code)) {
    return fail(ws_close_code::protocol_error, "close code " + std::to_string(code) + " may not be sent");
  }
  std::string reason = m_control.substr(2);
  if (!detail::is_valid_utf8(reason))
    return fail(ws_close_code::invalid_payload, "close reason is not valid UTF-8");
  m_finished = true;
  return ws_message{ws_msg_type::close, {}, code, std::move(reason)};
}

}  // namespace aio::http
