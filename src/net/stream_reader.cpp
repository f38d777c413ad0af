// stream_reader: read(n), readexactly(n) as frame-free awaiters; readline/readuntil as coroutines.

#include "aio/net/stream_reader.hpp"

#include <algorithm>
#include <cstdint>
#include <stdexcept>

#include "aio/detail/coop_budget.hpp"
#include "aio/errors.hpp"

namespace aio {

namespace detail {

std::size_t stream_read_operation::wanted() const noexcept {
  return m_mode == mode::all ? SIZE_MAX : m_mode == mode::exactly ? m_n : 1;
}

bool stream_read_operation::await_ready() {
  if (m_mode != mode::all && m_n == 0) return true;
  return coop_spend() && !m_t->need_wait(wanted());
}

bool stream_read_operation::await_suspend(std::coroutine_handle<> h) {
  if (cancel_before_park(m_waiter)) return false;
  if (coop_exhausted() && !m_t->need_wait(wanted())) {
    coop_yield(h);  // the bytes are there but the step's budget is spent: take them next step
    return true;
  }
  current_task_header()->m_resume = h;
  m_t->park_reader(m_waiter);
  return true;
}

std::string stream_read_operation::await_resume() {
  m_t->end_read_wait();
  finish_wait(m_waiter);
  byte_buffer& buf = m_t->read_buffer();
  switch (m_mode) {
    case mode::some:
      if (m_n == 0) return {};
      if (!buf.empty()) return buf.take(std::min(m_n, buf.size()));
      m_t->throw_read_error();
      return {};
    case mode::all:
      m_t->throw_read_error();
      return buf.take(buf.size());
    case mode::exactly:
      if (buf.size() >= m_n) return buf.take(m_n);
      m_t->throw_read_error();
      throw incomplete_read_error(buf.take(buf.size()), m_n);
  }
  return {};
}

bool stream_wait_operation::await_ready() { return coop_spend() && !m_t->need_wait(m_wanted); }

bool stream_wait_operation::await_suspend(std::coroutine_handle<> h) {
  if (cancel_before_park(m_waiter)) return false;
  if (coop_exhausted() && !m_t->need_wait(m_wanted)) {
    coop_yield(h);
    return true;
  }
  current_task_header()->m_resume = h;
  m_t->park_reader(m_waiter);
  return true;
}

void stream_wait_operation::await_resume() {
  m_t->end_read_wait();
  finish_wait(m_waiter);
}

}  // namespace detail

detail::stream_read_operation stream_reader::read(std::ptrdiff_t n) {
  using mode = detail::stream_read_operation::mode;
  if (n < 0) return {m_t, 0, mode::all};
  return {m_t, static_cast<std::size_t>(n), mode::some};
}

detail::stream_read_operation stream_reader::readexactly(std::size_t n) {
  return {m_t, n, detail::stream_read_operation::mode::exactly};
}

namespace {
/// Where the earliest-ending separator ends in `data` (npos when none is there).
std::size_t find_end(std::string_view data, const std::vector<std::string>& seps) {
  std::size_t best = std::string_view::npos;
  for (const std::string& s : seps) {
    const std::size_t at = data.find(s);
    if (at != std::string_view::npos) best = std::min(best, at + s.size());
  }
  return best;
}
}  // namespace

coro<std::string> stream_reader::readuntil(std::string separator) {
  std::vector<std::string> seps;
  seps.push_back(std::move(separator));
  co_return co_await readuntil(std::move(seps));
}

coro<std::string> stream_reader::readuntil(std::vector<std::string> separators) {
  if (separators.empty() ||
      std::any_of(separators.begin(), separators.end(), [](const std::string& s) { return s.empty(); })) {
    throw std::invalid_argument("aio: readuntil() needs at least one non-empty separator");
  }
  detail::stream_transport* t = m_t;
  stream_reader keep(*this);  // the connection outlives this coroutine even if the caller drops us
  std::size_t longest = 0;
  for (const auto& s : separators) longest = std::max(longest, s.size());
  std::size_t scanned = 0;  // bytes already searched (minus a separator's overlap)
  for (;;) {
    const std::string_view data = t->read_buffer().view();
    const std::size_t from = scanned > longest ? scanned - longest : 0;
    const std::size_t end = find_end(data.substr(from), separators);
    if (end != std::string_view::npos) {
      const std::size_t n = from + end;
      if (n > t->limit()) {
        throw limit_overrun_error("aio: separator is found, but chunk is longer than limit", n);
      }
      co_return t->read_buffer().take(n);
    }
    if (data.size() > t->limit()) {
      throw limit_overrun_error("aio: separator is not found, and chunk exceed the limit", data.size());
    }
    scanned = data.size();
    if (t->read_done()) {
      t->throw_read_error();
      throw incomplete_read_error(t->read_buffer().take(t->read_buffer().size()), data.size() + 1);
    }
    co_await detail::stream_wait_operation(t, data.size() + 1);
  }
}

coro<std::string> stream_reader::readline() {
  detail::stream_transport* t = m_t;
  stream_reader keep(*this);
  std::exception_ptr failure;
  try {
    co_return co_await readuntil("\n");
  } catch (const incomplete_read_error& e) {
    co_return e.partial();  // EOF: the last line without its newline, or ""
  } catch (const limit_overrun_error& e) {
    failure = std::current_exception();
    // As asyncio: drop the over-long line (through its newline when there is one) and report.
    detail::byte_buffer& buf = t->read_buffer();
    const std::size_t nl = buf.view().find('\n');
    buf.consume(nl != std::string_view::npos ? nl + 1 : buf.size());
  }
  std::rethrow_exception(failure);
}

}  // namespace aio
