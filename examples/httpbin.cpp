// The tour's local httpbin (see httpbin.hpp).

#include "httpbin.hpp"

#include <charconv>
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace aio_examples {

namespace {

using aio::http::request;
using aio::http::response;
using nlohmann::json;

/// Path parameter `name` as an integer in [lo, hi], else 400 (httpbin answers the same way).
int int_param(const request& req, std::string_view name, int lo, int hi) {
  const std::string_view text = req.match_info(name);
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < lo || value > hi) {
    throw aio::http::http_error(400, std::string(name) + " must be a number from " + std::to_string(lo) +
                                         " to " + std::to_string(hi));
  }
  return value;
}

/// What /get answers: the query arguments, the headers, the client's address and the URL.
json describe(const request& req) {
  json args = json::object();
  for (const auto& [k, v] : req.query()) args[k] = v;
  json headers = json::object();
  for (const auto& [k, v] : req.headers()) headers[k] = v;
  return {
      {"args", std::move(args)},
      {"headers", std::move(headers)},
      {"origin", req.remote()},
      {"url", "http://" + std::string(req.headers().get("Host", "127.0.0.1")) + std::string(req.target())}};
}

aio::coro<response> get(request& req) { co_return aio::http::json_response(describe(req)); }

aio::coro<response> delay(request& req) {
  const int seconds = int_param(req, "n", 0, 10);
  co_await aio::sleep(std::chrono::seconds(seconds));
  json body = describe(req);
  body["delay"] = seconds;
  co_return aio::http::json_response(body);
}

aio::coro<response> status(request& req) { co_return response(int_param(req, "code", 100, 599)); }

aio::coro<response> json_document(request&) {
  co_return aio::http::json_response(
      {{"slideshow",
        {{"title", "Sample Slide Show"},
         {"author", "Yours Truly"},
         {"slides", json::array({{{"title", "Wake up to WonderWidgets!"}}, {{"title", "Overview"}}})}}}});
}

/// n JSON lines, each sent as its own chunk as soon as it is made.
aio::coro<response> stream(request& req) {
  const int n = int_param(req, "n", 0, 100);
  json line = describe(req);
  aio::http::stream_response resp;
  resp.set_content_type("application/json");
  co_await resp.prepare(req);
  for (int id = 0; id < n; ++id) {
    line["id"] = id;
    co_await resp.write(line.dump() + "\n");
  }
  co_await resp.write_eof();
  co_return resp;
}

aio::coro<response> bytes(request& req) {
  const int n = int_param(req, "n", 0, 100 * 1024);
  std::uint32_t seed = 42;
  if (auto s = req.query("seed")) std::from_chars(s->data(), s->data() + s->size(), seed);
  std::mt19937 gen(seed);
  response r(200, std::string(static_cast<std::size_t>(n), '\0'), "application/octet-stream");
  for (auto& c : r.body()) c = static_cast<char>(gen() & 0xffU);
  co_return r;
}

aio::coro<response> redirect(request& req) {
  const int n = int_param(req, "n", 1, 20);
  response r(302);
  r.headers().set("Location", n == 1 ? std::string("/get") : "/redirect/" + std::to_string(n - 1));
  co_return r;
}

/// Every text or binary message comes back as it came.
aio::coro<response> ws_echo(request& req) {
  aio::http::websocket_response ws;
  co_await ws.prepare(req);
  while (auto msg = co_await ws.next()) {
    if (msg->type == aio::http::ws_msg_type::text) co_await ws.send_str(msg->data);
    if (msg->type == aio::http::ws_msg_type::binary) co_await ws.send_bytes(msg->data);
  }
  co_return ws;
}

/// Page i links to the next page and to two far ones, so a crawl from /page/0 finds every page; every
/// hundredth page also has one broken link (a 404 for the crawler to count).
aio::coro<response> page(request& req) {
  const int i = int_param(req, "i", 0, 1 << 30);
  if (i >= k_site_pages) throw aio::http::http_error(404);
  response r(200,
             "<!doctype html><title>page " + std::to_string(i) + "</title><h1>page " + std::to_string(i) +
                 "</h1><ul>",
             "text/html; charset=utf-8");
  std::string& html = r.body();
  const auto link = [&html](const std::string& href) {
    html += "<li><a href=\"" + href + "\">" + href + "</a>";
  };
  for (const int to : {i + 1, i * 7 + 3, i * 13 + 5}) link("/page/" + std::to_string(to % k_site_pages));
  if (i % 100 == 99) link("/page/" + std::to_string(k_site_pages + i / 100));
  html += "</ul>\n";
  co_return r;
}

}  // namespace

void add_httpbin_routes(aio::http::router& router) {
  router.add_get("/get", get);
  router.add_get("/delay/{n}", delay);
  router.add_get("/status/{code}", status);
  router.add_get("/json", json_document);
  router.add_get("/stream/{n}", stream);
  router.add_get("/bytes/{n}", bytes);
  router.add_get("/redirect/{n}", redirect);
  router.add_get("/ws/echo", ws_echo);
  router.add_get("/page/{i}", page);
}

aio::coro<> httpbin::start(std::uint16_t port) {
  m_server = co_await aio::http::serve(m_app, {.host = "127.0.0.1", .port = port});
}

aio::coro<> httpbin::stop() { co_await m_server.shutdown(); }

std::string httpbin::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port()) + std::string(path);
}

std::string httpbin::ws_url(std::string_view path) const {
  return "ws://127.0.0.1:" + std::to_string(port()) + std::string(path);
}

}  // namespace aio_examples
