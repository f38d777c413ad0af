// HTTP server workload: `aio_http_server PORT [WORKERS]` listens on 127.0.0.1:PORT and answers
// `GET /` with 200 "Hello, World!" (the wrk -t1 -c100 keep-alive comparison with Tokio+hyper,
// Go, nginx and aiohttp), written as an aiohttp user writes it:
//
//     async def hello(request):
//         return web.Response(text="Hello, World!")
//     app.router.add_get("/", hello)
//     web.run_app(app, host="127.0.0.1", port=PORT)
//
// AIO_BACKEND=epoll|io_uring selects the backend (default: automatic). SIGINT/SIGTERM stop it.

#include <aio/aio.hpp>
#include <aio/http/server.hpp>
#include <cstdio>
#include <cstdlib>

namespace {

aio::coro<aio::http::response> hello(aio::http::request& /*req*/) {
  co_return aio::http::text_response("Hello, World!");
}

aio::coro<> serve(aio::http::application& app, std::uint16_t port, unsigned workers) {
  co_await aio::http::run_app(app, {.host = "127.0.0.1", .port = port, .workers = workers});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s PORT [WORKERS]\n", argv[0]);
    return 2;
  }
  aio::http::application app;
  app.router().add_get("/", &hello);
  const auto port = static_cast<std::uint16_t>(std::atoi(argv[1]));
  const unsigned workers = argc == 3 ? static_cast<unsigned>(std::atoi(argv[2])) : 1U;
  aio::run(serve(app, port, workers));
}
