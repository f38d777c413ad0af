// Sending a file_response: the file or a precompressed sibling the client accepts (`.br`, `.gz`),
// conditional requests (304), byte ranges (206, multipart/byteranges, 416), then the bytes with
// stream_writer::sendfile (sendfile(2); pread + write on TLS).

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>

#include "../serialize.hpp"
#include "../text.hpp"
#include "aio/errors.hpp"
#include "aio/http/status.hpp"
#include "byte_ranges.hpp"
#include "compress_response.hpp"
#include "connection.hpp"
#include "head_writer.hpp"
#include "site.hpp"

namespace aio::http::detail {

namespace {

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

using aio::http::detail::trim_ows;

/// A weak comparison (RFC 9110 8.8.3.2): the opaque tags, W/ ignored.
bool etag_matches(std::string_view list, std::string_view etag) {
  auto strip = [](std::string_view t) {
    t = trim_ows(t);
    if (t.starts_with("W/")) t.remove_prefix(2);
    return t;
  };
  const std::string_view mine = strip(etag);
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view item = trim_ows(list.substr(0, comma));
    if (item == "*" || strip(item) == mine) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

std::optional<std::time_t> parse_http_date(std::string_view s) {
  std::tm tm{};
  const std::string str(trim_ows(s));
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

std::string hex(std::uint64_t v) {
  char buf[17];
  const int n = std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
  return std::string(buf, static_cast<std::size_t>(n));
}

/// A regular file that is not a symbolic link. Siblings are looked up with lstat, as aiohttp does:
/// the handler vouched for `path`, not for where a link next to it points.
bool is_plain_file(const std::string& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

/// The file a file_response sends: the one named, or a precompressed sibling.
struct chosen_file {
  int fd = -1;
  int open_errno = 0;  // why the named file could not be opened
  struct stat st {};   // valid when fd >= 0 and stat_ok
  bool stat_ok = false;
  std::string_view coding;    // the sibling's Content-Encoding; "" for the file itself
  bool has_siblings = false;  // a sibling exists: the response varies on Accept-Encoding
};

/// Opens the best sibling of `path` the request accepts (a regular file, not a link), else `path`.
/// With `lookup` false (the handler set a Content-Encoding) siblings are not considered.
chosen_file choose_file(const std::filesystem::path& path, const headers& request_fields, bool lookup) {
  chosen_file out;
  if (lookup) {
    const precompressed_order order = acceptable_precompressed(request_fields.get("Accept-Encoding"));
    std::array<bool, k_precompressed_variants.size()> tried{};
    for (std::size_t k = 0; k < order.count; ++k) {
      const precompressed_variant& v = k_precompressed_variants[order.index[k]];
      tried[order.index[k]] = true;
      const std::string sibling = path.native() + std::string(v.suffix);
      if (!is_plain_file(sibling)) continue;
      out.has_siblings = true;
      const int fd = ::open(sibling.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
      if (fd < 0) continue;
      if (::fstat(fd, &out.st) == 0 && S_ISREG(out.st.st_mode)) {
        out.fd = fd;
        out.stat_ok = true;
        out.coding = v.coding;
        return out;
      }
      ::close(fd);  // replaced since the lstat: not a file to send
    }
    // Not accepted siblings still make the response depend on Accept-Encoding (for caches).
    for (std::size_t i = 0; i < k_precompressed_variants.size() && !out.has_siblings; ++i) {
      if (!tried[i]) {
        out.has_siblings = is_plain_file(path.native() + std::string(k_precompressed_variants[i].suffix));
      }
    }
  }
  out.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (out.fd < 0) {
    out.open_errno = errno;
  } else {
    out.stat_ok = ::fstat(out.fd, &out.st) == 0;
  }
  return out;
}

}  // namespace

coro<> http_connection::send_file(response& resp) {
  const request_head& h = m_parser.head();
  // A NUL ends the name for open(2): "index.txt\0.png" would send index.txt as image/png. No file
  // has such a name, so it is 404, as for any name that does not exist.
  const bool nul = resp.file_path().native().find('\0') != std::string::npos;
  chosen_file chosen;
  if (nul) {
    chosen.open_errno = ENOENT;
  } else {
    chosen = choose_file(resp.file_path(), h.headers, !resp.headers().contains("Content-Encoding"));
  }
  const fd_guard fd(chosen.fd);
  const struct stat& st = chosen.st;
  if (fd.get() < 0 || !chosen.stat_ok || !S_ISREG(st.st_mode)) {
    const int status = fd.get() < 0 && chosen.open_errno == EACCES ? 403 : 404;
    response err(status, std::to_string(status) + ": " + std::string(reason_phrase(status)));
    err.headers() = resp.headers();  // what middlewares added still applies
    co_await send_response(err);
    co_return;
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  const std::uint64_t mtime_ns = static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1000000000ULL +
                                 static_cast<std::uint64_t>(st.st_mtim.tv_nsec);
  // A sibling's tag names its coding too, so it never equals the file's even if mtime and size do.
  const std::string etag = "W/\"" + hex(mtime_ns) + "-" + hex(size) +
                           (chosen.coding.empty() ? "" : "-" + std::string(chosen.coding)) + "\"";
  const std::string last_modified = format_http_date(st.st_mtim.tv_sec);

  headers fields = resp.headers();
  fields.set("ETag", etag);
  fields.set("Last-Modified", last_modified);
  fields.set("Accept-Ranges", "bytes");
  if (chosen.has_siblings) add_vary_accept_encoding(fields);

  int status = resp.status();
  bool not_modified = false;
  if (auto inm = h.headers.get("If-None-Match")) {
    not_modified = etag_matches(*inm, etag);
  } else if (auto ims = h.headers.get("If-Modified-Since")) {
    const auto since = parse_http_date(*ims);
    not_modified = since && st.st_mtim.tv_sec <= *since;
  }
  std::vector<byte_range> ranges;  // empty: the whole file
  std::uint64_t length = size;
  if (not_modified && (h.method == "GET" || h.method == "HEAD")) {
    status = 304;
    length = 0;
  } else if (auto range = h.headers.get("Range"); range && (h.method == "GET" || h.method == "HEAD")) {
    bool use = true;
    if (auto if_range = h.headers.get("If-Range")) {
      const std::string_view ir = trim_ows(*if_range);
      // RFC 9110 13.1.5: If-Range compares entity tags strongly, so a weak tag (ours are) never
      // matches; a date must equal Last-Modified exactly.
      use = (!ir.starts_with("W/") && ir == etag) || ir == last_modified;
    }
    range_request rq = use ? parse_range_header(*range, size) : range_request{};
    if (rq.result == range_request::outcome::unsatisfiable) {
      response err(416, "416: Range Not Satisfiable");
      err.headers() = resp.headers();
      if (chosen.has_siblings) add_vary_accept_encoding(err.headers());
      err.headers().set("Content-Range", "bytes */" + std::to_string(size));
      co_await send_response(err);
      co_return;
    }
    if (rq.result == range_request::outcome::ranges) {
      status = 206;
      ranges = std::move(rq.ranges);
    }
  }
  // Ranges and lengths above are of the bytes sent, the compressed ones for a sibling (as nginx's
  // gzip_static). A 304 does not name the coding: it describes no body.
  if (!chosen.coding.empty() && status != 304) fields.set("Content-Encoding", std::string(chosen.coding));
  // A Content-Type among the handler's headers wins over the guess (write_server_head keeps it). The
  // guess is from the name asked for, so a sibling keeps the type of what it encodes.
  const std::string file_type(!resp.content_type().empty()      ? std::string_view(resp.content_type())
                              : fields.contains("Content-Type") ? fields.get("Content-Type", "")
                                                                : guess_type(resp.file_path()));
  std::optional<byteranges_framing> multipart;
  std::string multipart_type;
  if (ranges.size() == 1) {
    length = ranges[0].length();
    fields.set("Content-Range", "bytes " + std::to_string(ranges[0].first) + "-" +
                                    std::to_string(ranges[0].last) + "/" + std::to_string(size));
  } else if (ranges.size() > 1) {
    multipart.emplace(file_type, size);
    length = multipart->body_length(ranges);
    multipart_type = multipart->content_type();
    fields.erase("Content-Type");  // the parts carry the file's type; the whole is multipart
  }
  if (resp.must_close() || must_close()) m_close = true;
  head_spec spec;
  spec.status = status;
  spec.fields = &fields;
  spec.content_type = multipart ? std::string_view(multipart_type) : std::string_view(file_type);
  spec.framing = body_framing_kind::length;
  spec.length = length;
  spec.connection = m_close                ? connection_header::close
                    : h.version.minor == 0 ? connection_header::keep_alive
                                           : connection_header::none;
  write_server_head(m_out, spec);
  if (m_site->opts.access_log) log_access(status, m_is_head ? 0 : length);
  if (m_is_head || status == 304 || length == 0) co_return;
  flush();
  if (!multipart) {
    const std::uint64_t first = ranges.empty() ? 0 : ranges[0].first;
    co_await send_file_range(fd.get(), first, length);
    co_return;
  }
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    m_writer.write(multipart->part_head(i, ranges[i]));
    if (!co_await send_file_range(fd.get(), ranges[i].first, ranges[i].length())) co_return;
  }
  m_writer.write(multipart->closing());
}

coro<bool> http_connection::send_file_range(int fd, std::uint64_t offset, std::uint64_t length) {
  // Under send_timeout as any output: a client that stops reading a large file is disconnected.
  const phase saved = m_phase;
  begin_send_wait();
  std::uint64_t sent = 0;
  bool timed_out = false;
  try {
    sent = co_await m_writer.sendfile(fd, offset, length);
  } catch (const cancelled_error&) {
    if (m_stop == stop_reason::none) throw;  // someone else's cancellation
    timed_out = true;
  }
  if (!end_send_wait(saved, timed_out)) co_return false;
  if (sent == length) co_return true;
  // The file shrank: the promised length cannot be kept, and only closing tells the client.
  m_close = true;
  m_writer.abort();
  co_return false;
}

}  // namespace aio::http::detail
