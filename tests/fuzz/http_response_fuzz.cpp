// libFuzzer harness: arbitrary bytes as a server's answer, through the HTTP/1.1 response parser and
// the gzip/deflate decoder the way client_session reads them (src/http/client/client_response.cpp):
// 1xx heads skipped up to a bound, a Content-Encoding body decoded in bounded steps under a size limit.
// Input: byte 0 picks the piece size, byte 1 the decoding step (1..4096 bytes); the rest is the stream.
// Each input is read twice, whole and in pieces; both must agree on heads and decoded bodies, every
// decoding step must stay within its bound and the total within the limit, and a body decoded in steps
// must equal the same body decoded in one call. Build line: see docs/guide/http_protocol.md.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../../src/http/compression.hpp"
#include "../../src/http/parser.hpp"
#include "aio/http/body_error.hpp"

namespace {

using aio::http::detail::content_coding;
using aio::http::detail::decompressor;
using aio::http::detail::parse_event;
using aio::http::detail::parser_limits;
using aio::http::detail::response_parser;

constexpr std::size_t k_max_output = 64 * 1024;  // the decoded-size limit (max_decompress_size)
constexpr std::size_t k_max_interim = 4;         // max_interim_responses

struct trace {
  std::vector<std::string> heads;
  std::vector<std::string> bodies;  // decoded, one per response
  std::vector<std::string> raw;     // as received (still encoded), one per response
  std::vector<content_coding> codings;
  std::vector<bool> complete;  // the response ended (message_complete)
  bool failed = false;
};

parser_limits fuzz_limits() {
  parser_limits l = aio::http::detail::response_limits();
  l.max_line_size = 512;
  l.max_field_size = 512;
  l.max_headers_size = 2048;
  l.max_headers = 16;
  return l;
}

std::string describe(const aio::http::response_head& h) {
  std::string s = std::to_string(h.status) + ' ' + h.reason;
  for (const auto& [n, v] : h.headers) s += '|' + n + ':' + v;
  s += h.keep_alive ? " ka" : " close";
  return s;
}

/// One decoding step as response_body::decode: at most `step` bytes appended, within the limit.
void decode(decompressor& d, std::string_view in, std::string& out, std::size_t step) {
  const std::size_t before = out.size();
  d.feed(in, out, step);
  if (out.size() - before > step) std::abort();
  if (d.total_out() > k_max_output) std::abort();
}

trace run(std::string_view input, std::size_t piece, std::size_t step) {
  response_parser p(fuzz_limits());
  trace t;
  std::optional<decompressor> dec;
  std::size_t interim = 0;
  std::string buffer;
  std::size_t pos = 0;
  std::size_t guard = 0;
  try {
    for (;;) {
      const std::size_t n = std::min(piece, input.size() - pos);
      buffer.append(input.substr(pos, n));
      pos += n;
      std::string_view view = buffer;
      for (;;) {
        if (++guard > 10 * input.size() + 100) std::abort();  // the parser must always make progress
        const auto [consumed, ev] = p.feed(view);
        if (consumed > view.size()) std::abort();
        view.remove_prefix(consumed);
        if (ev == parse_event::need_more) break;
        if (ev == parse_event::error || ev == parse_event::upgraded) {
          t.failed = true;
          return t;
        }
        if (ev == parse_event::head) {
          const int status = p.head().status;
          if (status >= 100 && status < 200 && status != 101) {
            if (++interim > k_max_interim) {
              t.failed = true;  // the client's bad_response_error
              return t;
            }
            continue;
          }
          t.heads.push_back(describe(p.head()));
          t.bodies.emplace_back();
          t.raw.emplace_back();
          dec.reset();
          content_coding coding = content_coding::identity;
          if (auto enc = p.head().headers.get("Content-Encoding")) {
            coding = aio::http::detail::parse_content_coding(*enc).value_or(content_coding::identity);
          }
          t.codings.push_back(coding);
          t.complete.push_back(false);
          if (coding != content_coding::identity) dec.emplace(coding, k_max_output);
        } else if (ev == parse_event::body) {
          if (p.body().empty() || t.raw.empty()) std::abort();  // a body event carries bytes, after a head
          t.raw.back() += p.body();
          if (dec) {
            decode(*dec, p.body(), t.bodies.back(), step);
            while (dec->has_pending()) decode(*dec, {}, t.bodies.back(), step);
          } else {
            t.bodies.back() += p.body();
          }
        } else if (ev == parse_event::message_complete) {
          if (dec && !t.raw.empty() && !t.raw.back().empty()) dec->finish();
          dec.reset();
          if (!t.complete.empty()) t.complete.back() = true;
          interim = 0;
        }
      }
      buffer.erase(0, buffer.size() - view.size());
      if (pos >= input.size()) break;
    }
    if (p.finish() == parse_event::error) t.failed = true;
  } catch (const aio::http::body_error&) {  // corrupt, truncated or too large: client_payload_error
    t.failed = true;
  }
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t piece = 1 + data[0] % 17;
  const std::size_t step = 1 + (static_cast<std::size_t>(data[1]) * 16) % 4096;
  const std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);
  const trace whole = run(input, input.size() + 1, SIZE_MAX);
  const trace pieces = run(input, piece, step);
  if (!whole.failed && !pieces.failed) {
    if (whole.heads != pieces.heads || whole.bodies != pieces.bodies) std::abort();
  }
  // A body decoded in bounded steps is the body decoded in one call.
  if (!pieces.failed) {
    for (std::size_t i = 0; i < pieces.raw.size(); ++i) {
      if (pieces.codings[i] == content_coding::identity || pieces.raw[i].empty() || !pieces.complete[i])
        continue;
      try {
        if (aio::http::detail::decompress(pieces.raw[i], pieces.codings[i], k_max_output) != pieces.bodies[i])
          std::abort();
      } catch (const aio::http::body_error&) {
        std::abort();  // it decoded in steps
      }
    }
  }
  return 0;
}
