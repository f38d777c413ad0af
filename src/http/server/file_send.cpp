// Sending a file_response: conditional requests (304), single byte ranges (206/416), then the
// bytes in pieces with flow control.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <optional>

#include "../serialize.hpp"
#include "aio/http/status.hpp"
#include "connection.hpp"
#include "head_writer.hpp"
#include "site.hpp"

namespace aio::http::detail {

namespace {

constexpr std::size_t k_file_piece = std::size_t{256} * 1024;

class fd_guard {
 public:
  explicit fd_guard(int fd) noexcept : m_fd(fd) {}
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  ~fd_guard() {
    if (m_fd >= 0) ::close(m_fd);
  }
  [[nodiscard]] int get() const noexcept { return m_fd; }

 private:
  int m_fd;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// A weak comparison (RFC 9110 8.8.3.2): the opaque tags, W/ ignored.
bool etag_matches(std::string_view list, std::string_view etag) {
  auto strip = [](std::string_view t) {
    t = trim(t);
    if (t.starts_with("W/")) t.remove_prefix(2);
    return t;
  };
  const std::string_view mine = strip(etag);
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view item = trim(list.substr(0, comma));
    if (item == "*" || strip(item) == mine) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

std::optional<std::time_t> parse_http_date(std::string_view s) {
  std::tm tm{};
  const std::string str(trim(s));
  const char* end = ::strptime(str.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return ::timegm(&tm);
}

std::string_view guess_type(const std::filesystem::path& p) {
  const std::string ext = p.extension().string();
  struct entry {
    std::string_view ext, type;
  };
  static constexpr entry table[] = {
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".json", "application/json"},
      {".txt", "text/plain; charset=utf-8"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".svg", "image/svg+xml"},
      {".ico", "image/x-icon"},
      {".webp", "image/webp"},
      {".pdf", "application/pdf"},
      {".wasm", "application/wasm"},
      {".xml", "application/xml"},
      {".mp4", "video/mp4"},
      {".zip", "application/zip"},
      {".gz", "application/gzip"},
      {".csv", "text/csv; charset=utf-8"},
  };
  for (const auto& e : table) {
    if (iequals(e.ext, ext)) return e.type;
  }
  return "application/octet-stream";
}

struct byte_range {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
};

bool parse_u64(std::string_view s, std::uint64_t& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

/// One range of `bytes=...` against `size`: nothing for a header to ignore (malformed, several
/// ranges), `unsatisfiable` set for a range past the end.
std::optional<byte_range> parse_range(std::string_view v, std::uint64_t size, bool& unsatisfiable) {
  v = trim(v);
  if (!v.starts_with("bytes=")) return std::nullopt;
  v.remove_prefix(6);
  if (v.find(',') != std::string_view::npos) return std::nullopt;  // several ranges: send it all
  const std::size_t dash = v.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const std::string_view a = trim(v.substr(0, dash));
  const std::string_view b = trim(v.substr(dash + 1));
  byte_range r;
  if (a.empty()) {  // suffix: the last n bytes
    std::uint64_t n = 0;
    if (!parse_u64(b, n)) return std::nullopt;
    if (n == 0 || size == 0) {
      unsatisfiable = true;
      return std::nullopt;
    }
    r.first = n >= size ? 0 : size - n;
    r.last = size - 1;
    return r;
  }
  if (!parse_u64(a, r.first)) return std::nullopt;
  if (b.empty()) {
    r.last = size == 0 ? 0 : size - 1;
  } else if (!parse_u64(b, r.last) || r.last < r.first) {
    return std::nullopt;
  }
  if (r.first >= size) {
    unsatisfiable = true;
    return std::nullopt;
  }
  if (r.last >= size) r.last = size - 1;
  return r;
}

std::string hex(std::uint64_t v) {
  char buf[17];
  const int n = std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace

coro<> http_connection::send_file(response& resp) {
  const request_head& h = m_parser.head();
  const fd_guard fd(::open(resp.file_path().c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st {};
  if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    const int status = fd.get() < 0 && errno == EACCES ? 403 : 404;
    response err(status, std::to_string(status) + ": " + std::string(reason_phrase(status)));
    err.headers() = resp.headers();  // what middlewares added still applies
    co_await send_response(err);
    co_return;
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  const std::uint64_t mtime_ns = static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1000000000ULL +
                                 static_cast<std::uint64_t>(st.st_mtim.tv_nsec);
  const std::string etag = "W/\"" + hex(mtime_ns) + "-" + hex(size) + "\"";
  const std::string last_modified = format_http_date(st.st_mtim.tv_sec);

  headers fields = resp.headers();
  fields.set("ETag", etag);
  fields.set("Last-Modified", last_modified);
  fields.set("Accept-Ranges", "bytes");

  int status = resp.status();
  bool not_modified = false;
  if (auto inm = h.headers.get("If-None-Match")) {
    not_modified = etag_matches(*inm, etag);
  } else if (auto ims = h.headers.get("If-Modified-Since")) {
    const auto since = parse_http_date(*ims);
    not_modified = since && st.st_mtim.tv_sec <= *since;
  }
  std::uint64_t offset = 0;
  std::uint64_t length = size;
  if (not_modified && (h.method == "GET" || h.method == "HEAD")) {
    status = 304;
    length = 0;
  } else if (auto range = h.headers.get("Range"); range && (h.method == "GET" || h.method == "HEAD")) {
    bool use = true;
    if (auto if_range = h.headers.get("If-Range")) {
      const std::string_view ir = trim(*if_range);
      use = ir == etag || ir == last_modified;
    }
    bool unsatisfiable = false;
    const auto r = use ? parse_range(*range, size, unsatisfiable) : std::nullopt;
    if (use && unsatisfiable) {
      response err(416, "416: Range Not Satisfiable");
      err.headers() = resp.headers();
      err.headers().set("Content-Range", "bytes */" + std::to_string(size));
      co_await send_response(err);
      co_return;
    }
    if (r) {
      status = 206;
      offset = r->first;
      length = r->last - r->first + 1;
      fields.set("Content-Range", "bytes " + std::to_string(r->first) + "-" + std::to_string(r->last) + "/" +
                                      std::to_string(size));
    }
  }
  if (resp.must_close() || must_close()) m_close = true;
  head_spec spec;
  spec.status = status;
  spec.fields = &fields;
  spec.content_type =
      resp.content_type().empty() ? guess_type(resp.file_path()) : std::string_view(resp.content_type());
  spec.framing = body_framing_kind::length;
  spec.length = length;
  spec.connection = m_close                ? connection_header::close
                    : h.version.minor == 0 ? connection_header::keep_alive
                                           : connection_header::none;
  write_server_head(m_out, spec);
  if (m_site->opts.access_log) log_access(status, m_is_head ? 0 : length);
  if (m_is_head || status == 304 || length == 0) co_return;
  flush();
  std::string piece;
  std::uint64_t left = length;
  while (left > 0) {
    const std::size_t want = left < k_file_piece ? static_cast<std::size_t>(left) : k_file_piece;
    piece.resize(want);
    const ssize_t n = ::pread(fd.get(), piece.data(), want, static_cast<off_t>(offset));
    if (n <= 0) {  // the file shrank or failed: the promised length cannot be kept
      m_close = true;
      m_writer.abort();
      co_return;
    }
    piece.resize(static_cast<std::size_t>(n));
    m_writer.write(piece);
    offset += static_cast<std::uint64_t>(n);
    left -= static_cast<std::uint64_t>(n);
    co_await m_writer.drain();
  }
}

}  // namespace aio::http::detail
