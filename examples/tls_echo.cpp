// tls_echo — an echo server and client over TLS (Python's ssl + asyncio streams):
//
//     server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
//     server_ctx.load_cert_chain("cert.pem", "key.pem")
//     server_ctx.set_alpn_protocols(["echo/1"])
//
//     async def handle(reader, writer):
//         line = await reader.readline()
//         sni = writer.get_extra_info("ssl_object").server_name
//         print(f"server: {line.decode().strip()!r} for {sni!r}")
//         writer.write(line.upper())
//         await writer.drain()
//         writer.close()
//
//     async def main():
//         server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=server_ctx)
//         client_ctx = ssl.create_default_context(cafile="cert.pem")
//         client_ctx.set_alpn_protocols(["echo/1"])
//         port = server.sockets[0].getsockname()[1]
//         reader, writer = await asyncio.open_connection(
//             "127.0.0.1", port, ssl=client_ctx, server_hostname="localhost")
//         ...
//
// The certificate is a throwaway self-signed one for "localhost", made with the `openssl` command
// (as the Python documentation suggests); the client trusts exactly that certificate. A second
// client asks for another host name and is refused: verification is on by default.

#include <stdlib.h>  // mkdtemp
#include <aio/aio.hpp>

#include <any>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <system_error>
#include <vector>

namespace {

/// A self-signed certificate for localhost in a fresh temporary directory (removed by the caller).
std::string make_certificate() {
  std::string dir = (std::filesystem::temp_directory_path() / "aio-tls-echo-XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) throw std::runtime_error("cannot create a temporary directory");
  const std::string cmd = "cd '" + dir +
                          "' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
                          " -keyout key.pem -out cert.pem -days 1 -subj /CN=localhost"
                          " -addext subjectAltName=DNS:localhost >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("the openssl command failed");
  return dir;
}

}  // namespace

aio::coro<> tls_echo_main(std::ostream& out) {
  const std::string dir = make_certificate();
  const std::vector<std::string> alpn{"echo/1"};

  aio::ssl_context server_ctx = aio::ssl_context::server(dir + "/cert.pem", dir + "/key.pem");
  server_ctx.set_alpn_protocols(alpn);
  aio::client_connected_cb handle = [&out](aio::stream_reader reader,
                                           aio::stream_writer writer) -> aio::coro<> {
    const std::string line = co_await reader.readline();
    const auto sni = std::any_cast<std::string>(writer.get_extra_info("server_hostname"));
    out << "server: '" << line.substr(0, line.size() - 1) << "' for '" << sni << "'\n";
    std::string upper = line;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    writer.write(upper);
    co_await writer.drain();
    writer.close();
    co_await writer.wait_closed();
  };
  aio::server server = co_await aio::start_server(handle, "127.0.0.1", 0, {.ssl = server_ctx});

  aio::ssl_context client_ctx = aio::ssl_context::client();  // verifies chain and host name
  client_ctx.load_verify_locations(dir + "/cert.pem");       // trust our self-signed certificate
  client_ctx.set_alpn_protocols(alpn);
  auto [reader, writer] = co_await aio::open_connection("127.0.0.1", server.port(),
                                                        {.ssl = client_ctx, .server_hostname = "localhost"});
  out << "client: connected with " << std::any_cast<std::string>(writer.get_extra_info("tls_version"))
      << ", ALPN '" << std::any_cast<std::string>(writer.get_extra_info("alpn_protocol")) << "'\n";
  writer.write("hello over TLS\n");
  const std::string reply = co_await reader.readline();
  out << "client: received '" << reply.substr(0, reply.size() - 1) << "'\n";
  const std::string rest = co_await reader.read();  // the server closed: close_notify, a clean EOF
  out << "client: clean EOF: " << (rest.empty() && reader.at_eof() ? "yes" : "no") << "\n";
  writer.close();
  co_await writer.wait_closed();

  // The same certificate does not vouch for another name.
  try {
    auto [r2, w2] = co_await aio::open_connection("127.0.0.1", server.port(),
                                                  {.ssl = client_ctx, .server_hostname = "example.org"});
  } catch (const std::system_error& e) {
    out << "client: 'example.org' refused: " << e.code().message() << "\n";
  }

  server.close();
  co_await server.wait_closed();
  std::filesystem::remove_all(dir);
}

// The tour and the tests link every example together (AIO_TOUR); on its own, each is a program.
#ifndef AIO_TOUR
int main() { aio::run(tls_echo_main(std::cout)); }
#endif
