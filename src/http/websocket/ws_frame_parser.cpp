// Splitting a WebSocket byte stream into frame headers and payload chunks, without copying payload.

#include <algorithm>
#include <cstring>

#include "ws_frame_parser.hpp"

namespace aio::http::detail {
namespace {

// Header size implied by its first two bytes: 2, plus 2 or 8 for an extended length, plus 4 for a
// masking key.
std::size_t header_size(std::uint8_t b1) noexcept {
  const unsigned len7 = b1 & 0x7FU;
  std::size_t n = 2;
  if (len7 == 126) n += 2;
  if (len7 == 127) n += 8;
  if ((b1 & 0x80U) != 0) n += 4;
  return n;
}

}  // namespace

void ws_frame_parser::parse_header(const std::uint8_t* p) noexcept {
  m_header.fin = (p[0] & 0x80U) != 0;
  m_header.rsv = static_cast<std::uint8_t>((p[0] >> 4U) & 0x7U);
  m_header.opcode = static_cast<std::uint8_t>(p[0] & 0x0FU);
  m_header.masked = (p[1] & 0x80U) != 0;
  std::uint64_t len = p[1] & 0x7FU;
  p += 2;
  if (len == 126) {
    len = (std::uint64_t{p[0]} << 8U) | p[1];
    p += 2;
  } else if (len == 127) {
    len = 0;
    for (int i = 0; i < 8; ++i) len = (len << 8U) | p[i];
    p += 8;
  }
  m_header.length = len;
  if (m_header.masked) std::memcpy(m_header.mask.data(), p, 4);
  m_offset = 0;
  m_remaining = len;
  m_state = state::payload;
}

ws_frame_parser::event ws_frame_parser::next(std::string_view& in) noexcept {
  if (m_state == state::header) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(in.data());
    if (m_hlen == 0 && in.size() >= 2 && in.size() >= header_size(p[1])) {
      // The whole header is in the buffer: parse it where it is.
      const std::size_t n = header_size(p[1]);
      parse_header(p);
      in.remove_prefix(n);
      return event::header;
    }
    // A header split across reads: gather it in m_hbuf, byte count first.
    while (!in.empty()) {
      const std::size_t want = m_hlen < 2 ? 2 : header_size(m_hbuf[1]);
      const std::size_t take = std::min(want - m_hlen, in.size());
      std::memcpy(m_hbuf.data() + m_hlen, in.data(), take);
      m_hlen = static_cast<std::uint8_t>(m_hlen + take);
      in.remove_prefix(take);
      if (m_hlen >= 2 && m_hlen == header_size(m_hbuf[1])) {
        parse_header(m_hbuf.data());
        m_hlen = 0;
        return event::header;
      }
    }
    return event::need_more;
  }
  if (m_remaining == 0) {  // only a frame with an empty payload gets here
    m_chunk = {};
    m_chunk_offset = 0;
    m_state = state::header;
    return event::payload;
  }
  if (in.empty()) return event::need_more;
  const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(m_remaining, in.size()));
  m_chunk = in.substr(0, n);
  in.remove_prefix(n);
  m_chunk_offset = m_offset;
  m_offset += n;
  m_remaining -= n;
  if (m_remaining == 0) m_state = state::header;
  return event::payload;
}

}  // namespace aio::http::detail
