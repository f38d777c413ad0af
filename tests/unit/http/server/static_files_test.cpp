// router::add_static against a hostile peer: every traversal trick (`..`, encoded dots and
// separators, NUL, absolute-form targets, links out of the root) is 404 and sends no byte of a file
// outside the root; normal requests still get ranges, precompressed siblings and 304s. Real sockets on
// loopback, the hostile bytes sent as is.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "aio/http/server.hpp"
#include "server_test_util.hpp"

namespace {

using aio::coro;
using aio::http::request;
using aio::http::response;
using namespace server_test;
namespace fs = std::filesystem;

using aio_test::k_real;
constexpr std::string_view k_secret = "TOP-SECRET-OUTSIDE-THE-ROOT";

/// tmp/root (served) next to tmp/outside (never served unless a link is followed on purpose).
struct tree {
  fs::path base;
  fs::path root;
  tree() {
    base = fs::temp_directory_path() / ("aio_static_" + std::to_string(::getpid()));
    fs::remove_all(base);
    root = base / "root";
    fs::create_directories(root / "sub");
    fs::create_directories(base / "outside");
    write(root / "index.txt", "INDEX-CONTENT");
    write(root / "sub" / "a.txt", "A-CONTENT");
    write(root / "gz.txt", "PLAIN");
    write(root / "gz.txt.gz", "GZIPPED");
    write(base / "outside" / "secret.txt", std::string(k_secret));
    write(base / "root-sibling.txt", std::string(k_secret));  // "root" is a prefix of "root-sibling"
    fs::create_symlink("../outside/secret.txt", root / "out.txt");
    fs::create_symlink("../outside", root / "outdir");
    fs::create_symlink("/etc/passwd", root / "abs.txt");
    fs::create_symlink("index.txt", root / "in.txt");
    fs::create_symlink("loop", root / "loop");
    // A sibling that is a link out: never sent, even to a client that accepts gzip.
    write(base / "outside" / "secret.txt.gz", std::string(k_secret));
    fs::create_symlink("../outside/secret.txt.gz", root / "index.txt.gz");
  }
  tree(const tree&) = delete;
  tree& operator=(const tree&) = delete;
  ~tree() { fs::remove_all(base); }
  static void write(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }
};

aio::http::application static_app(const fs::path& root, aio::http::static_options opts) {
  aio::http::application app;
  app.router().add_static("/static", root, opts);
  // The pattern the guide used to show: a handler building the path itself. file_response must still
  // refuse a NUL.
  app.router().add_get("/raw/{name}", [root](request& req) -> coro<response> {
    co_return aio::http::file_response(root / std::string(req.match_info("name")));
  });
  app.router().add_get("/", [](request&) -> coro<response> { co_return aio::http::text_response("home"); });
  return app;
}

std::string get(std::string_view target, bool close = false) {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: x\r\n" + (close ? "Connection: close\r\n" : "") +
         "\r\n";
}

TEST(HttpStaticFiles, TraversalVariantsAre404WithoutOutsideBytes) {
  const tree t;
  auto app = static_app(t.root, {.show_index = false, .follow_symlinks = false});
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        const std::vector<std::string> targets = {
            "/static/../outside/secret.txt",
            "/static/sub/../../outside/secret.txt",
            "/static/./../outside/secret.txt",
            "/static/%2e%2e/outside/secret.txt",
            "/static/%2E%2E/outside/secret.txt",
            "/static/.%2e/outside/secret.txt",
            "/static/..%2foutside%2fsecret.txt",
            "/static/..%2Foutside/secret.txt",
            "/static/%2e%2e%2foutside%2fsecret.txt",
            "/static/..%5coutside%5csecret.txt",
            "/static/sub%2f..%2f..%2foutside/secret.txt",
            "/static/%2fetc%2fpasswd",
            "/static/index.txt%00.png",
            "/static/%00",
            "/static/..%00/outside/secret.txt",
            "/static/../root-sibling.txt",
            "/static/out.txt",
            "/static/outdir/secret.txt",
            "/static/abs.txt",
            "/static/loop",
            "/static/missing.txt",
            "/static//etc/passwd",
            "/static/%252e%252e/outside/secret.txt",
            "http://x/static/../outside/secret.txt",
            "http://x/static/%2e%2e/outside/secret.txt",
            "http://x/static/..%2f..%2f..%2fetc%2fpasswd",
            "/raw/index.txt%00.png",
        };
        for (const std::string& target : targets) {
          auto c = co_await raw_client::connect(srv.port());
          c.send(get(target, true));
          const std::string all = co_await c.read_all();  // everything the server sends
          EXPECT_TRUE(all.starts_with("HTTP/1.1 404 ")) << target << "\n" << all;
          EXPECT_EQ(all.find(k_secret), std::string::npos) << target;
          EXPECT_EQ(all.find("root:"), std::string::npos) << target;          // /etc/passwd
          EXPECT_EQ(all.find("INDEX-CONTENT"), std::string::npos) << target;  // no truncation at NUL
        }
        // A backslash as sent reaches the route (llhttp allows it) and is refused there; a raw NUL is
        // refused by llhttp (400) before any route.
        auto c = co_await raw_client::connect(srv.port());
        c.send(get("/static/..\\outside\\secret.txt", true));
        std::string all = co_await c.read_all();
        EXPECT_TRUE(all.starts_with("HTTP/1.1 404 ")) << all;
        EXPECT_EQ(all.find(k_secret), std::string::npos);
        auto c2 = co_await raw_client::connect(srv.port());
        c2.send(get(std::string_view("/static/index.txt\0.png", 22), true));
        all = co_await c2.read_all();
        EXPECT_TRUE(all.starts_with("HTTP/1.1 400 ")) << all;
        EXPECT_EQ(all.find("INDEX-CONTENT"), std::string::npos);
        co_await srv.shutdown();
      }(app),
      k_real);
}

TEST(HttpStaticFiles, ServesNormalisedPathsWithFileResponseFeatures) {
  const tree t;
  auto app = static_app(t.root, {});
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        auto r = co_await c.request(get("/static/index.txt"));
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.body, "INDEX-CONTENT");
        EXPECT_EQ(r.headers.get("Content-Type", ""), "text/plain; charset=utf-8");
        const std::string etag(r.headers.get("ETag", ""));
        EXPECT_FALSE(etag.empty());
        // Empty and "." segments are dropped; encoded ordinary characters are decoded.
        r = co_await c.request(get("/static/./sub//a.txt"));
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.body, "A-CONTENT");
        r = co_await c.request(get("/static/sub/%61.txt"));
        EXPECT_EQ(r.body, "A-CONTENT");
        // A link that stays inside the root is followed, as aiohttp.
        r = co_await c.request(get("/static/in.txt"));
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.body, "INDEX-CONTENT");
        // Ranges, conditional requests, precompressed siblings.
        r = co_await c.request("GET /static/index.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=0-4\r\n\r\n");
        EXPECT_EQ(r.status, 206);
        EXPECT_EQ(r.body, "INDEX");
        r = co_await c.request("GET /static/index.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + etag +
                               "\r\n\r\n");
        EXPECT_EQ(r.status, 304);
        r = co_await c.request("GET /static/gz.txt HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n");
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.headers.get("Content-Encoding", ""), "gzip");
        EXPECT_EQ(r.body, "GZIPPED");
        // index.txt.gz is a link out of the root: not a sibling to send.
        r = co_await c.request("GET /static/index.txt HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n");
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.body, "INDEX-CONTENT");
        EXPECT_FALSE(r.headers.contains("Content-Encoding"));
        // HEAD: the head only.
        r = co_await c.request("HEAD /static/index.txt HTTP/1.1\r\nHost: x\r\n\r\n", true);
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.headers.get("Content-Length", ""), "13");
        EXPECT_TRUE(r.body.empty());
        // Another method: 405 with Allow. A directory without show_index: 403.
        r = co_await c.request("POST /static/index.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        EXPECT_EQ(r.status, 405);
        EXPECT_EQ(r.headers.get("Allow", ""), "GET, HEAD");
        r = co_await c.request(get("/static/sub/"));
        EXPECT_EQ(r.status, 403);
        r = co_await c.request(get("/static/"));
        EXPECT_EQ(r.status, 403);
        // The prefix alone (no slash) is not under the prefix.
        r = co_await c.request(get("/static"));
        EXPECT_EQ(r.status, 404);
        // A handler's file_response without NUL still works.
        r = co_await c.request(get("/raw/index.txt"));
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.body, "INDEX-CONTENT");
        co_await srv.shutdown();
      }(app),
      k_real);
}

TEST(HttpStaticFiles, FollowSymlinksServesLinksOutButStillRefusesDotDot) {
  const tree t;
  auto app = static_app(t.root, {.follow_symlinks = true});
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        auto r = co_await c.request(get("/static/out.txt"));
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.body, k_secret);
        r = co_await c.request(get("/static/outdir/secret.txt"));
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.body, k_secret);
        for (const char* target : {"/static/../outside/secret.txt", "/static/%2e%2e/outside/secret.txt",
                                   "/static/..%2foutside%2fsecret.txt", "/static/out.txt%00"}) {
          r = co_await c.request(get(target));
          EXPECT_EQ(r.status, 404) << target;
          EXPECT_EQ(r.body.find(k_secret), std::string::npos) << target;
        }
        co_await srv.shutdown();
      }(app),
      k_real);
}

TEST(HttpStaticFiles, ShowIndexListsEntriesEscaped) {
  const tree t;
  tree::write(t.root / "sub" / "<b>&.txt", "x");
  auto app = static_app(t.root, {.show_index = true});
  aio_test::run(
      [](aio::http::application& app) -> coro<> {
        auto srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
        auto c = co_await raw_client::connect(srv.port());
        auto r = co_await c.request(get("/static/sub/"));
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.headers.get("Content-Type", ""), "text/html; charset=utf-8");
        EXPECT_NE(r.body.find("<title>Index of /static/sub/</title>"), std::string::npos) << r.body;
        EXPECT_NE(r.body.find("<a href=\"/static/sub/a.txt\">a.txt</a>"), std::string::npos) << r.body;
        EXPECT_NE(r.body.find("&lt;b&gt;&amp;.txt</a>"), std::string::npos) << r.body;
        EXPECT_EQ(r.body.find("<b>"), std::string::npos) << r.body;
        r = co_await c.request(get("/static/"));
        EXPECT_EQ(r.status, 200);
        EXPECT_NE(r.body.find("sub/</a>"), std::string::npos) << r.body;
        // A link to a directory outside is still refused with show_index.
        r = co_await c.request(get("/static/outdir/"));
        EXPECT_EQ(r.status, 404);
        co_await srv.shutdown();
      }(app),
      k_real);
}

TEST(HttpStaticFiles, InvalidArgumentsThrow) {
  const tree t;
  aio::http::application app;
  EXPECT_THROW(app.router().add_static("static", t.root), std::invalid_argument);
  EXPECT_THROW(app.router().add_static("/s/{x}", t.root), std::invalid_argument);
  EXPECT_THROW(app.router().add_static("/s", t.root / "missing"), std::invalid_argument);
  EXPECT_THROW(app.router().add_static("/s", t.root / "index.txt"), std::invalid_argument);
  EXPECT_NO_THROW(app.router().add_static("/s/", t.root));
}

}  // namespace
