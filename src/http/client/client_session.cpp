// client_session: building requests, sending them on pooled connections, reading the head,
// redirects, timeouts, and the WebSocket handshake.

#include "aio/http/client/client_session.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <exception>
#include <stdexcept>
#include <system_error>

#include "../serialize.hpp"
#include "aio/combinators/wait_for.hpp"
#include "aio/debug/trace.hpp"
#include "aio/http/websocket/ws_deflate_params.hpp"
#include "aio/http/websocket/ws_handshake.hpp"
#include "aio/runtime/event_loop.hpp"
#include "aio/time/sleep.hpp"
#include "session_state.hpp"

namespace aio::http {

namespace detail {

/// A request as the session sends it: everything copied out of the caller's options.
struct prepared_request {
  std::string method;
  http::url u;
  http::headers headers;
  std::string body;
  bool has_body = false;
  client_timeout timeout;
  bool allow_redirects = true;
  int max_redirects = 10;
  std::optional<std::pair<std::string, std::string>> auth;
  bool auth_dropped = false;  // a redirect left the origin: no credentials any more
  std::string cookies;        // the request's own cookies, "a=1; b=2"
  bool chunked = false;
  bool raise_for_status = false;
  body_stream stream;                          // a streamed body (then has_body is false)
  std::optional<std::uint64_t> stream_length;  // its Content-Length when the headers give one
  bool expect100 = false;                      // hold the body back until 100 Continue
  std::optional<std::chrono::duration<double>> expect100_timeout;
  std::size_t max_decompress_size = 0;  // 0: no limit
};

namespace {

using seconds_d = std::chrono::duration<double>;

std::string secs(seconds_d d) {
  std::string s = std::to_string(d.count());
  while (s.size() > 1 && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

bool is_idempotent(std::string_view m) {
  return m == "GET" || m == "HEAD" || m == "OPTIONS" || m == "PUT" || m == "DELETE" || m == "TRACE";
}

void append_encoded(std::string& out, const field_list& fields) {
  fields.for_each([&](std::string_view n, std::string_view v) {
    if (!out.empty()) out += '&';
    out += percent_encode(n, url_component::query_value);
    out += '=';
    out += percent_encode(v, url_component::query_value);
  });
}

bool same_origin(const url& a, const url& b) {
  return a.scheme() == b.scheme() && a.host() == b.host() && a.port() == b.port();
}

prepared_request prepare(const session_state& st, std::string_view method, std::string_view text,
                         const request_options& o) {
  prepared_request r;
  r.method = std::string(method);
  r.u = url::parse(text);
  if (r.u.has_fragment()) r.u = r.u.without_fragment();
  const std::string_view scheme = r.u.scheme();
  if (scheme != "http" && scheme != "https") {
    throw invalid_url("aio.http: unsupported URL scheme '" + std::string(scheme) + "': " + std::string(text));
  }
  if (!o.params.empty()) {
    std::string q(r.u.query());
    append_encoded(q, o.params);
    r.u = r.u.with_raw_query(q);
  }
  r.headers.reserve(o.headers.size());
  o.headers.for_each(
      [&](std::string_view n, std::string_view v) { r.headers.add(std::string(n), std::string(v)); });
  const int bodies = (o.json ? 1 : 0) + (o.data.empty() ? 0 : 1) + (o.body ? 1 : 0) + (o.stream ? 1 : 0);
  if (bodies > 1) throw std::invalid_argument("aio.http: give at most one of json, data, body and stream");
  if (o.json) {
    r.body = o.json.get()->dump();
    r.has_body = true;
    r.headers.set_default("Content-Type", "application/json");
  } else if (!o.data.empty()) {
    append_encoded(r.body, o.data);
    r.has_body = true;
    r.headers.set_default("Content-Type", "application/x-www-form-urlencoded");
  } else if (o.body) {
    r.body = std::string(*o.body);
    r.has_body = true;
  } else if (o.stream) {
    r.stream = o.stream;
    if (auto cl = r.headers.get("Content-Length")) {
      std::uint64_t n = 0;
      const std::string_view v = *cl;
      const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc{} || end != v.data() + v.size()) {
        throw std::invalid_argument("aio.http: invalid Content-Length for a streamed body: " +
                                    std::string(v));
      }
      r.stream_length = n;
    }
  }
  const auto expect = r.headers.get("Expect");
  r.expect100 = o.expect100 || (expect && iequals(*expect, "100-continue"));
  if (r.expect100 && !r.has_body && !r.stream) r.expect100 = false;  // nothing to hold back
  if (r.expect100) r.headers.set("Expect", "100-continue");
  r.expect100_timeout = o.expect100_timeout;
  r.max_decompress_size = o.max_decompress_size.value_or(st.max_decompress_size);
  r.timeout = o.timeout ? *o.timeout : st.timeout;
  r.allow_redirects = o.allow_redirects.value_or(method != "HEAD");
  r.max_redirects = o.max_redirects;
  if (o.auth) {
    r.auth.emplace(std::string(o.auth->login), std::string(o.auth->password));
  } else if (r.u.has_userinfo()) {
    r.auth.emplace(r.u.user(), r.u.password());
  }
  o.cookies.for_each([&](std::string_view n, std::string_view v) {
    if (!r.cookies.empty()) r.cookies += "; ";
    r.cookies.append(n).append("=").append(v);
  });
  r.chunked = o.chunked;
  r.raise_for_status = o.raise_for_status.value_or(st.raise_for_status);
  return r;
}

/// The header fields of a request: Host, the session's defaults, the request's own, then what the
/// session adds when neither set it.
http::headers request_fields(const session_state& st, const prepared_request& r, const url& u) {
  http::headers h;
  h.reserve(8 + st.default_headers.size() + r.headers.size());
  auto given = [&](std::string_view name) {
    return r.headers.contains(name) || st.default_headers.contains(name);
  };
  if (!given("Host")) h.add("Host", u.host_header());
  for (const auto& [n, v] : st.default_headers) {
    if (!r.headers.contains(n)) h.add(n, v);
  }
  for (const auto& [n, v] : r.headers) h.add(n, v);
  if (!given("Accept")) h.add("Accept", "*/*");
  if (st.auto_decompress && !given("Accept-Encoding")) h.add("Accept-Encoding", "gzip, deflate");
  if (!st.user_agent.empty() && !given("User-Agent")) h.add("User-Agent", st.user_agent);
  if (!given("Authorization") && !r.auth_dropped) {
    const auto& a = r.auth ? r.auth : st.auth;
    if (a) h.add("Authorization", "Basic " + base64_encode(a->first + ":" + a->second));
  }
  std::string cookie = st.jar.header_for(u);
  if (!r.cookies.empty()) cookie += (cookie.empty() ? "" : "; ") + r.cookies;
  if (!cookie.empty()) {
    if (auto existing = h.get("Cookie")) {
      h.set("Cookie", std::string(*existing) + "; " + cookie);
    } else {
      h.add("Cookie", std::move(cookie));
    }
  }
  return h;
}

/// Whether the body goes out after the head was sent (streamed, or held back for 100 Continue)
/// rather than with it.
bool body_follows(const prepared_request& r) { return r.stream || r.expect100; }

/// Queues the request head, and the body unless `body_follows(r)`.
void write_request(session_state& st, const prepared_request& r, client_connection& c) {
  const http::headers h = request_fields(st, r, r.u);
  c.wbuf.clear();
  framing_choice framing;
  if (r.stream) {
    framing = r.stream_length ? framing_choice::none() : framing_choice::chunked();
  } else if (r.has_body) {
    framing = r.chunked ? framing_choice::chunked() : framing_choice::content_length(r.body.size());
  } else if (r.method == "POST" || r.method == "PUT" || r.method == "PATCH") {
    framing = framing_choice::content_length(0);
  }
  write_request_head(c.wbuf, r.method, r.u.target(), h, framing);
  if (body_follows(r)) {
    c.writer.write(c.wbuf);
    return;
  }
  constexpr std::size_t k_inline_body =
      std::size_t{16} * 1024;  // small bodies go out with the head, in one write
  if (r.has_body && r.chunked) {
    write_chunk(c.wbuf, r.body);
    write_last_chunk(c.wbuf);
    c.writer.write(c.wbuf);
  } else if (r.has_body && r.body.size() > k_inline_body) {
    c.writer.write(c.wbuf);
    c.writer.write(r.body);
  } else {
    if (r.has_body) c.wbuf += r.body;
    c.writer.write(c.wbuf);
  }
}

/// Reads up to the final response head (1xx informational responses are skipped, at most
/// `max_interim` of them; 101 is final). `got_any` tells whether any byte of a response arrived (a
/// reused connection that got nothing may be retried). With `stop_at_continue`, a 100 Continue head
/// is returned too.
coro<response_head> read_head(client_connection& c, std::optional<seconds_d> sock_read, bool head_request,
                              bool& got_any, std::size_t max_interim, bool stop_at_continue = false) {
  aio::detail::stream_transport* t = c.transport();
  if (head_request) c.parser.expect_head_response();
  bool informational = false;
  std::size_t interim = 0;
  for (;;) {
    const parse_result r = c.parser.feed(t->read_buffer().view());
    if (r.consumed > 0) got_any = true;
    t->read_buffer().consume(r.consumed);
    switch (r.event) {
      case parse_event::head: {
        const int status = c.parser.head().status;
        if (status == 100 && stop_at_continue) co_return std::move(c.parser.head());
        if (status >= 100 && status < 200 && status != 101) {
          if (++interim > max_interim) {
            throw bad_response_error("aio.http: more than " + std::to_string(max_interim) +
                                     " interim (1xx) responses (max_interim_responses)");
          }
          informational = true;
          continue;
        }
        co_return std::move(c.parser.head());
      }
      case parse_event::message_complete:
        if (informational && head_request) c.parser.expect_head_response();
        informational = false;
        continue;
      case parse_event::body:
      case parse_event::upgraded:
        continue;
      case parse_event::error:
        throw bad_response_error("aio.http: malformed response: " + c.parser.error().reason);
      case parse_event::need_more:
        break;
    }
    if (t->read_done()) throw_disconnected(t, "the response head");
    co_await wait_readable(t, sock_read);  // 1xx after 1xx in place: the budget makes it yield
  }
}

[[noreturn]] void throw_timeout(timeout_kind kind, seconds_d limit, const url& u) {
  static constexpr const char* k_names[] = {"total", "connect", "sock_connect", "sock_read"};
  throw client_timeout_error(kind, std::string("aio.http: ") + k_names[static_cast<int>(kind)] +
                                       " timeout (" + secs(limit) + " s) expired: " + u.to_string());
}

/// Opens a connection under `sock_connect` and what is left of `connect` (from `connect_deadline`).
coro<std::unique_ptr<client_connection>> open_timed(session_state& st, const url& u, const client_timeout& to,
                                                    clock::time_point connect_deadline) {
  clock::time_point deadline = connect_deadline;
  timeout_kind kind = timeout_kind::connect;
  if (to.sock_connect) {
    const clock::time_point sd =
        get_running_loop().time() + std::chrono::duration_cast<clock::duration>(*to.sock_connect);
    if (sd < deadline) {
      deadline = sd;
      kind = timeout_kind::sock_connect;
    }
  }
  if (deadline == clock::time_point::max()) co_return co_await st.open(u);
  bool expired = false;
  std::unique_ptr<client_connection> c;
  try {
    c = co_await aio::timeout_at(deadline, st.open(u));
  } catch (const client_timeout_error&) {
    throw;
  } catch (const aio::timeout_error&) {
    expired = true;
  }
  if (expired) throw_timeout(kind, kind == timeout_kind::connect ? *to.connect : *to.sock_connect, u);
  co_return c;
}

/// Sends the body that `write_request` held back: the buffered one, or the stream's chunks as they
/// come (each drained before the next is asked for, so a slow server slows the producer down).
coro<> send_body(const prepared_request& r, client_connection& c) {
  if (!r.stream) {
    if (r.chunked) {
      c.wbuf.clear();
      write_chunk(c.wbuf, r.body);
      write_last_chunk(c.wbuf);
      c.writer.write(c.wbuf);
    } else {
      c.writer.write(r.body);
    }
    co_await c.writer.drain();
    co_return;
  }
  std::uint64_t sent = 0;
  for (;;) {
    std::optional<std::string> piece = co_await r.stream.next();
    if (!piece) break;
    if (piece->empty()) continue;
    sent += piece->size();
    if (r.stream_length && sent > *r.stream_length) {
      throw client_error("aio.http: the body stream gave more than its Content-Length (" +
                         std::to_string(*r.stream_length) + " bytes)");
    }
    if (r.stream_length) {
      c.writer.write(*piece);
    } else {
      c.wbuf.clear();
      write_chunk(c.wbuf, *piece);
      c.writer.write(c.wbuf);
    }
    co_await c.writer.drain();
  }
  if (r.stream_length && sent != *r.stream_length) {
    throw client_error("aio.http: the body stream ended after " + std::to_string(sent) +
                       " bytes, short of its Content-Length (" + std::to_string(*r.stream_length) + ")");
  }
  if (!r.stream_length) {
    c.wbuf.clear();
    write_last_chunk(c.wbuf);
    c.writer.write(c.wbuf);
  }
  co_await c.writer.drain();
}

/// After a head with `Expect: 100-continue`: waits for 100 Continue (nullopt: send the body), a
/// final response (returned: the body must not be sent), or `expect100_timeout` (nullopt too).
coro<std::optional<response_head>> await_continue(const prepared_request& r, client_connection& c,
                                                  bool& got_any, std::size_t max_interim) {
  response_head h;
  if (!r.expect100_timeout) {
    h = co_await read_head(c, r.timeout.sock_read, false, got_any, max_interim, true);
  } else {
    bool expired = false;
    try {
      h = co_await aio::wait_for(read_head(c, r.timeout.sock_read, false, got_any, max_interim, true),
                                 *r.expect100_timeout);
    } catch (const client_timeout_error&) {
      throw;  // sock_read: the server is gone quiet, not just an old server ignoring Expect
    } catch (const aio::timeout_error&) {
      expired = true;
    }
    if (expired) co_return std::nullopt;
  }
  if (h.status == 100) co_return std::nullopt;
  co_return std::optional<response_head>(std::move(h));
}

/// One request/response exchange on a pooled connection (retried once on a fresh connection when a
/// reused one turns out closed by the server before answering an idempotent request).
coro<client_response> send_once(session_state& st, const prepared_request& r, clock::time_point deadline) {
  // The exchange on the trace timeline: from asking for a connection to the response head. Named
  // without the query and the credentials, which may hold secrets; built only when a trace records.
  trace::span traced("http", std::string());
  auto label = [&r] {
    return r.method + ' ' + std::string(r.u.scheme()) + "://" + r.u.host_header() + std::string(r.u.path());
  };
  if (traced.recording()) traced.rename(label());
  host_slot& slot = st.slot_for(r.u);
  for (int attempt = 0;; ++attempt) {
    const clock::time_point connect_deadline =
        r.timeout.connect
            ? get_running_loop().time() + std::chrono::duration_cast<clock::duration>(*r.timeout.connect)
            : clock::time_point::max();
    if (st.closed) throw std::runtime_error("aio.http: the session is closed");
    if (st.has_room(slot)) {
      st.take(slot);
    } else if (connect_deadline == clock::time_point::max()) {
      co_await st.acquire(slot);
    } else {
      bool expired = false;
      try {
        co_await aio::timeout_at(connect_deadline, st.acquire(slot));
      } catch (const aio::timeout_error&) {
        expired = true;
      }
      if (expired) throw_timeout(timeout_kind::connect, *r.timeout.connect, r.u);
    }
    lease l(&st, &slot);
    if (attempt == 0) l.conn = st.pop_idle(slot);
    if (!l.conn) l.conn = co_await open_timed(st, r.u, r.timeout, connect_deadline);
    client_connection& c = *l.conn;
    const bool reused = c.requests > 0;
    ++c.requests;
    write_request(st, r, c);
    bool got_any = false;
    bool retry = false;
    bool body_withheld = false;  // a final answer came before the body: the connection cannot be reused
    // A streamed body cannot be sent twice: its request is never retried.
    const bool may_retry = reused && attempt == 0 && is_idempotent(r.method) && !r.stream;
    response_head head;
    try {
      if (c.transport()->must_drain() || body_follows(r)) co_await c.writer.drain();
      std::optional<response_head> early;
      if (r.expect100) early = co_await await_continue(r, c, got_any, st.max_interim);
      if (early) {
        head = std::move(*early);
        body_withheld = true;
      } else {
        if (body_follows(r)) co_await send_body(r, c);
        head = co_await read_head(c, r.timeout.sock_read, r.method == "HEAD", got_any, st.max_interim);
      }
    } catch (const std::system_error& e) {
      if (!(may_retry && !got_any)) {
        throw server_disconnected_error(std::string("aio.http: server disconnected: ") + e.what());
      }
      retry = true;
    } catch (const server_disconnected_error&) {
      if (!(may_retry && !got_any)) throw;
      retry = true;
    }
    if (retry) continue;  // `l` closes the dead connection
    if (traced.recording()) {
      traced.rename(label() + ' ' + std::to_string(head.status));
      traced.arg("status", std::to_string(head.status));
      if (reused) traced.arg("connection", "reused");
    }
    for (std::string_view v : head.headers.get_all("Set-Cookie")) st.jar.update(v, r.u);
    auto body = std::make_unique<response_body>(std::move(l));
    body->keep_alive = head.keep_alive && !head.upgrade && !body_withheld;
    body->deadline = deadline;
    body->sock_read = r.timeout.sock_read;
    body->total = r.timeout.total;
    if (st.auto_decompress && r.method != "HEAD" && head.status != 204 && head.status != 304) {
      if (auto enc = head.headers.get("Content-Encoding")) {
        const auto coding = parse_content_coding(*enc);
        if (coding && *coding != content_coding::identity) {
          body->decoder.emplace(*coding, r.max_decompress_size == 0 ? std::numeric_limits<std::size_t>::max()
                                                                    : r.max_decompress_size);
        }
      }
    }
    if (head.upgrade) {
      body->abort();  // a 101 to a plain request: the connection speaks something else now
    } else {
      body->pump();  // what already arrived; a small response gives its connection back here
    }
    co_return client_response(std::move(head), r.method, r.u, std::move(body));
  }
}

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

coro<client_response> request_impl(state_ref st, prepared_request r) {
  if (st->closed) throw std::runtime_error("aio.http: the session is closed");
  const clock::time_point deadline =
      r.timeout.total
          ? get_running_loop().time() + std::chrono::duration_cast<clock::duration>(*r.timeout.total)
          : clock::time_point::max();
  std::vector<client_response> history;
  for (;;) {
    client_response resp;
    if (deadline == clock::time_point::max()) {
      resp = co_await send_once(*st, r, deadline);
    } else {
      bool expired = false;
      try {
        resp = co_await aio::timeout_at(deadline, send_once(*st, r, deadline));
      } catch (const client_timeout_error&) {
        throw;
      } catch (const aio::timeout_error&) {
        expired = true;
      }
      if (expired) throw_timeout(timeout_kind::total, *r.timeout.total, r.u);
    }
    const int status = resp.status();
    const auto location = resp.headers().get("Location");
    if (!r.allow_redirects || !is_redirect(status) || !location) {
      resp.set_history(std::move(history));
      if (r.raise_for_status) resp.raise_for_status();
      co_return resp;
    }
    if (static_cast<int>(history.size()) >= r.max_redirects) {
      throw too_many_redirects("aio.http: too many redirects (more than " + std::to_string(r.max_redirects) +
                               "), last from " + r.u.to_string());
    }
    const bool drops_body =
        (status == 303 && r.method != "HEAD") || ((status == 301 || status == 302) && r.method == "POST");
    if (r.stream && !drops_body) {  // the stream was used up: it cannot be sent to the new location
      resp.set_history(std::move(history));
      if (r.raise_for_status) resp.raise_for_status();
      co_return resp;
    }
    url next = r.u.join(*location).without_fragment();
    if (next.scheme() != "http" && next.scheme() != "https") {
      throw client_error("aio.http: redirect to an unsupported URL: " + next.to_string());
    }
    co_await resp.read();  // the connection goes back to the pool
    if (drops_body) {
      r.method = "GET";
      r.body.clear();
      r.has_body = false;
      r.chunked = false;
      r.stream = {};
      r.stream_length.reset();
      r.expect100 = false;
      r.headers.erase("Expect");
      r.headers.erase("Content-Type");
      r.headers.erase("Content-Length");
      r.headers.erase("Transfer-Encoding");
    }
    if (!same_origin(r.u, next)) {
      r.headers.erase("Authorization");
      r.auth.reset();
      r.auth_dropped = true;
      r.headers.erase("Host");
    }
    r.u = std::move(next);
    history.push_back(std::move(resp));
  }
}

coro<websocket_connection> ws_connect_impl(state_ref st, url u, ws_connect_options o,
                                           std::vector<std::string> protocols, http::headers extra,
                                           std::optional<std::pair<std::string, std::string>> auth) {
  if (st->closed) throw std::runtime_error("aio.http: the session is closed");
  const client_timeout to = o.timeout ? *o.timeout : st->timeout;
  const clock::time_point deadline =
      to.total ? get_running_loop().time() + std::chrono::duration_cast<clock::duration>(*to.total)
               : clock::time_point::max();
  const clock::time_point connect_deadline =
      to.connect ? get_running_loop().time() + std::chrono::duration_cast<clock::duration>(*to.connect)
                 : clock::time_point::max();
  std::unique_ptr<client_connection> c =
      co_await open_timed(*st, u, to, std::min(deadline, connect_deadline));
  const std::string key = ws_generate_key();
  prepared_request r;
  r.method = "GET";
  r.u = u;
  r.headers = std::move(extra);
  r.auth = std::move(auth);
  r.headers.set("Upgrade", "websocket");
  r.headers.set("Connection", "Upgrade");
  r.headers.set("Sec-WebSocket-Key", key);
  r.headers.set("Sec-WebSocket-Version", "13");
  if (!protocols.empty()) {
    std::string list;
    for (const std::string& p : protocols) list += (list.empty() ? "" : ", ") + p;
    r.headers.set("Sec-WebSocket-Protocol", std::move(list));
  }
  if (o.ws.compress) r.headers.set("Sec-WebSocket-Extensions", ws_deflate_offer());
  r.headers.set_default("Accept-Encoding", "identity");
  write_request(*st, r, *c);
  bool got_any = false;
  response_head head;
  if (deadline == clock::time_point::max()) {
    head = co_await read_head(*c, to.sock_read, false, got_any, st->max_interim);
  } else {
    bool expired = false;
    try {
      head = co_await aio::timeout_at(deadline, read_head(*c, to.sock_read, false, got_any, st->max_interim));
    } catch (const client_timeout_error&) {
      throw;
    } catch (const aio::timeout_error&) {
      expired = true;
    }
    if (expired) throw_timeout(timeout_kind::total, *to.total, u);
  }
  for (std::string_view v : head.headers.get_all("Set-Cookie")) st->jar.update(v, u);
  std::vector<ws_header> fields;
  fields.reserve(head.headers.size());
  for (const auto& [n, v] : head.headers) fields.emplace_back(n, v);
  ws_response_check check = ws_check_response(head.status, fields, key, protocols, o.ws.compress);
  std::optional<ws_deflate_params> deflate;
  if (check && o.ws.compress) {
    auto [params, error] = ws_parse_deflate_response(fields);
    deflate = params;
    check.error = std::move(error);
  }
  if (!check) {
    c->writer.abort();
    throw ws_handshake_error(head.status, "WebSocket handshake failed: " + check.error, u.to_string());
  }
  // Bytes after the 101 head (the server's first frames) stay in the reader's buffer.
  co_return websocket_connection(c->reader, c->writer, ws_role::client, o.ws, {}, deflate);
}

}  // namespace
}  // namespace detail

client_session::client_session(const client_session_options& opts)
    : m_state(new detail::session_state(opts)) {}

client_session::client_session(client_session&& o) noexcept : m_state(std::exchange(o.m_state, nullptr)) {}

client_session& client_session::operator=(client_session&& o) noexcept {
  if (this != &o) {
    client_session old(std::move(*this));
    m_state = std::exchange(o.m_state, nullptr);
  }
  return *this;
}

client_session::~client_session() {
  if (m_state == nullptr) return;
  if (m_state->loop_gone()) {
    m_state->abandon();
  } else {
    // Python's ResourceWarning, as aiohttp reports it: only in debug mode (AIO_DEBUG=1, run_options'
    // `debug`), where the report names what leaked; a program that never closes is still correct.
    if (!m_state->closed && m_state->loop != nullptr && m_state->loop->get_debug()) {
      m_state->loop->call_exception_handler({.message =
                                                 "Unclosed client session (call co_await session.close(), "
                                                 "or use aio::with)",
                                             .exception = nullptr,
                                             .task_name = {}});
    }
    m_state->closed = true;
    m_state->close_idle();
  }
  m_state->release();
}

coro<client_response> client_session::request(std::string_view method, std::string_view url,
                                              const request_options& opts) {
  if (m_state == nullptr) throw std::logic_error("aio.http: a moved-from client_session");
  return detail::request_impl(detail::state_ref(m_state), detail::prepare(*m_state, method, url, opts));
}

coro<client_response> client_session::request(std::string_view method, std::string_view url) {
  static const request_options no_options{};
  return request(method, url, no_options);
}

coro<websocket_connection> client_session::ws_connect(std::string_view url, const ws_connect_options& opts) {
  if (m_state == nullptr) throw std::logic_error("aio.http: a moved-from client_session");
  http::url u = url::parse(url).without_fragment();
  const std::string_view scheme = u.scheme();
  if (scheme == "http") u = url::parse("ws" + u.to_string().substr(4));
  if (scheme == "https") u = url::parse("wss" + u.to_string().substr(5));
  if (u.scheme() != "ws" && u.scheme() != "wss") {
    throw invalid_url("aio.http: not a WebSocket URL: " + std::string(url));
  }
  std::vector<std::string> protocols(opts.protocols.begin(), opts.protocols.end());
  http::headers extra;
  opts.headers.for_each(
      [&](std::string_view n, std::string_view v) { extra.add(std::string(n), std::string(v)); });
  std::optional<std::pair<std::string, std::string>> auth;
  if (opts.auth) {
    auth.emplace(std::string(opts.auth->login), std::string(opts.auth->password));
  } else if (u.has_userinfo()) {
    auth.emplace(u.user(), u.password());
  }
  ws_connect_options o = opts;
  o.protocols = {};
  o.headers = {};
  return detail::ws_connect_impl(detail::state_ref(m_state), std::move(u), o, std::move(protocols),
                                 std::move(extra), std::move(auth));
}

coro<websocket_connection> client_session::ws_connect(std::string_view url) {
  static const ws_connect_options no_options{};
  return ws_connect(url, no_options);
}

coro<> client_session::close() {
  if (m_state == nullptr) co_return;
  detail::state_ref keep(m_state);
  keep->closed = true;
  std::vector<stream_writer> writers = keep->close_idle();
  for (stream_writer& w : writers) co_await w.wait_closed();
}

bool client_session::closed() const noexcept { return m_state == nullptr || m_state->closed; }

http::cookie_jar& client_session::cookie_jar() noexcept { return m_state->jar; }

std::size_t client_session::idle_connections() const noexcept {
  std::size_t n = 0;
  for (const auto& [k, s] : m_state->hosts) n += s.idle.size();
  return n;
}

std::size_t client_session::active_connections() const noexcept { return m_state->in_use; }

}  // namespace aio::http
