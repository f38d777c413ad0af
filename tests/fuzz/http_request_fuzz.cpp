// libFuzzer harness: arbitrary bytes into the HTTP/1.1 request parser, with small limits so the
// limit paths are reached too. Each input is parsed twice: whole, and in pieces whose sizes come from
// the input's first byte; both runs must agree on the events, heads and bodies (incremental parsing
// may not change the result). Build line: see docs/guide/http_protocol.md.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "../../src/http/parser.hpp"

namespace {

using aio::http::detail::parse_event;
using aio::http::detail::parser_limits;
using aio::http::detail::request_parser;

struct trace {
  std::vector<std::string> heads;
  std::string body;
  std::vector<parse_event> events;  // heads, completes and the final error/upgrade (not body pieces)
  bool failed = false;
};

parser_limits fuzz_limits() {
  parser_limits l;
  l.max_line_size = 512;
  l.max_field_size = 512;
  l.max_headers_size = 2048;
  l.max_headers = 16;
  l.max_body = 4096;
  return l;
}

std::string describe(const aio::http::request_head& h) {
  std::string s = h.method + ' ' + h.target + ' ' + std::to_string(h.version.major) + '.' +
                  std::to_string(h.version.minor);
  for (const auto& [n, v] : h.headers) s += '|' + n + ':' + v;
  s += h.keep_alive ? " ka" : " close";
  s += h.upgrade ? " up" : "";
  s += h.framing.chunked ? " chunked" : "";
  return s;
}

trace run(std::string_view input, std::size_t step) {
  request_parser p(fuzz_limits());
  trace t;
  std::string buffer;
  std::size_t pos = 0;
  std::size_t guard = 0;
  while (true) {
    auto n = std::min(step, input.size() - pos);
    buffer.append(input.substr(pos, n));
    pos += n;
    std::string_view view = buffer;
    while (true) {
      if (++guard > 10 * input.size() + 100) std::abort();  // the parser must always make progress
      auto [consumed, ev] = p.feed(view);
      if (consumed > view.size()) std::abort();
      view.remove_prefix(consumed);
      if (ev == parse_event::body) {
        if (p.body().empty()) std::abort();  // a body event always carries bytes
        t.body += p.body();
        continue;
      }
      if (ev == parse_event::need_more) break;
      t.events.push_back(ev);
      if (ev == parse_event::head) {
        t.heads.push_back(describe(p.head()));
        // The limits hold for every head the parser accepts.
        if (p.head().headers.size() > fuzz_limits().max_headers) std::abort();
        if (p.head().target.size() > fuzz_limits().max_line_size) std::abort();
      }
      if (ev == parse_event::error || ev == parse_event::upgraded) {
        if (ev == parse_event::error && p.error().reason.empty()) std::abort();
        t.failed = ev == parse_event::error;
        return t;
      }
    }
    buffer.erase(0, buffer.size() - view.size());
    if (pos >= input.size()) break;
  }
  if (p.body_bytes() > fuzz_limits().max_body) std::abort();
  if (p.finish() == parse_event::error) t.failed = true;
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::size_t step = 1 + data[0] % 17;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  trace whole = run(input, input.size() + 1);
  trace pieces = run(input, step);
  // Splitting the input must not change what was parsed before an error (an error may come earlier
  // or later only through the raw header-byte count, which depends on where a feed ends).
  if (!whole.failed && !pieces.failed) {
    if (whole.heads != pieces.heads || whole.body != pieces.body || whole.events != pieces.events)
      std::abort();
  }
  return 0;
}
