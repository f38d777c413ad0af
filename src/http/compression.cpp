#include "compression.hpp"

#include <zlib.h>

#include <array>
#include <climits>
#include <stdexcept>

#include "aio/http/body_error.hpp"
#include "aio/http/headers.hpp"

namespace aio::http::detail {

namespace {
constexpr int gzip_window = 15 + 16;  // zlib: a gzip wrapper
constexpr int zlib_window = 15;
constexpr int raw_window = -15;
}  // namespace

struct decompressor::state {
  z_stream z{};
  bool initialised = false;
  ~state() {
    if (initialised) inflateEnd(&z);
  }
};

std::optional<content_coding> parse_content_coding(std::string_view v) noexcept {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  if (v.empty() || iequals(v, "identity")) return content_coding::identity;
  if (iequals(v, "gzip") || iequals(v, "x-gzip")) return content_coding::gzip;
  if (iequals(v, "deflate")) return content_coding::deflate;
  return std::nullopt;
}

decompressor::decompressor(content_coding coding, std::size_t max_output)
    : m_state(std::make_unique<state>()), m_coding(coding), m_max(max_output) {}
decompressor::decompressor(decompressor&&) noexcept = default;
decompressor& decompressor::operator=(decompressor&&) noexcept = default;
decompressor::~decompressor() = default;

void decompressor::feed(std::string_view in, std::string& out) {
  if (m_coding == content_coding::identity) {
    if (in.size() > m_max - m_total)
      throw body_too_large_error("body exceeds " + std::to_string(m_max) + " bytes");
    m_total += in.size();
    out += in;
    return;
  }
  if (in.empty()) return;
  if (m_done) throw body_error("data after the end of the compressed body");
  auto& st = *m_state;
  if (!st.initialised) {
    int window = gzip_window;
    if (m_coding == content_coding::deflate) {
      // A zlib header: CM = 8 and the first 16 bits are a multiple of 31 (RFC 1950). Otherwise raw.
      auto b0 = static_cast<unsigned char>(in[0]);
      bool zlib_header =
          in.size() >= 2 && (b0 & 0x0FU) == 8 && ((b0 << 8U) | static_cast<unsigned char>(in[1])) % 31 == 0;
      window = (in.size() < 2 || zlib_header) ? zlib_window : raw_window;
    }
    if (inflateInit2(&st.z, window) != Z_OK) throw std::runtime_error("zlib inflateInit2 failed");
    st.initialised = true;
  }
  std::array<char, 16384> buf{};
  while (!in.empty()) {
    auto piece = in.substr(0, static_cast<std::size_t>(UINT_MAX / 2));
    in.remove_prefix(piece.size());
    // zlib takes a non-const pointer but does not write through next_in.
    st.z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(piece.data()));  // NOLINT
    st.z.avail_in = static_cast<uInt>(piece.size());
    do {
      st.z.next_out = reinterpret_cast<Bytef*>(buf.data());
      st.z.avail_out = static_cast<uInt>(buf.size());
      int rc = inflate(&st.z, Z_NO_FLUSH);
      if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR || rc == Z_MEM_ERROR || rc == Z_STREAM_ERROR) {
        throw body_error(std::string("corrupt compressed body: ") +
                         (st.z.msg != nullptr ? st.z.msg : "zlib error"));
      }
      std::size_t produced = buf.size() - st.z.avail_out;
      if (produced > m_max - m_total) {
        throw body_too_large_error("decompressed body exceeds " + std::to_string(m_max) + " bytes");
      }
      m_total += produced;
      out.append(buf.data(), produced);
      if (rc == Z_STREAM_END) {
        m_done = true;
        if (st.z.avail_in != 0 || !in.empty()) throw body_error("data after the end of the compressed body");
        return;
      }
      if (rc == Z_BUF_ERROR && st.z.avail_in == 0) break;
    } while (st.z.avail_in != 0 || st.z.avail_out == 0);
  }
}

void decompressor::finish() {
  if (m_coding == content_coding::identity) return;
  if (!m_done && m_state->initialised) throw body_error("truncated compressed body");
  if (!m_state->initialised) throw body_error("empty compressed body");
}

std::string decompress(std::string_view in, content_coding coding, std::size_t max_output) {
  decompressor d(coding, max_output);
  std::string out;
  d.feed(in, out);
  d.finish();
  return out;
}

std::string compress(std::string_view in, content_coding coding, int level) {
  if (coding == content_coding::identity) return std::string(in);
  if (in.size() > UINT_MAX / 2) throw std::invalid_argument("body too large to compress in one call");
  z_stream z{};
  int window = coding == content_coding::gzip ? gzip_window : zlib_window;
  if (deflateInit2(&z, level, Z_DEFLATED, window, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::invalid_argument("zlib deflateInit2 failed (bad level?)");
  }
  std::string out;
  out.resize(deflateBound(&z, static_cast<uLong>(in.size())) + 32);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));  // NOLINT: zlib does not write input
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("zlib deflate failed");
  return out;
}

}  // namespace aio::http::detail
