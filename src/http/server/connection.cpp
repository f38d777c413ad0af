// The per-connection HTTP/1.1 loop. See connection.hpp and docs/design/http_server.md.

#include "connection.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "../serialize.hpp"
#include "aio/debug/trace.hpp"
#include "aio/detail/coop_budget.hpp"
#include "aio/errors.hpp"
#include "aio/http/parse_error.hpp"
#include "aio/http/status.hpp"
#include "aio/runtime/event_loop.hpp"
#include "aio/time/sleep.hpp"
#include "compress_response.hpp"
#include "head_writer.hpp"
#include "request_metrics.hpp"
#include "site.hpp"

namespace aio::http::detail {

namespace {

// A request-target without its query, which may hold secrets, for the trace timeline.
std::string_view target_path(std::string_view target) noexcept { return target.substr(0, target.find('?')); }
constexpr std::size_t k_flush_threshold = std::size_t{64} * 1024;  // flush buffered responses past this
constexpr std::size_t k_inline_body = std::size_t{16} * 1024;  // larger bodies are written without copying

}  // namespace

http_connection::http_connection(std::shared_ptr<site> s, stream_reader r, stream_writer w)
    : m_site(std::move(s)),
      m_reader(std::move(r)),
      m_writer(std::move(w)),
      m_t(m_reader.transport()),
      m_parser(m_site->limits) {
  m_site->link(this);
  // getpeername(2) now: once the client has reset the connection it fails, and the logs need it.
  (void)m_t->peername();
}

http_connection::~http_connection() { m_site->unlink(this); }

const parser_limits& http_connection::owner_limits() const noexcept { return m_site->limits; }

void http_connection::stop(stop_reason why) {
  if (m_stop != stop_reason::none) return;
  m_stop = why;
  if (m_task) m_task.cancel();
}

bool http_connection::must_close() const noexcept {
  const request_head& h = m_parser.head();
  return m_close || !h.keep_alive || h.upgrade || m_site->shutting_down || m_parser.failed();
}

void http_connection::flush() {
  if (m_out.empty()) return;
  if (!m_writer.is_closing()) m_writer.write(m_out);
  m_out.clear();
}

bool http_connection::arm_wait(phase p) {
  if (m_site->shutting_down && p == phase::idle) return false;
  const site& s = *m_site;
  if (p == phase::idle) {
    m_deadline = s.coarse_now + s.sweep_interval +
                 std::chrono::duration_cast<clock::duration>(s.opts.keepalive_timeout);
  }
  if (p == phase::head && m_deadline == clock::time_point{}) {
    m_deadline = s.coarse_now + s.sweep_interval +
                 std::chrono::duration_cast<clock::duration>(s.opts.request_header_timeout);
  }
  m_phase = p;
  return true;
}

bool http_connection::end_wait(phase p, bool cancelled, std::size_t before) {
  m_phase = phase::busy;
  if (p == phase::idle) m_deadline = {};
  if (cancelled) {
    if (m_stop == stop_reason::none) throw cancelled_error();
    m_task.uncancel();
    if (m_stop == stop_reason::timeout && p == phase::head) write_error(408, "408: Request Timeout");
    return false;
  }
  return m_t->read_buffer().size() > before;
}

coro<> http_connection::run() {
  m_task = current_task();
  try {
    for (;;) {
      if (m_close || m_site->shutting_down) break;
      aio::detail::byte_buffer& buf = m_t->read_buffer();
      if (!buf.empty()) {
        const parse_result r = m_parser.feed(buf.view());
        buf.consume(r.consumed);
        if (r.event == parse_event::head && !host_header_valid()) {
          // As nginx and aiohttp: 400 and close (the body, if any, is not read).
          write_error(400, "400: Bad Request: missing or duplicate Host header");
          break;
        }
        if (r.event == parse_event::head) {
          // The request is served here, not in a coroutine of its own: the handler's frame is the
          // only one a request costs.
          m_head_started = false;
          m_deadline = {};
          // The request on the trace timeline, on this connection's row: from its head to the response
          // written (a streamed or file body: to its end). Named when a trace records.
          trace::span traced("http", std::string());
          if (traced.recording()) {
            const request_head& h = m_parser.head();
            traced.rename("serve " + h.method + ' ' + std::string(target_path(h.target)));
          }
          const clock::time_point started = clock::now();  // vDSO: no system call
          response resp;
          std::exception_ptr failure;
          bool cancelled = false;
          try {
            resp = co_await begin_request();
          } catch (const http_error& e) {
            if (m_head_sent || m_detached) {
              failure = std::current_exception();
            } else {
              resp = e.to_response();
            }
          } catch (const cancelled_error&) {
            cancelled = true;
          } catch (...) {
            failure = std::current_exception();
          }
          const bool answered = settle_response(resp, failure, cancelled);
          if (traced.recording()) {
            const request_head& h = m_parser.head();
            const std::string status = answered      ? std::to_string(resp.status())
                                       : m_head_sent ? "streamed"
                                                     : "no response";
            traced.rename("serve " + h.method + ' ' + std::string(target_path(h.target)) + ' ' + status);
            traced.arg("status", status);
          }
          if (answered) {
            if (resp.kind() == response::body_kind::bytes) {
              write_response(resp);  // the common case, without a coroutine frame
            } else {
              co_await send_response(resp);
            }
          }
          record_request(answered, resp, started);
          if (m_detached) co_return;
          // One response at a time: a client that pipelines requests without reading the
          // responses gets no more written for it than the high-water mark (plus one response).
          if (m_t->must_drain()) {
            if (!co_await drain_output()) break;
          }
          if (!m_close && !m_msg_done) skip_buffered_body();
          if (!m_close && !m_msg_done && !co_await discard_body()) m_close = true;
          if (m_parser.upgraded()) m_close = true;
          // Requests served from bytes already buffered need no wait: a client that pipelines as fast
          // as it is answered would keep this task from ever suspending. Each request spends a unit
          // of the step's cooperative budget, as a read does (docs/design/awaiter_protocol.md).
          if (!m_close && !aio::detail::coop_spend() && !co_await yield_turn()) break;
          continue;
        }
        if (r.event == parse_event::error) {
          const parse_error& e = m_parser.error();
          const int status = status_for(e.kind);
          std::string text = std::to_string(status) + ": " + std::string(reason_phrase(status));
          write_error(status, text);
          break;
        }
        // upgraded, body or message_complete cannot start a message; treat as a framing bug of ours.
        if (r.event != parse_event::need_more) break;
        m_head_started = true;
      }
      // Wait for input here, not in a coroutine of its own: no frame per request.
      const phase p = m_head_started ? phase::head : phase::idle;
      flush();
      if (m_t->must_drain()) {
        if (!co_await drain_output()) break;
      }
      if (!arm_wait(p)) break;
      const std::size_t before = buf.size();
      bool cancelled = false;
      try {
        co_await aio::detail::stream_wait_operation(m_t, before + 1);
      } catch (const cancelled_error&) {
        cancelled = true;
      }
      if (!end_wait(p, cancelled, before)) break;
    }
  } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): the client went away mid-write
  }
  flush();
}

coro<response> http_connection::begin_request() {
  request_head& h = m_parser.head();
  m_msg_done = false;
  m_head_sent = false;
  m_stream_finished = false;
  m_stream_keep_alive = false;
  m_continue_sent = false;
  m_is_head = h.method == "HEAD";
  application& app = *m_site->app;
  m_req.reset(this, &app, &h);
  router::resolution route = app.router().resolve(h.method, m_req.path(), m_req.m_params);
  m_req.m_route_status = route.status;
  m_route = route.route;
  m_req.m_allow = std::move(route.allow);
  m_phase = phase::handler;
  if (route.target != nullptr && app.middlewares().empty()) return (*route.target)(m_req);
  return app.dispatch(m_req, route.target);
}

bool http_connection::settle_response(response& resp, const std::exception_ptr& failure, bool cancelled) {
  m_phase = phase::busy;
  if (cancelled) {
    // Our own stop (vanished client; or a timeout / shutdown racing with the request's arrival):
    // end the connection. Anyone else's cancellation (shutdown timeout) propagates.
    if (m_stop == stop_reason::none) throw cancelled_error();
    m_task.uncancel();
    m_close = true;
    m_writer.abort();
    return false;
  }
  if (failure && !m_detached && client_gone(failure)) {
    // The client reset or broke the connection while the handler read or wrote: nobody is left to
    // read a 500. One rate-limited line, and the connection ends.
    log_handler_error(failure);
    m_close = true;
    m_writer.abort();
    return false;
  }
  if (failure) log_handler_error(failure);
  if (m_detached) return false;
  if (m_head_sent) {
    // part of the response is out: after a failure only closing tells the client it failed
    if (failure || !m_stream_finished || !m_stream_keep_alive) m_close = true;
    return false;
  }
  if (failure) {
    resp = response(500, "500: Internal Server Error");
  } else if (resp.kind() == response::body_kind::sent) {
    const request_head& h = m_parser.head();
    log_error(log_kind::invalid_response, "handler for " + h.method + " " + h.target +
                                              " returned already_sent() without sending a response");
    resp = response(500, "500: Internal Server Error");
  }
  return true;
}

coro<> http_connection::send_response(response& resp) {
  if (resp.kind() == response::body_kind::file) {
    co_await send_file(resp);
    co_return;
  }
  write_response(resp);
}

coro<bool> http_connection::yield_turn() {
  flush();
  bool cancelled = false;
  try {
    co_await aio::sleep(std::chrono::seconds(0));
  } catch (const cancelled_error&) {
    cancelled = true;  // shutdown: the connection ends as after a cancelled wait
  }
  co_return !cancelled;
}

void http_connection::begin_send_wait() {
  const site& s = *m_site;
  m_deadline =
      s.coarse_now + s.sweep_interval + std::chrono::duration_cast<clock::duration>(s.opts.send_timeout);
  m_sent_mark = m_t->bytes_sent();
  m_phase = phase::drain;
}

bool http_connection::took_output() noexcept {
  const std::uint64_t sent = m_t->bytes_sent();
  if (sent == m_sent_mark) return false;
  m_sent_mark = sent;
  return true;
}

bool http_connection::end_send_wait(phase saved, bool timed_out) {
  m_phase = saved;
  m_deadline = {};
  if (!timed_out) return true;
  m_task.uncancel();
  m_close = true;
  m_writer.abort();  // drops the unread output
  return false;
}

coro<bool> http_connection::drain_output() {
  flush();
  if (!m_t->must_drain()) co_return true;
  const phase saved = m_phase;
  begin_send_wait();
  bool timed_out = false;
  try {
    co_await m_writer.drain();
  } catch (const cancelled_error&) {
    if (m_stop == stop_reason::none) throw;  // someone else's cancellation
    timed_out = true;
  }
  co_return end_send_wait(saved, timed_out);
}

void http_connection::write_response(response& resp) {
  const request_head& h = m_parser.head();
  if (resp.compression_enabled()) compress_response(resp, h.headers);
  if (resp.must_close() || must_close()) m_close = true;
  const std::string& body = resp.body();
  head_spec spec;
  spec.status = resp.status();
  spec.reason = resp.reason();
  spec.fields = &resp.headers();
  spec.content_type = !resp.content_type().empty() ? std::string_view(resp.content_type())
                      : body.empty()               ? std::string_view()
                                                   : k_text_plain_utf8;
  spec.framing = body_framing_kind::length;
  spec.length = body.size();
  spec.connection = m_close                ? connection_header::close
                    : h.version.minor == 0 ? connection_header::keep_alive
                                           : connection_header::none;
  const std::size_t mark = m_out.size();
  bool invalid = false;
  try {
    write_server_head(m_out, spec);
  } catch (const std::invalid_argument& e) {
    m_out.resize(mark);
    log_error(log_kind::invalid_response,
              "invalid response to " + h.method + " " + h.target + ": " + e.what());
    invalid = true;
  }
  if (invalid) {
    resp = response(500, "500: Internal Server Error");
    write_response(resp);
    return;
  }
  const bool with_body = !m_is_head && !status_has_no_body(spec.status);
  if (with_body) {
    if (body.size() > k_inline_body) {
      flush();
      m_writer.write(body);
    } else {
      m_out += body;
    }
  }
  if (m_site->opts.access_log) log_access(spec.status, with_body ? body.size() : 0);
  if (m_out.size() > k_flush_threshold) flush();
}

bool http_connection::host_header_valid() const noexcept {
  const request_head& h = m_parser.head();
  const std::size_t n = h.headers.count("Host");
  return n == 1 || (n == 0 && h.version.minor == 0);
}

void http_connection::log_error(log_kind kind, std::string_view message) {
  std::string peer = m_t->peername().to_string();
  if (peer.empty()) peer = "-";
  m_site->logs.log(kind, peer, message, get_running_loop().time());
}

bool http_connection::client_gone(const std::exception_ptr& e) const {
  if (m_t->read_error() != 0) return true;
  try {
    std::rethrow_exception(e);
  } catch (const std::system_error& ex) {
    const int v = ex.code().value();
    return ex.code().category() == std::generic_category() &&
           (v == ECONNRESET || v == EPIPE || v == ECONNABORTED || v == ETIMEDOUT);
  } catch (...) {  // NOLINT(bugprone-empty-catch): any other failure is the handler's
  }
  return false;
}

/// Logs a handler's exception (never sent to the client).
void http_connection::log_handler_error(const std::exception_ptr& e) {
  std::string what = "unknown exception";
  try {
    std::rethrow_exception(e);
  } catch (const std::system_error& ex) {
    // The errno's text: the exception's own text repeats the peer and an "aio: " prefix.
    what = client_gone(e) ? ex.code().message() : ex.what();
  } catch (const std::exception& ex) {
    what = ex.what();
  } catch (...) {  // NOLINT(bugprone-empty-catch): the message says "unknown exception"
  }
  const bool gone = client_gone(e);
  std::string line = gone ? "client disconnected during " : "error handling request ";
  line.append(m_req.method()).append(" ").append(m_req.target()).append(": ").append(what);
  log_error(gone ? log_kind::client_disconnect : log_kind::handler_error, line);
}

void http_connection::record_request(bool answered, const response& resp,
                                     clock::time_point started) noexcept {
  request_metrics& m = *m_site->metrics;
  if (answered) {
    m.record(m_route, m_parser.head().method, resp.status(), clock::now() - started);
  } else if (m_head_sent) {
    m.record(m_route, m_parser.head().method, m_sent_status, m_head_sent_at - started);
  }
}

void http_connection::write_error(int status, std::string_view text) {
  m_site->metrics->bad_request();
  m_close = true;
  head_spec spec;
  spec.status = status;
  spec.content_type = k_text_plain_utf8;
  spec.framing = body_framing_kind::length;
  spec.length = text.size();
  spec.connection = connection_header::close;
  write_server_head(m_out, spec);
  m_out += text;
  flush();
}

bool http_connection::body_step(std::string& out, std::size_t max) {
  aio::detail::byte_buffer& buf = m_t->read_buffer();
  const parse_result r = m_parser.feed(buf.view().substr(0, max == 0 ? 1 : max));
  buf.consume(r.consumed);
  switch (r.event) {
    case parse_event::body:
      out.append(m_parser.body());
      return true;
    case parse_event::message_complete:
    case parse_event::upgraded:
      m_msg_done = true;
      return false;
    case parse_event::error: {
      m_close = true;
      const parse_error& e = m_parser.error();
      throw http_error(status_for(e.kind), std::to_string(status_for(e.kind)) + ": " + e.reason);
    }
    case parse_event::head:
    case parse_event::need_more:
      break;
  }
  return false;
}

bool http_connection::before_body_wait() {
  if (!m_t->read_buffer().empty()) return false;  // the parser can go on with what is buffered
  if (m_parser.head().expect_continue && !m_continue_sent && !m_head_sent) {
    m_continue_sent = true;
    flush();
    m_writer.write("HTTP/1.1 100 Continue\r\n\r\n");
  }
  const site& s = *m_site;
  m_deadline = s.coarse_now + s.sweep_interval +
               std::chrono::duration_cast<clock::duration>(s.opts.request_body_timeout);
  m_phase = phase::body;  // the sweeper ends a body that stalls (nginx's client_body_timeout)
  return true;
}

void http_connection::after_body_wait(phase saved, bool cancelled) {
  m_phase = saved;
  m_deadline = {};
  if (cancelled) {
    m_task.uncancel();
    m_close = true;
    std::string limit = std::to_string(m_site->opts.request_body_timeout.count());
    while (limit.size() > 1 && limit.back() == '0') limit.pop_back();
    if (limit.back() == '.') limit.pop_back();
    throw http_error(408, "408: Request Timeout: no request body bytes arrived within " + limit + " s");
  }
  if (!m_t->read_buffer().empty()) return;
  m_t->throw_read_error();
  if (m_parser.finish() == parse_event::message_complete) {
    m_msg_done = true;
    return;
  }
  m_close = true;
  throw http_error(400, "400: the request body was cut short");
}

coro<bool> http_connection::read_body(std::string& out, std::size_t max) {
  while (!m_msg_done) {
    if (body_step(out, max)) co_return true;
    if (m_msg_done) break;
    const phase saved = m_phase;
    if (!before_body_wait()) continue;
    bool cancelled = false;
    try {
      co_await aio::detail::stream_wait_operation(m_t, 1);
    } catch (const cancelled_error&) {
      if (m_stop != stop_reason::timeout) throw;  // someone else's cancellation
      cancelled = true;
    }
    after_body_wait(saved, cancelled);
  }
  co_return false;
}

void http_connection::skip_buffered_body() {
  std::string scratch;
  try {
    while (!m_msg_done) {
      scratch.clear();
      if (!body_step(scratch, 65536)) return;  // done, or the parser needs bytes not yet here
    }
  } catch (const std::exception&) {
    m_close = true;
  }
}

// Not written with read_body: clang-tidy's analyzer misreads a coroutine awaited from a coroutine of
// the same class (a "garbage value" in the promise), so the steps are shared, not the coroutine.
coro<bool> http_connection::discard_body() {
  std::string scratch;
  try {
    while (!m_msg_done) {
      scratch.clear();
      if (body_step(scratch, 65536) || m_msg_done) continue;
      const phase saved = m_phase;
      if (!before_body_wait()) continue;
      flush();  // the response goes out now, not after the body it did not need
      bool cancelled = false;
      try {
        co_await aio::detail::stream_wait_operation(m_t, 1);
      } catch (const cancelled_error&) {
        if (m_stop != stop_reason::timeout) throw;  // someone else's cancellation
        cancelled = true;
      }
      after_body_wait(saved, cancelled);
    }
  } catch (const std::exception&) {
    co_return false;
  }
  co_return true;
}

void http_connection::log_access(int status, std::uint64_t bytes) {
  const request_head& h = m_parser.head();
  std::string peer = "-";
  try {
    peer = m_writer.peername().host();
  } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): "-" for an unknown peer
  }
  const std::string_view ua = h.headers.get("User-Agent", "-");
  std::fprintf(stderr, "%s [%.*s] \"%s %s HTTP/%d.%d\" %d %llu \"%.*s\"\n", peer.c_str(),
               static_cast<int>(http_date_now().size()), http_date_now().data(), h.method.c_str(),
               h.target.c_str(), h.version.major, h.version.minor, status,
               static_cast<unsigned long long>(bytes), static_cast<int>(ua.size()), ua.data());
}

}  // namespace aio::http::detail
