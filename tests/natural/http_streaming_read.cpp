// aiohttp client docs, "Streaming Response Content", against a server's StreamResponse:
//
//     async with session.get(url) as resp:
//         while chunk := await resp.content.read(1024): fd.write(chunk)
//     resp = web.StreamResponse(); await resp.prepare(request); await resp.write(b"...")
#include <aio/aio.hpp>
#include <aio/http/client.hpp>

#include <chrono>
#include <stdexcept>
#include <string>

using aio::http::request;
using aio::http::response;

aio::coro<> main_() {
  aio::http::application app;
  app.router().add_get("/download", [](request& req) -> aio::coro<response> {
    aio::http::stream_response resp;
    resp.set_content_type("application/octet-stream");
    co_await resp.prepare(req);
    for (int i = 0; i < 10; ++i) {
      co_await resp.write(std::string(10000, static_cast<char>('a' + i)));
      co_await aio::sleep(std::chrono::milliseconds(1));
    }
    co_await resp.write_eof();
    co_return resp;
  });
  aio::http::app_server srv = co_await aio::http::serve(app, {.host = "127.0.0.1", .port = 0});
  const std::string url = "http://127.0.0.1:" + std::to_string(srv.port()) + "/download";

  aio::http::client_session session;
  auto resp = co_await session.get(url);
  std::string body;
  int chunks = 0;
  while (true) {
    std::string chunk = co_await resp.content().read_chunk(4096);
    if (chunk.empty()) break;
    if (chunk.size() > 4096) throw std::runtime_error("a chunk larger than asked");
    body += chunk;
    ++chunks;
  }
  if (body.size() != 100000 || body[0] != 'a' || body.back() != 'j') throw std::runtime_error("wrong body");
  if (chunks < 25) throw std::runtime_error("the body was not streamed");
  co_await session.close();
  co_await srv.shutdown();
}

int main() { aio::run(main_()); }
