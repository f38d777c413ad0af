#include "compression.hpp"

#include <zlib.h>

#include <algorithm>
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

void decompressor::feed(std::string_view in, std::string& out, std::size_t max_out) {
  if (m_coding == content_coding::identity) {
    if (in.size() > m_max - m_total)
      throw body_too_large_error("body exceeds " + std::to_string(m_max) + " bytes");
    m_total += in.size();
    out += in;
    return;
  }
  if (in.empty() && !has_pending()) return;
  if (m_done) throw body_error("data after the end of the compressed body");
  // What to decode: the input an earlier call stopped before, then `in`.
  std::string_view src = in;
  if (!m_held.empty()) {
    m_held.append(in);
    src = m_held;
  }
  auto& st = *m_state;
  if (!st.initialised) {
    int window = gzip_window;
    if (m_coding == content_coding::deflate) {
      // A zlib header: CM = 8 and the first 16 bits are a multiple of 31 (RFC 1950). Otherwise raw.
      auto b0 = static_cast<unsigned char>(src[0]);
      bool zlib_header =
          src.size() >= 2 && (b0 & 0x0FU) == 8 && ((b0 << 8U) | static_cast<unsigned char>(src[1])) % 31 == 0;
      window = (src.size() < 2 || zlib_header) ? zlib_window : raw_window;
    }
    if (inflateInit2(&st.z, window) != Z_OK) throw std::runtime_error("zlib inflateInit2 failed");
    st.initialised = true;
  }
  std::array<char, 16384> buf{};
  std::size_t budget = max_out;
  std::size_t used = 0;  // bytes of `src` zlib has taken
  m_out_full = false;
  // Each round hands zlib the rest of the input (at most UINT_MAX / 2 at once) and at most 16 KiB
  // of output space, never more than the budget left.
  for (;;) {
    if (budget == 0) {
      m_out_full = true;  // zlib may hold more output: the next feed asks for it
      break;
    }
    const std::string_view piece = src.substr(used, static_cast<std::size_t>(UINT_MAX / 2));
    // zlib takes a non-const pointer but does not write through next_in.
    st.z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(piece.data()));  // NOLINT
    st.z.avail_in = static_cast<uInt>(piece.size());
    const std::size_t room = std::min(buf.size(), budget);
    st.z.next_out = reinterpret_cast<Bytef*>(buf.data());
    st.z.avail_out = static_cast<uInt>(room);
    const int rc = inflate(&st.z, Z_NO_FLUSH);
    if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR || rc == Z_MEM_ERROR || rc == Z_STREAM_ERROR) {
      throw body_error(std::string("corrupt compressed body: ") +
                       (st.z.msg != nullptr ? st.z.msg : "zlib error"));
    }
    const std::size_t produced = room - st.z.avail_out;
    if (produced > m_max - m_total) {
      throw body_too_large_error("decompressed body exceeds " + std::to_string(m_max) + " bytes");
    }
    m_total += produced;
    budget -= produced;
    out.append(buf.data(), produced);
    used += piece.size() - st.z.avail_in;
    if (rc == Z_STREAM_END) {
      m_done = true;
      m_held.clear();
      if (used != src.size()) throw body_error("data after the end of the compressed body");
      return;
    }
    // Output space left over means zlib took all the input it was given (inflate stops only when
    // one of the two runs out), so it needs more input, or the next UINT_MAX / 2 piece.
    if (st.z.avail_out != 0 && (used == src.size() || rc == Z_BUF_ERROR)) break;
  }
  // Keep what zlib has not taken (`src` may be m_held itself: erase, don't assign from it).
  if (src.data() == m_held.data() && !m_held.empty()) {
    m_held.erase(0, used);
  } else {
    m_held.assign(src.substr(used));
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

// ---- streaming encoder ---------------------------------------------------------------------------

struct compressor::state {
  z_stream z{};
  bool initialised = false;
  bool finished = false;
  ~state() {
    if (initialised) deflateEnd(&z);
  }
};

compressor::compressor(content_coding coding, int level) {
  if (coding == content_coding::identity) throw std::invalid_argument("compressor: identity is not a coding");
  auto st = std::make_unique<state>();
  const int window = coding == content_coding::gzip ? gzip_window : zlib_window;
  if (deflateInit2(&st->z, level, Z_DEFLATED, window, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::invalid_argument("zlib deflateInit2 failed (bad level?)");
  }
  st->initialised = true;
  m_state = std::move(st);
}

compressor::compressor(compressor&&) noexcept = default;
compressor& compressor::operator=(compressor&&) noexcept = default;
compressor::~compressor() = default;

namespace {
/// Runs deflate with `flush` until it has consumed `in` and has nothing more to give.
void run_deflate(z_stream& z, std::string_view in, int flush, std::string& out) {
  std::array<char, 16384> buf{};
  do {
    auto piece = in.substr(0, static_cast<std::size_t>(UINT_MAX / 2));
    in.remove_prefix(piece.size());
    const int step_flush = in.empty() ? flush : Z_NO_FLUSH;
    z.next_in =
        reinterpret_cast<Bytef*>(const_cast<char*>(piece.data()));  // NOLINT: zlib does not write input
    z.avail_in = static_cast<uInt>(piece.size());
    int rc = Z_OK;
    do {
      z.next_out = reinterpret_cast<Bytef*>(buf.data());
      z.avail_out = static_cast<uInt>(buf.size());
      rc = deflate(&z, step_flush);
      if (rc == Z_STREAM_ERROR) throw std::runtime_error("zlib deflate failed");
      out.append(buf.data(), buf.size() - z.avail_out);
      // Done when the output buffer was not filled: deflate had no more to give for this flush.
    } while (z.avail_out == 0 || (step_flush == Z_FINISH && rc != Z_STREAM_END));
  } while (!in.empty());
}
}  // namespace

void compressor::feed(std::string_view in, std::string& out) {
  if (m_state->finished) throw std::logic_error("compressor: feed() after finish()");
  if (in.empty()) return;
  run_deflate(m_state->z, in, Z_SYNC_FLUSH, out);
}

void compressor::finish(std::string& out) {
  if (m_state->finished) return;
  m_state->finished = true;
  run_deflate(m_state->z, {}, Z_FINISH, out);
}

// ---- negotiation ---------------------------------------------------------------------------------

namespace {

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// A qvalue (RFC 9110 12.4.2: "0" to "1", at most three decimals) in thousandths, or -1 if malformed.
int parse_qvalue(std::string_view v) {
  if (v.empty() || (v[0] != '0' && v[0] != '1')) return -1;
  int q = (v[0] - '0') * 1000;
  if (v.size() == 1) return q;
  if (v[1] != '.' || v.size() > 5) return -1;
  int scale = 100;
  for (char c : v.substr(2)) {
    if (c < '0' || c > '9') return -1;
    q += (c - '0') * scale;
    scale /= 10;
  }
  return q > 1000 ? -1 : q;
}

}  // namespace

accept_encoding_ranks parse_accept_encoding(std::string_view list) noexcept {
  accept_encoding_ranks r;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    std::string_view element = list.substr(0, comma);
    list.remove_prefix(comma == std::string_view::npos ? list.size() : comma + 1);
    const std::size_t semi = element.find(';');
    const std::string_view coding = trim_ows(element.substr(0, semi));
    if (coding.empty()) continue;
    int q = 1000;
    if (semi != std::string_view::npos) {
      const std::string_view param = trim_ows(element.substr(semi + 1));
      if (param.size() < 2 || (param[0] != 'q' && param[0] != 'Q') || param[1] != '=') continue;
      q = parse_qvalue(trim_ows(param.substr(2)));
      if (q < 0) continue;  // a malformed element is ignored, not the whole field
    }
    if (iequals(coding, "gzip") || iequals(coding, "x-gzip")) {
      r.gzip = std::max(r.gzip, q);
    } else if (iequals(coding, "deflate")) {
      r.deflate = std::max(r.deflate, q);
    } else if (iequals(coding, "br")) {
      r.br = std::max(r.br, q);
    } else if (iequals(coding, "identity")) {
      r.identity = std::max(r.identity, q);
    } else if (coding == "*") {
      r.any = std::max(r.any, q);
    }
  }
  return r;
}

content_coding negotiate_content_coding(std::optional<std::string_view> accept_encoding) noexcept {
  if (!accept_encoding) return content_coding::identity;  // no preference stated: do not compress
  const accept_encoding_ranks r = parse_accept_encoding(*accept_encoding);
  const int q_gzip = r.gzip < 0 ? r.any : r.gzip;
  const int q_deflate = r.deflate < 0 ? r.any : r.deflate;
  // identity competes only when the client ranked it (by name or by "*"); unranked, it is the
  // fallback, so "gzip;q=0.5" alone still means "gzip, please".
  const int q_identity = r.identity < 0 ? r.any : r.identity;
  const int best = std::max(q_gzip, q_deflate);
  if (best <= 0 || best < q_identity) return content_coding::identity;
  return q_gzip >= q_deflate ? content_coding::gzip : content_coding::deflate;
}

std::string_view content_coding_name(content_coding coding) noexcept {
  switch (coding) {
    case content_coding::gzip:
      return "gzip";
    case content_coding::deflate:
      return "deflate";
    case content_coding::identity:
      break;
  }
  return "identity";
}

}  // namespace aio::http::detail
