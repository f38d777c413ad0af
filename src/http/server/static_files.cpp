// router::add_static: a directory served safely (aiohttp's `web.static`). See docs/design/http_server.md.
//
// The request path is checked twice: first as sent (encoded separators and NUL never reach the file
// system: `%2f` would let one decoded segment hold a '/', so `..%2f..` could pass a segment check),
// then segment by segment decoded (`..` refused, empty and `.` dropped). What is left is joined under
// the directory, and, unless `follow_symlinks`, the result's real path (links resolved) must still
// be inside the directory's real path. The file is then sent by `file_response` (ranges, ETags,
// precompressed siblings, which it looks up without following links).

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "../text.hpp"
#include "aio/http/query.hpp"
#include "aio/http/server/file_response.hpp"
#include "aio/http/server/request.hpp"
#include "aio/http/server/response.hpp"
#include "aio/http/server/router.hpp"

namespace aio::http {

namespace {

struct static_root {
  std::filesystem::path directory;  // canonical (links resolved), no trailing '/'
  static_options opts;
};

response not_found() { return response(404, "404: Not Found"); }

/// True when `raw` (the path as sent) holds `%XX` for a byte no file name may carry in a request:
/// '/' and '\' (a separator hidden inside one segment) and NUL (C strings end there).
bool has_forbidden_escape(std::string_view raw) {
  for (std::size_t i = raw.find('%'); i != std::string_view::npos && i + 2 < raw.size();
       i = raw.find('%', i + 1)) {
    const char hi = raw[i + 1];
    const char lo = static_cast<char>(raw[i + 2] | 0x20);  // lower case
    if (hi == '2' && lo == 'f') return true;
    if (hi == '5' && lo == 'c') return true;
    if (hi == '0' && raw[i + 2] == '0') return true;
  }
  return false;
}

/// `p` is `root` or below it (both canonical).
bool within(const std::filesystem::path& p, const std::filesystem::path& root) {
  const std::string& s = p.native();
  const std::string& r = root.native();
  if (s.size() < r.size() || s.compare(0, r.size(), r) != 0) return false;
  return s.size() == r.size() || s[r.size()] == '/' || r == "/";
}

std::string html_escape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

/// aiohttp's `_directory_as_html`: the entries sorted, directories with a trailing '/'.
response directory_index(const std::filesystem::path& dir, std::string_view url_path) {
  std::vector<std::pair<std::string, bool>> entries;  // (name, is directory)
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    std::error_code dec;
    entries.emplace_back(e.path().filename().string(), e.is_directory(dec));
  }
  if (ec) return response(403, "403: Forbidden");
  std::sort(entries.begin(), entries.end());
  std::string base(url_path);
  if (base.empty() || base.back() != '/') base += '/';
  const std::string title = "Index of " + html_escape(base);
  std::string html =
      "<html>\n<head>\n<title>" + title + "</title>\n</head>\n<body>\n<h1>" + title + "</h1>\n<ul>\n";
  for (const auto& [name, is_dir] : entries) {
    const std::string shown = name + (is_dir ? "/" : "");
    html += "<li><a href=\"" + html_escape(percent_encode(base + shown, url_component::path)) + "\">" +
            html_escape(shown) + "</a></li>\n";
  }
  html += "</ul>\n</body>\n</html>";
  return response(200, std::move(html), "text/html; charset=utf-8");
}

/// Everything but the file system's answer is decided here, without an exception (hostile requests
/// are cheap to refuse).
coro<response> serve_static(std::shared_ptr<const static_root> root, request& req) {
  const std::string_view raw = req.raw_path();
  if (raw.find('\\') != std::string_view::npos || raw.find('\0') != std::string_view::npos ||
      has_forbidden_escape(raw)) {
    co_return not_found();
  }
  std::string_view rest = req.match_info("filename");
  std::filesystem::path candidate = root->directory;
  while (!rest.empty()) {
    const std::size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (segment.empty() || segment == ".") continue;
    if (segment == ".." || segment.find('\0') != std::string_view::npos ||
        segment.find('\\') != std::string_view::npos) {
      co_return not_found();
    }
    candidate /= segment;
  }
  std::filesystem::path file = candidate;
  if (!root->opts.follow_symlinks) {
    // Links are followed only where they stay inside (aiohttp resolves, then checks the result).
    std::error_code ec;
    file = std::filesystem::weakly_canonical(candidate, ec);
    if (ec || !within(file, root->directory)) co_return not_found();
  }
  struct stat st {};
  if (::stat(file.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    if (!root->opts.show_index) co_return response(403, "403: Forbidden");
    co_return directory_index(file, req.path());
  }
  co_return file_response(std::move(file));
}

}  // namespace

router& router::add_static(std::string_view prefix, const std::filesystem::path& directory,
                           static_options opts) {
  if (prefix.empty() || prefix.front() != '/' || prefix.find_first_of("{}") != std::string_view::npos) {
    throw std::invalid_argument("aio.http: a static prefix must start with '/' and have no '{' or '}': " +
                                std::string(prefix));
  }
  while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::canonical(directory, ec);
  if (ec || !std::filesystem::is_directory(dir, ec)) {
    throw std::invalid_argument("aio.http: add_static: no directory at " + directory.string());
  }
  auto root = std::make_shared<const static_root>(static_root{std::move(dir), opts});
  handler h = [root](request& req) { return serve_static(root, req); };
  add_prefix_route("GET", prefix, h);
  add_prefix_route("HEAD", prefix, std::move(h));
  return *this;
}

}  // namespace aio::http
