// permessage-deflate's zlib side (RFC 7692 section 7.2): raw DEFLATE with a sync flush per message,
// the 00 00 ff ff tail stripped when sending and put back when receiving, and the output of inflate
// grown in bounded steps so that a small compressed message cannot claim unbounded memory.

#include "ws_deflate.hpp"

#include <zlib.h>

#include <algorithm>
#include <limits>
#include <new>
#include <stdexcept>

namespace aio::http::detail {

namespace {

constexpr std::string_view k_tail("\x00\x00\xff\xff", 4);
// Output is grown by at least this much per inflate/deflate step.
constexpr std::size_t k_step = std::size_t{16} * 1024;

Bytef* bytes(const char* p) noexcept {
  // zlib's next_in is not const-qualified (ZLIB_CONST is not set), yet it never writes through it.
  return reinterpret_cast<Bytef*>(const_cast<char*>(p));  // NOLINT(cppcoreguidelines-pro-type-const-cast)
}

uInt clamp_uint(std::size_t n) noexcept {
  return static_cast<uInt>(std::min<std::size_t>(n, std::numeric_limits<uInt>::max()));
}

}  // namespace

// ---- compression --------------------------------------------------------------------------------

struct ws_deflater::impl {
  z_stream z{};
  ~impl() { deflateEnd(&z); }
};

ws_deflater::ws_deflater(int window_bits, bool no_context_takeover)
    : m_impl(std::make_unique<impl>()), m_no_context_takeover(no_context_takeover) {
  // zlib refuses a raw deflate window of 8 bits (it would silently need 9): the caller does not
  // compress at all in that case, which the extension allows (RSV1 is per message).
  if (window_bits < 9 || window_bits > 15) {
    m_impl.reset();
    throw std::invalid_argument("aio: permessage-deflate window bits must be 9..15 to compress");
  }
  if (deflateInit2(&m_impl->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -window_bits, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    m_impl.reset();  // nothing to end: init failed
    throw std::bad_alloc();
  }
}

ws_deflater::~ws_deflater() = default;

void ws_deflater::compress(std::string_view message, std::string& out) {
  if (message.empty()) {
    // An empty stored block's first byte; the receiver's 00 00 ff ff completes it. Deflating nothing
    // right after a flush would produce no bytes at all.
    out.push_back('\0');
    return;
  }
  z_stream& z = m_impl->z;
  const std::size_t start = out.size();
  z.next_in = bytes(message.data());
  std::size_t left = message.size();
  for (;;) {
    const uInt in_now = clamp_uint(left);
    z.avail_in = in_now;
    const std::size_t old = out.size();
    const std::size_t room = std::max(k_step, static_cast<std::size_t>(deflateBound(&z, in_now)));
    out.resize(old + room);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + old);
    z.avail_out = clamp_uint(room);
    const int rc = deflate(&z, Z_SYNC_FLUSH);
    out.resize(old + (room - z.avail_out));
    left -= in_now - z.avail_in;
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      out.resize(start);
      deflateReset(&z);
      throw std::runtime_error("aio: permessage-deflate compression failed");
    }
    if (left == 0 && z.avail_in == 0 && z.avail_out != 0) break;
  }
  // A sync flush always ends with an empty stored block: 00 00 ff ff, which is not sent.
  if (out.size() - start >= k_tail.size() && std::string_view(out).substr(out.size() - 4) == k_tail) {
    out.resize(out.size() - 4);
  }
  if (m_no_context_takeover) deflateReset(&z);
}

// ---- decompression ------------------------------------------------------------------------------

struct ws_inflater::impl {
  z_stream z{};
  bool ended = false;  // the sender closed its DEFLATE stream (BFINAL): the rest of the message is ignored
  ~impl() { inflateEnd(&z); }
};

ws_inflater::ws_inflater(bool no_context_takeover)
    : m_impl(std::make_unique<impl>()), m_no_context_takeover(no_context_takeover) {
  // The largest window always: it decodes whatever window the peer chose.
  if (inflateInit2(&m_impl->z, -15) != Z_OK) {
    m_impl.reset();
    throw std::bad_alloc();
  }
}

ws_inflater::~ws_inflater() = default;

ws_inflate_status ws_inflater::feed(std::string_view in, std::string& out, std::size_t limit) {
  if (m_impl->ended) return ws_inflate_status::ok;
  z_stream& z = m_impl->z;
  z.next_in = bytes(in.data());
  std::size_t left = in.size();
  for (;;) {
    const uInt in_now = clamp_uint(left);
    z.avail_in = in_now;
    // Room for one byte past the limit: producing it proves the message is too big, and no more
    // than that is ever allocated.
    std::size_t room = std::max(k_step, std::min<std::size_t>(std::size_t{in_now} * 4, std::size_t{1} << 20));
    if (limit != 0) room = std::min(room, limit + 1 - out.size());
    const std::size_t old = out.size();
    out.resize(old + room);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + old);
    z.avail_out = clamp_uint(room);
    const int rc = inflate(&z, Z_SYNC_FLUSH);
    out.resize(old + (room - z.avail_out));
    left -= in_now - z.avail_in;
    if (limit != 0 && out.size() > limit) return ws_inflate_status::too_big;
    switch (rc) {
      case Z_OK:
        break;
      case Z_STREAM_END:
        m_impl->ended = true;
        return ws_inflate_status::ok;
      case Z_BUF_ERROR:  // no progress possible: all input used and all output flushed
        if (left == 0 && z.avail_in == 0) return ws_inflate_status::ok;
        break;
      case Z_MEM_ERROR:
        throw std::bad_alloc();
      default:  // Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR
        return ws_inflate_status::bad_data;
    }
    if (left == 0 && z.avail_in == 0 && z.avail_out != 0) return ws_inflate_status::ok;
  }
}

ws_inflate_status ws_inflater::finish(std::string& out, std::size_t limit) {
  const ws_inflate_status s = feed(k_tail, out, limit);
  if (s == ws_inflate_status::ok && (m_no_context_takeover || m_impl->ended)) reset();
  return s;
}

void ws_inflater::reset() noexcept {
  inflateReset(&m_impl->z);
  m_impl->ended = false;
}

}  // namespace aio::http::detail
