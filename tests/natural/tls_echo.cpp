// asyncio docs, open_connection(..., ssl=ctx, server_hostname=...) against start_server(..., ssl=ctx),
// with a private test CA made by the openssl command (as the ssl module's docs suggest).
//
//     ctx = ssl.create_default_context(cafile="ca.pem")
//     reader, writer = await asyncio.open_connection(host, port, ssl=ctx, server_hostname="localhost")
#include <aio/aio.hpp>

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

std::string make_certs() {  // a CA, and a certificate for localhost signed by it
  std::string dir = (std::filesystem::temp_directory_path() / "aio-natural-tls-XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) throw std::runtime_error("mkdtemp");
  const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  const std::string cmd =
      "cd " + dir + " && openssl req -x509" + ec + " -keyout ca.key -out ca.pem -days 1 -subj /CN=ca" +
      " && openssl req" + ec + " -keyout key.pem -out server.csr -subj /CN=localhost" +
      " && printf 'subjectAltName=DNS:localhost' > ext && openssl x509 -req -in server.csr" +
      " -CA ca.pem -CAkey ca.key -CAcreateserial -out cert.pem -days 1 -extfile ext";
  if (std::system((cmd + " >/dev/null 2>&1").c_str()) != 0) throw std::runtime_error("openssl failed");
  return dir;
}

aio::coro<> handle(aio::stream_reader reader, aio::stream_writer writer) {
  writer.write("secure " + co_await reader.readline());
  co_await writer.drain();
  writer.close();
}

aio::coro<> main_(std::string dir) {
  aio::server server = co_await aio::start_server(
      handle, "127.0.0.1", 0, {.ssl = aio::ssl_context::server(dir + "/cert.pem", dir + "/key.pem")});
  auto ctx = aio::ssl_context::client();
  ctx.load_verify_locations(dir + "/ca.pem");
  auto [reader, writer] =
      co_await aio::open_connection("127.0.0.1", server.port(), {.ssl = ctx, .server_hostname = "localhost"});
  writer.write("hello\n");
  std::string reply = co_await reader.readline();
  writer.close();
  co_await writer.wait_closed();
  bool refused = false;  // verification is on: another host name is refused
  try {
    co_await aio::open_connection("127.0.0.1", server.port(), {.ssl = ctx, .server_hostname = "example.org"});
  } catch (const std::system_error&) {
    refused = true;
  }
  server.close();
  co_await server.wait_closed();
  if (!refused) throw std::runtime_error("a certificate for another host was accepted");
  if (reply != "secure hello\n") throw std::runtime_error("wrong reply: " + reply);
}

int main() {
  const std::string dir = make_certs();
  aio::run(main_(dir));
  std::filesystem::remove_all(dir);
}
