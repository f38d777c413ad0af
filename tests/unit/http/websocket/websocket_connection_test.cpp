// websocket_connection over real loopback TCP, the upgrade done by hand: echo, masking by role,
// fragmentation, UTF-8, size limits, ping/pong, heartbeat, the closing handshake both ways, lost
// peers, concurrent senders, cancellation, and errors.

#include <string>
#include <vector>

#include "aio/aio.hpp"
#include "test_support.hpp"
#include "websocket_connection_support.hpp"
#include "websocket_test_util.hpp"

using namespace std::chrono_literals;
using aio::http::websocket_connection;
using aio::http::websocket_options;
namespace ws_close_code = aio::http::ws_close_code;
using aio::http::ws_message;
using aio::http::ws_msg_type;
using ws_conn_test::close_code_of;
using ws_conn_test::read_frame;

namespace {

using aio_test::k_real;

// ---- the guide's example (docs/guide/websockets.md), compiled ------------------------------------

/// Echoes every text and binary message until the peer closes.
aio::coro<> echo(websocket_connection& ws) {
  while (auto msg = co_await ws.next()) {
    if (msg->type == ws_msg_type::text) co_await ws.send_str("echo: " + msg->data);
    if (msg->type == ws_msg_type::binary) co_await ws.send_bytes(msg->data);
  }
}

aio::coro<> run_echo(websocket_connection* ws) { co_await echo(*ws); }

/// The client closes while the server receives (its receive answers the close); then the listener stops.
aio::coro<> close_pair(ws_conn_test::ws_pair& p) {
  aio::task<bool> closing = aio::create_task(p.client.close());
  while ((co_await p.server.receive()).type != ws_msg_type::closed) {
  }
  EXPECT_TRUE(co_await closing);
  co_await ws_conn_test::stop(p.srv);
}

TEST(websocket_connection, echoes_text_and_binary_until_the_client_closes) {
  aio_test::run(
      []() -> aio::coro<> {
        ws_conn_test::ws_pair p = co_await ws_conn_test::make_pair();
        aio::task<> server = aio::create_task(run_echo(&p.server));
        co_await p.client.send_str("hello");
        EXPECT_EQ(co_await p.client.receive_str(), "echo: hello");
        const std::string bin("\x00\x01\xff\x80", 4);
        co_await p.client.send_bytes(bin);
        EXPECT_EQ(co_await p.client.receive_bytes(), bin);
        const std::string big(300000, 'x');  // 64-bit length, several TCP segments
        co_await p.client.send_str(big);
        EXPECT_EQ(co_await p.client.receive_str(), "echo: " + big);
        EXPECT_TRUE(co_await p.client.close(ws_close_code::normal, "done"));
        co_await server;
        EXPECT_EQ(p.client.close_code(), std::optional<std::uint16_t>(1000));
        EXPECT_EQ(p.server.close_code(), std::optional<std::uint16_t>(1000));
        EXPECT_TRUE(p.server.closed());
        EXPECT_FALSE(p.client.exception());
        co_await ws_conn_test::stop(p.srv);
      }(),
      k_real);
}

TEST(websocket_connection, json_round_trip_and_type_errors) {
  aio_test::run(
      []() -> aio::coro<> {
        ws_conn_test::ws_pair p = co_await ws_conn_test::make_pair();
        const nlohmann::json doc = {{"n", 1}, {"s", "é"}};
        co_await p.client.send_json(doc);
        EXPECT_EQ(co_await p.server.receive_json(), doc);
        co_await p.client.send_bytes("binary");
        bool type_error = false;
        try {
          (void)co_await p.server.receive_str();
        } catch (const aio::http::ws_message_type_error& e) {
          type_error = true;
          EXPECT_EQ(e.received().type, ws_msg_type::binary);
          EXPECT_EQ(e.received().data, "binary");
          EXPECT_NE(std::string(e.what()).find("expected text"), std::string::npos) << e.what();
        }
        EXPECT_TRUE(type_error);
        co_await p.client.send_str("{not json");
        bool parse_error = false;
        try {
          (void)co_await p.server.receive_json();
        } catch (const nlohmann::json::parse_error&) {
          parse_error = true;
        }
        EXPECT_TRUE(parse_error);
        // A close is not lost by receive_str: it is in the exception and in the connection's state.
        aio::task<bool> closing = aio::create_task(p.client.close(4000, "bye"));
        bool got_close = false;
        try {
          (void)co_await p.server.receive_str();
        } catch (const aio::http::ws_message_type_error& e) {
          got_close = e.received().type == ws_msg_type::close && e.received().close_code == 4000;
        }
        EXPECT_TRUE(got_close);
        EXPECT_TRUE(co_await closing);
        EXPECT_EQ(p.server.close_code(), std::optional<std::uint16_t>(4000));
        co_await ws_conn_test::stop(p.srv);
      }(),
      k_real);
}

// ---- masking, fragments, validation --------------------------------------------------------------

TEST(websocket_connection, client_frames_are_masked_and_server_frames_are_not) {
  aio_test::run(
      []() -> aio::coro<> {
        ws_conn_test::upgrade_server srv = co_await ws_conn_test::start_upgrade_server();
        ws_conn_test::raw_client raw = co_await ws_conn_test::connect_raw(srv.server.port());
        ws_conn_test::accepted a = co_await srv.queue->get();
        websocket_connection server(a.reader, a.writer, aio::http::ws_role::server, {}, a.already_read);
        co_await server.send_str("to client");
        auto [b0, payload] = co_await read_frame(raw.reader);
        EXPECT_EQ(b0, 0x81);
        EXPECT_EQ(payload, "to client");
        // An unmasked frame from a client is a protocol error: the server closes with 1002.
        raw.writer.write(ws_test::server_frame(0x81, "unmasked"));
        const ws_message m = co_await server.receive();
        EXPECT_EQ(m.type, ws_msg_type::error);
        EXPECT_EQ(m.close_code, ws_close_code::protocol_error);
        auto [c0, close_payload] = co_await read_frame(raw.reader);
        EXPECT_EQ(c0, 0x88);
        EXPECT_EQ(close_code_of(close_payload), 1002);
        EXPECT_EQ((co_await server.receive()).type, ws_msg_type::closed);
        EXPECT_EQ(server.close_code(), std::optional<std::uint16_t>(1002));
        bool is_ws_error = false;
        try {
          std::rethrow_exception(server.exception());
        } catch (const aio::http::ws_error& e) {
          is_ws_error = e.code() == 1002;
        }
        EXPECT_TRUE(is_ws_error);
        EXPECT_EQ(co_await raw.reader.read(), "");  // and the socket is closed
        co_await ws_conn_test::stop(srv);
      }(),
      k_real);
}

TEST(websocket_connection, the_client_sends_masked_frames_and_refuses_masked_ones) {
  aio_test::run(
      []() -> aio::coro<> {
        ws_conn_test::upgrade_server srv = co_await ws_conn_test::start_upgrade_server();
        ws_conn_test::raw_client raw = co_await ws_conn_test::connect_raw(srv.server.port());
        ws_conn_test::accepted a = co_await srv.queue->get();
        // The "server" side here is raw; the connection under test is the client.
        websocket_connection client(raw.reader, raw.writer, aio::http::ws_role::client, {}, raw.already_read);
        co_await client.send_str("masked");
        auto [b0, payload] = co_await read_frame(a.reader);  // read_frame unmasks
        EXPECT_EQ(b0, 0x81);
        EXPECT_EQ(payload, "masked");
        a.writer.write(ws_test::client_frame(0x82, "masked from a server"));
        const ws_message m = co_await client.receive();
        EXPECT_EQ(m.type, ws_msg_type::error);
        EXPECT_EQ(m.close_code, ws_close_code::protocol_error);
        auto [c0, close_payload] = co_await read_frame(a.reader);
        EXPECT_EQ(c0, 0x88);
        EXPECT_EQ(close_code_of(close_payload), 1002);
        co_await ws_conn_test::stop(srv);
      }(),
      k_real);
}

TEST(websocket_connection, joins_fragments_and_answers_pings_between_them) {
  aio_test::run(
      []() -> aio::coro<> {
        ws_conn_test::upgrade_server srv = co_await ws_conn_test::start_upgrade_server();
        // The first fragment travels with the upgrade request: the handshake reads it past the head and
        // hands it over as `already_read`.
        ws_conn_test::raw_client raw =
            co_await ws_conn_test::connect_raw(srv.server.port(), ws_test::client_frame(0x01, "Hel"));
        ws_conn_test::accepted a = co_await srv.queue->get();
        EXPECT_FALSE(a.already_read.empty());
        websocket_connection server(a.reader, a.writer, aio::http::ws_role::server, {}, a.already_read);
        raw.writer.write(ws_test::client_frame(0x89, "are you there"));  // ping between fragments
        raw.writer.write(ws_test::client_frame(0x00, "lo, "));
        raw.writer.write(ws_test::client_frame(0x80, "world"));
        const ws_message m = co_await server.receive();  // the ping is answered, not returned
        EXPECT_EQ(m.type, ws_msg_type::text);
        EXPECT_EQ(m.data, "Hello, world");
        auto [b0, payload] = co_await read_frame(raw.reader);
        EXPECT_EQ(b0, 0x8A);  // pong
        EXPECT_EQ(payload, "are you there");
        co_await ws_conn_test::stop(srv);
      }(),
      k_real);
}

/// Sends `frames` raw from a client and returns what the server's receive() gives and the close code
/// the server sent.
aio::coro<std::pair<ws_message, int>> server_reaction(std::string frames, websocket_options opts) {
  ws_conn_test::upgrade_server srv = co_await ws_conn_test::start_upgrade_server();
  ws_conn_test::raw_client raw = co_await ws_conn_test::connect_raw(srv.server.port());
  ws_conn_test::accepted a = co_await srv.queue->get();
  websocket_connection server(a.reader, a.writer, aio::http::ws_role::server, opts, a.already_read);
  raw.writer.write(frames);
  ws_message m = co_await server.receive();
  auto [b0, payload] = co_await read_frame(raw.reader);
  EXPECT_EQ(b0, 0x88);
  EXPECT_EQ((co_await server.receive()).type, ws_msg_type::closed);
  co_await ws_conn_test::stop(srv);
  co_return std::pair<ws_message, int>(std::move(m), close_code_of(payload));
}

TEST(websocket_connection, invalid_utf8_closes_with_1007) {
  const auto [m, sent] = aio_test::run(server_reaction(ws_test::client_frame(0x81, "ok \xff"), {}), k_real);
  EXPECT_EQ(m.type, ws_msg_type::error);
  EXPECT_EQ(m.close_code, ws_close_code::invalid_payload);
  EXPECT_EQ(sent, 1007);
}

TEST(websocket_connection, a_message_over_max_msg_size_closes_with_1009) {
  // Two fragments of 600 bytes against a 1000-byte limit: the whole message counts.
  std::string frames =
      ws_test::client_frame(0x02, std::string(600, 'a')) + ws_test::client_frame(0x80, std::string(600, 'b'));
  const auto [m, sent] = aio_test::run(server_reaction(frames, {.max_msg_size = 1000}), k_real);
  EXPECT_EQ(m.type, ws_msg_type::error);
  EXPECT_EQ(m.close_code, ws_close_code::message_too_big);
  EXPECT_EQ(sent, 1009);
}

TEST(websocket_connection, a_message_at_max_msg_size_passes) {
  aio_test::run(
      []() -> aio::coro<> {
        ws_conn_test::ws_pair p = co_await ws_conn_test::make_pair({}, {.max_msg_size = 1000});
        co_await p.client.send_bytes(std::string(1000, 'z'));
        EXPECT_EQ((co_await p.server.receive_bytes()).size(), 1000U);
        co_await p.client.send_bytes(std::string(1001, 'z'));
        const ws_message m = co_await p.server.receive();
        EXPECT_EQ(m.close_code, ws_close_code::message_too_big);
        // The client sees the server's 1009 close, echoes it, and is closed.
        const ws_message c = co_await p.client.receive();
        EXPECT_EQ(c.type, ws_msg_type::close);
        EXPECT_EQ(c.close_code, ws_close_code::message_too_big);
        EXPECT_TRUE(p.client.closed());
        co_await ws_conn_test::stop(p.srv);
      }(),
      k_real);
}

// ---- ping and pong -------------------------------------------------------------------------------

TEST(websocket_connection, without_autoping_pings_and_pongs_are_returned) {
  aio_test::run(
      []() -> aio::coro<> {
        ws_conn_test::ws_pair p = co_await ws_conn_test::make_pair({}, {.autoping = false});
        co_await p.client.ping("p1");
        const ws_message ping = co_await p.server.receive();
        EXPECT_EQ(ping.type, ws_msg_type::ping);
        EXPECT_EQ(ping.data, "p1");
        co_await p.server.pong("p1");
        co_await p.server.send_str("after");
        // The client autopings: the pong is consumed, the text comes through.
        EXPECT_EQ(co_await p.client.receive_str(), "after");
        co_await p.server.ping("p2");
        // The client answers pings while it receives: a receive in the background sees p2 first.
        aio::task<ws_message> client_rx = aio::create_task(p.client.receive());
        const ws_message pong = co_await p.server.receive();
        EXPECT_EQ(pong.type, ws_msg_type::pong);
        EXPECT_EQ(pong.data, "p2");
        co_await p.server.send_str("end");
        EXPECT_EQ((co_await client_rx).data, "end");
        co_await ws_conn_test::stop(p.srv);
      }(),
      k_real);
}

// ---- heartbeat -----------------------------------------------------------------------------------

/// The client side of the heartbeat tests: answers `n` pings by hand (autoping off, so they are
/// visible), then tells the server.
aio::coro<> answer_pings(websocket_connection* client, int n) {
  for (int i = 0; i < n; ++i) {
    const ws_message m = co_await client->receive();
    EXPECT_EQ(m.type, ws_msg_type::ping);
    if (m.type != ws_msg_type::ping) co_return;
    co_await client->pong(m.data);
  }
  co_await client->send_str("answered");
}

TEST(websocket_connection, heartbeat_pings_an_idle_peer_and_keeps_it_while_it_answers) {
  aio_test::run(
      []() -> aio::coro<> {
        ws_conn_test::ws_pair p = co_await ws_conn_test::make_pair({.autoping = false}, {.heartbeat = 100ms});
        aio::task<> client = aio::create_task(answer_pings(&p.client, 3));
        EXPECT_EQ(co_await p.server.receive_str(), "answered");  // three heartbeats, all answered
        co_await client;
        EXPECT_FALSE(p.server.closed());
        EXPECT_FALSE(p.server.exception());
        aio::task<bool> closing = aio::create_task(p.server.close());
        EXPECT_EQ((co_await p.client.receive()).type, ws_msg_type::close);  // echoed by the receive
        EXPECT_TRUE(co_await closing);
        co_await ws_conn_test::stop(p.srv);
      }(),
      k_real);
}

TEST(websocket_connection, heartbeat_drops_a_peer_that_does_not_answer_with_1006) {
  aio_test::run(
      []() -> aio::coro<> {
        ws_conn_test::upgrade_server srv = co_await ws_conn_test::start_upgrade_server();
        ws_conn_test::raw_client raw = co_await ws_conn_test::connect_raw(srv.server.port());
        ws_conn_test::accepted a = co_await srv.queue->get();
        websocket_connection server(a.reader, a.writer, aio::http::ws_role::server, {.heartbeat = 50ms},
                                    a.already_read);
        const ws_message m = co_await server.receive();  // the raw peer never answers the ping
        EXPECT_EQ(m.type, ws_msg_type::error);
        EXPECT_EQ(m.close_code, ws_close_code::abnormal_closure);
        EXPECT_EQ((co_await server.receive()).type, ws_msg_type::closed);
        EXPECT_EQ(server.close_code(), std::optional<std::uint16_t>(1006));
        bool is_timeout = false;
        try {
          std::rethrow_exception(server.exception());
        } catch (const aio::timeout_error&) {
          is_timeout = true;
        }
        EXPECT_TRUE(is_timeout);
        auto [b0, payload] = co_await read_frame(raw.reader);
        EXPECT_EQ(b0, 0x89);                        // the ping it sent
        EXPECT_EQ(co_await raw.reader.read(), "");  // then the socket was closed
        EXPECT_FALSE(co_await server.close());      // already closed: nothing to do
        co_await ws_conn_test::stop(srv);
      }(),
      k_real);
}

TEST(websocket_connection, heartbeat_sees_a_pong_even_when_nobody_receives) {
  aio_test::run(
      []() -> aio::coro<> {
        ws_conn_test::ws_pair p = co_await ws_conn_test::make_pair({}, {.heartbeat = 100ms});
        // The client receives in the background (so it answers pings); the server only sends.
        aio::task<ws_message> client_rx = aio::create_task(p.client.receive());
        co_await aio::sleep(450ms);  // time for several heartbeats, none of them fatal
        EXPECT_FALSE(p.server.closed());
        co_await p.server.send_str("still here");
        EXPECT_EQ((co_await client_rx).data, "still here");
        aio::task<bool> closing = aio::create_task(p.client.close());
        const ws_message close = co_await p.server.receive();
        EXPECT_TRUE(co_await closing);
        EXPECT_EQ(close.type, ws_msg_type::close);
        EXPECT_EQ(close.close_code, 1000);
        co_await ws_conn_test::stop(p.srv);
      }(),
      k_real);
}

// ---- closing -------------------------------------------------------------------------------------

TEST(websocket_connection, a_peer_initiated_close_is_echoed_then_close_then_closed) {
  aio_test::run(
      []() -> aio::coro<> {
        ws_conn_test::ws_pair p = co_await ws_conn_test::make_pair();
        aio::task<bool> closing = aio::create_task(p.server.close(ws_close_code::going_away, "shutdown"));
        const ws_message m = co_await p.client.receive();
        EXPECT_EQ(m.type, ws_msg_type::close);
        EXPECT_EQ(m.close_code, ws_close_code::going_away);
        EXPECT_EQ(m.extra, "shutdown");
        EXPECT_TRUE(p.client.closed());
        EXPECT_EQ((co_await p.client.receive()).type, ws_msg_type::closed);
        EXPECT_EQ((co_await p.client.receive()).type, ws_msg_type::closed);
        EXPECT_TRUE(co_await closing);
        EXPECT_EQ(p.server.close_code(), std::optional<std::uint16_t>(1001));  // the client echoed it
        EXPECT_EQ(p.client.close_code(), std::optional<std::uint16_t>(1001));
        EXPECT_FALSE(co_await p.client.close());  // already closed
        co_await ws_conn_test::stop(p.srv);
      }(),
      k_real);
}

TEST(websocket_connection, without_autoclose_the_application_answers_the_close) {
  aio_test::run(
      []() -> aio::coro<> {
        ws_conn_test::ws_pair p = co_await ws_conn_test::make_pair({}, {.autoclose = false});
        aio::task<bool> closing = aio::create_task(p.client.close(4001, "client done"));
        const ws_message m = co_await p.server.receive();
        EXPECT_EQ(m.type, ws_msg_type::close);
        EXPECT_EQ(m.close_code, 4001);
        EXPECT_FALSE(p.server.closed());
        co_await p.server.send_str("last words");  // allowed until this side sends its close
        EXPECT_TRUE(co_await p.server.close(4002, "server done"));
        EXPECT_TRUE(co_await closing);
        EXPECT_EQ(p.client.close_code(), std::optional<std::uint16_t>(4002));
        EXPECT_EQ(p.server.close_code(), std::optional<std::uint16_t>(4001));
        co_await ws_conn_test::stop(p.srv);
      }(),
      k_real);
}

TEST(websocket_connection, close_while_another_task_receives) {
  aio_test::run(
      []() -> aio::coro<> {
        ws_conn_test::ws_pair p = co_await ws_conn_test::make_pair();
        aio::task<ws_message> receiving = aio::create_task(p.server.receive());
        aio::task<ws_message> client_rx = aio::create_task(p.client.receive());  // it will echo the close
        co_await aio::sleep(0s);  // the receive is parked on the socket
        EXPECT_TRUE(co_await p.server.close(ws_close_code::normal));
        const ws_message m = co_await receiving;
        EXPECT_EQ(m.type, ws_msg_type::close);  // the client's echo, seen by the receiving task
        EXPECT_EQ((co_await client_rx).type, ws_msg_type::close);
        EXPECT_EQ(p.server.close_code(), std::optional<std::uint16_t>(1000));
        co_await ws_conn_test::stop(p.srv);
      }(),
      k_real);
}

TEST(websocket_connection, close_gives_up_after_close_timeout_with_1006) {
  aio_test::run(
      []() -> aio::coro<> {
        ws_conn_test::upgrade_server srv = co_await ws_conn_test::start_upgrade_server();
        ws_conn_test::raw_client raw = co_await ws_conn_test::connect_raw(srv.server.port());
        ws_conn_test::accepted a = co_await srv.queue->get();
        websocket_connection server(a.reader, a.writer, aio::http::ws_role::server, {.close_timeout = 50ms},
                                    a.already_read);
        raw.writer.write(ws_test::client_frame(0x81, "dropped: sent after the server's close"));
        EXPECT_TRUE(co_await server.close(ws_close_code::going_away));  // the raw peer never answers
        EXPECT_EQ(server.close_code(), std::optional<std::uint16_t>(1006));
        auto [b0, payload] = co_await read_frame(raw.reader);
        EXPECT_EQ(b0, 0x88);
        EXPECT_EQ(close_code_of(payload), 1001);
        EXPECT_EQ((co_await server.receive()).type, ws_msg_type::closed);
        co_await ws_conn_test::stop(srv);
      }(),
      k_real);
}

TEST(websocket_connection, an_abrupt_disconnect_is_closed_with_1006) {
  aio_test::run(
      []() -> aio::coro<> {
        ws_conn_test::ws_pair p = co_await ws_conn_test::make_pair();
        {
          websocket_connection gone = std::move(p.client);  // destroyed: the socket closes, no close frame
        }
        const ws_message m = co_await p.server.receive();
        EXPECT_EQ(m.type, ws_msg_type::closed);
        EXPECT_EQ(p.server.close_code(), std::optional<std::uint16_t>(1006));
        EXPECT_TRUE(p.server.closed());
        co_await ws_conn_test::stop(p.srv);
      }(),
      k_real);
}

TEST(websocket_connection, a_disconnect_inside_a_frame_is_closed_with_1006) {
  aio_test::run(
      []() -> aio::coro<> {
        ws_conn_test::upgrade_server srv = co_await ws_conn_test::start_upgrade_server();
        ws_conn_test::raw_client raw = co_await ws_conn_test::connect_raw(srv.server.port());
        ws_conn_test::accepted a = co_await srv.queue->get();
        websocket_connection server(a.reader, a.writer, aio::http::ws_role::server, {}, a.already_read);
        const std::string frame = ws_test::client_frame(0x81, "never finished");
        raw.writer.write(std::string_view(frame).substr(0, 8));
        raw.writer.close();
        EXPECT_EQ((co_await server.receive()).type, ws_msg_type::closed);
        EXPECT_EQ(server.close_code(), std::optional<std::uint16_t>(1006));
        co_await ws_conn_test::stop(srv);
      }(),
      k_real);
}

TEST(websocket_connection, sending_after_close_is_a_clear_error) {
  aio_test::run(
      []() -> aio::coro<> {
        ws_conn_test::ws_pair p = co_await ws_conn_test::make_pair();
        aio::task<bool> closing = aio::create_task(p.client.close());
        // The server gets the close and echoes it (autoclose): it cannot send either.
        EXPECT_EQ((co_await p.server.receive()).type, ws_msg_type::close);
        EXPECT_TRUE(co_await closing);
        std::string what;
        try {
          co_await p.client.send_str("too late");
        } catch (const aio::http::ws_error& e) {
          what = e.what();
          EXPECT_EQ(e.code(), 1000);
        }
        EXPECT_NE(what.find("send after the connection closed"), std::string::npos) << what;
        bool ping_failed = false;
        try {
          co_await p.client.ping();
        } catch (const aio::http::ws_error&) {
          ping_failed = true;
        }
        EXPECT_TRUE(ping_failed);
        bool server_failed = false;
        try {
          co_await p.server.send_bytes("x");
        } catch (const aio::http::ws_error&) {
          server_failed = true;
        }
        EXPECT_TRUE(server_failed);
        co_await ws_conn_test::stop(p.srv);
      }(),
      k_real);
}

TEST(websocket_connection, invalid_arguments_send_nothing) {
  aio_test::run(
      []() -> aio::coro<> {
        ws_conn_test::ws_pair p = co_await ws_conn_test::make_pair();
        bool bad_text = false;
        try {
          co_await p.client.send_str("\xc3\x28");
        } catch (const std::invalid_argument&) {
          bad_text = true;
        }
        EXPECT_TRUE(bad_text);
        bool bad_code = false;
        try {
          (void)co_await p.client.close(1005);
        } catch (const std::invalid_argument&) {
          bad_code = true;
        }
        EXPECT_TRUE(bad_code);
        EXPECT_FALSE(p.client.closed());
        co_await p.client.send_str("fine");
        EXPECT_EQ(co_await p.server.receive_str(), "fine");
        co_await close_pair(p);
      }(),
      k_real);
}

// ---- concurrency and cancellation ----------------------------------------------------------------

aio::coro<> send_many(websocket_connection* ws, char tag, int count) {
  for (int i = 0; i < count; ++i) {
    std::string msg(100000, tag);
    msg += std::to_string(i);
    co_await ws->send_bytes(msg);
  }
}

TEST(websocket_connection, concurrent_senders_never_interleave_frames) {
  aio_test::run(
      []() -> aio::coro<> {
        ws_conn_test::ws_pair p = co_await ws_conn_test::make_pair();
        constexpr int k_count = 20;
        aio::task<> a = aio::create_task(send_many(&p.client, 'a', k_count));
        aio::task<> b = aio::create_task(send_many(&p.client, 'b', k_count));
        aio::task<> c = aio::create_task(send_many(&p.client, 'c', k_count));
        int next[3] = {0, 0, 0};
        for (int i = 0; i < 3 * k_count; ++i) {
          const std::string m = co_await p.server.receive_bytes();
          EXPECT_GT(m.size(), 100000U);
          const char tag = m.empty() ? 'a' : m[0];
          EXPECT_TRUE(tag >= 'a' && tag <= 'c');
          if (tag < 'a' || tag > 'c') break;
          EXPECT_EQ(m.find_first_not_of(tag), 100000U);                    // one sender's bytes only
          EXPECT_EQ(m.substr(100000), std::to_string(next[tag - 'a']++));  // each sender's order kept
        }
        co_await a;
        co_await b;
        co_await c;
        co_await close_pair(p);
      }(),
      k_real);
}

TEST(websocket_connection, a_second_concurrent_receive_is_refused) {
  aio_test::run(
      []() -> aio::coro<> {
        ws_conn_test::ws_pair p = co_await ws_conn_test::make_pair();
        aio::task<ws_message> first = aio::create_task(p.server.receive());
        co_await aio::sleep(0s);
        bool refused = false;
        try {
          (void)co_await p.server.receive();
        } catch (const std::runtime_error& e) {
          refused = std::string(e.what()).find("another task") != std::string::npos;
        }
        EXPECT_TRUE(refused);
        co_await p.client.send_str("for the first");
        EXPECT_EQ((co_await first).data, "for the first");
        co_await close_pair(p);
      }(),
      k_real);
}

TEST(websocket_connection, a_timed_out_receive_keeps_a_partly_received_frame) {
  aio_test::run(
      []() -> aio::coro<> {
        ws_conn_test::upgrade_server srv = co_await ws_conn_test::start_upgrade_server();
        ws_conn_test::raw_client raw = co_await ws_conn_test::connect_raw(srv.server.port());
        ws_conn_test::accepted a = co_await srv.queue->get();
        websocket_connection server(a.reader, a.writer, aio::http::ws_role::server, {.receive_timeout = 50ms},
                                    a.already_read);
        const std::string whole =
            ws_test::client_frame(0x01, "first ") + ws_test::client_frame(0x80, "message");
        raw.writer.write(std::string_view(whole).substr(0, 15));  // first fragment and part of the second
        bool timed_out = false;
        try {
          (void)co_await server.receive();
        } catch (const aio::timeout_error&) {
          timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        raw.writer.write(std::string_view(whole).substr(15));
        EXPECT_EQ(co_await server.receive_str(), "first message");
        co_await ws_conn_test::stop(srv);
      }(),
      k_real);
}

TEST(websocket_connection, a_cancelled_receive_loses_no_message) {
  aio_test::run(
      []() -> aio::coro<> {
        ws_conn_test::ws_pair p = co_await ws_conn_test::make_pair();
        for (int round = 0; round < 20; ++round) {
          aio::task<ws_message> rx = aio::create_task(p.server.receive());
          co_await aio::sleep(0s);
          // Two messages in one write: the receive may wake with both decoded. Cancel it at the same
          // time: whatever it did not return must come from the next receives, in order.
          std::string both = "m" + std::to_string(round) + "a";
          co_await p.client.send_str(both);
          co_await p.client.send_str("m" + std::to_string(round) + "b");
          rx.cancel();
          std::vector<std::string> got;
          try {
            got.push_back((co_await rx).data);
          } catch (
              const aio::cancelled_error&) {  // NOLINT(bugprone-empty-catch): cancelled before it took one
          }
          while (got.size() < 2) got.push_back(co_await p.server.receive_str());
          EXPECT_EQ(got[0], "m" + std::to_string(round) + "a");
          EXPECT_EQ(got[1], "m" + std::to_string(round) + "b");
        }
        co_await close_pair(p);
      }(),
      k_real);
}

TEST(websocket_connection, moving_the_connection_keeps_it_working) {
  aio_test::run(
      []() -> aio::coro<> {
        ws_conn_test::ws_pair p = co_await ws_conn_test::make_pair();
        websocket_connection moved = std::move(p.server);
        co_await p.client.send_str("a");
        EXPECT_EQ(co_await moved.receive_str(), "a");
        EXPECT_EQ(moved.role(), aio::http::ws_role::server);
        EXPECT_TRUE(std::any_cast<aio::socket_address>(moved.get_extra_info("peername")).port() != 0);
        aio::task<bool> closing = aio::create_task(p.client.close());
        EXPECT_EQ((co_await moved.receive()).type, ws_msg_type::close);
        EXPECT_TRUE(co_await closing);
        co_await ws_conn_test::stop(p.srv);
      }(),
      k_real);
}

}  // namespace
