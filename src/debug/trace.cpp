// Trace timelines in Chrome's trace-event JSON (docs/design/tracing.md): the loop's hooks buffer
// fixed-size events; names (coroutines, span texts) are resolved and the JSON written when the buffer
// fills and when the recorder ends.

#include "aio/debug/trace.hpp"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string_view>
#include <utility>

#include "../detail/task_extra.hpp"
#include "aio/runtime/detail/loop_access.hpp"
#include "symbolize.hpp"
#include "tracer.hpp"

namespace aio {

namespace detail {

namespace {

// A JSON string's contents: quotes, backslashes and control characters escaped; bytes that are not
// valid UTF-8 become U+FFFD, so any reader accepts the file.
void append_escaped(std::string& out, std::string_view s) {
  static constexpr char k_hex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c == '\n') {
      out += "\\n";
      ++i;
    } else if (c == '\t') {
      out += "\\t";
      ++i;
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\u00";
      out += k_hex[c >> 4U];
      out += k_hex[c & 15U];
      ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else {
      // The length of a well-formed sequence starting here, or 0.
      std::size_t n = 0;
      unsigned min = 0;
      unsigned cp = 0;
      if (c >= 0xc2 && c <= 0xdf) {
        n = 2, cp = c & 0x1fU, min = 0x80;
      } else if (c >= 0xe0 && c <= 0xef) {
        n = 3, cp = c & 0x0fU, min = 0x800;
      } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4, cp = c & 0x07U, min = 0x10000;
      }
      bool good = n != 0 && i + n <= s.size();
      for (std::size_t k = 1; good && k < n; ++k) {
        const auto cc = static_cast<unsigned char>(s[i + k]);
        good = (cc & 0xc0U) == 0x80;
        cp = (cp << 6U) | (cc & 0x3fU);
      }
      good = good && cp >= min && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);
      if (good) {
        out.append(s.substr(i, n));
        i += n;
      } else {
        out += "\\ufffd";
        ++i;
      }
    }
  }
}

void append_quoted(std::string& out, std::string_view s) {
  out += '"';
  append_escaped(out, s);
  out += '"';
}

// Microseconds with the nanoseconds as decimals (the trace format's unit).
void append_us(std::string& out, std::int64_t ns) {
  if (ns < 0) ns = 0;
  // to_chars, not snprintf: this runs for every event and printf's parsing was a tenth of a traced run.
  char buf[32];
  char* end = std::to_chars(buf, buf + sizeof buf, ns / 1000).ptr;
  const auto frac = static_cast<int>(ns % 1000);
  *end++ = '.';
  *end++ = static_cast<char>('0' + frac / 100);
  *end++ = static_cast<char>('0' + frac / 10 % 10);
  *end++ = static_cast<char>('0' + frac % 10);
  out.append(buf, end);
}

void append_int(std::string& out, std::uint64_t n) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, n).ptr);
}

std::string shorten(std::string name) {
  static constexpr std::string_view k_anon = "(anonymous namespace)::";
  for (std::size_t at = name.find(k_anon); at != std::string::npos; at = name.find(k_anon, at))
    name.erase(at, k_anon.size());
  return name;
}

// What a task waits on, told by the cancel function of its suspension (task_header::m_suspended):
// each kind of wait installs its own, and the symbol tables name it. The first match wins; a wait not
// listed (or a stripped binary) is a plain "wait" whose "on" argument still names the function.
struct wait_kind {
  std::string_view needle;  // in the demangled name of the cancel function
  const char* name;
};
constexpr wait_kind k_wait_kinds[] = {
    {"io_operation::", "io"},        // a read, write, accept, connect, ... in flight (io_uring, epoll)
    {"on_waiter_cancel", "io"},      // a stream transport waiting for bytes or for room
    {"executor_call", "to_thread"},  // to_thread, run_in_executor
    {"join_operation::", "join"},    // awaiting another task
    {"gather_core::", "gather"},     //
    {"as_completed_waiter::", "as_completed"},
    {"task_group_join_operation::", "task_group"},
    {"wait_core::", "wait_for"},  // aio::wait, wait_for, timeout: a timer and the awaited tasks
    {"shield_core::", "shield"},
    {"process_wait_operation::", "process"},
    {"sync_waiter::", "sync"},  // lock, semaphore, event, condition, barrier, queue
};

// "aio::detail::io_operation::on_cancel(aio::detail::suspension*, ...)" -> "aio::detail::io_operation".
std::string owner_of(std::string symbol) {
  if (const std::size_t paren = symbol.find('('); paren != std::string::npos) symbol.resize(paren);
  if (const std::size_t colons = symbol.rfind("::"); colons != std::string::npos) symbol.resize(colons);
  return symbol;
}

const void* resume_function(std::coroutine_handle<> h) noexcept {
  // Every coroutine frame starts with its resume function (both compilers; task_header::frame()).
  return h ? *static_cast<void* const*>(h.address()) : nullptr;
}

std::string program_name() {
  std::ifstream comm("/proc/self/comm");
  std::string name;
  std::getline(comm, name);
  return name.empty() ? "aio" : name;
}

}  // namespace

tracer::tracer(event_loop& loop, std::string path, const trace_options& opts)
    : m_loop(loop),
      m_path(std::move(path)),
      m_opts(opts),
      m_origin(loop.time()),
      m_pid(static_cast<int>(::getpid())) {
  if (m_opts.buffer_events == 0) m_opts.buffer_events = 1;
  m_file = std::fopen(m_path.c_str(), "w");
  if (m_file == nullptr) {
    fail(std::strerror(errno));
    return;
  }
  m_buffer.reserve(std::min<std::size_t>(m_opts.buffer_events, 4096));
  std::string head = "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"producer\":\"aio\"},\"traceEvents\":[\n";
  head += "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":" + std::to_string(m_pid) +
          ",\"tid\":0,\"args\":{\"name\":";
  append_quoted(head, program_name());
  head += "}},\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":" + std::to_string(m_pid) +
          ",\"tid\":0,\"args\":{\"name\":\"event loop\"}}";
  m_first = false;
  write(head);
}

tracer::~tracer() {
  if (m_file == nullptr) return;
  try {
    const std::int64_t end = now();
    for (auto& [t, s] : m_tasks) {
      close_wait(s, end);
      m_rows.push_back({s.row, given_task_name(*t), s.root});
    }
  } catch (...) {  // NOLINT(bugprone-empty-catch): the rows stay unnamed
  }
  m_tasks.clear();
  flush();
  if (m_file == nullptr) return;
  write("\n]}\n");
  if (m_file == nullptr) return;
  const int rc = std::fclose(m_file);
  m_file = nullptr;
  if (rc != 0) {
    exception_context ctx;
    ctx.message = "cannot write the trace file '" + m_path + "': " + std::strerror(errno);
    m_loop.call_exception_handler(ctx);
  }
}

std::int64_t tracer::now() const noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(m_loop.time() - m_origin).count();
}

void tracer::fail(const std::string& what) noexcept {
  if (m_file != nullptr) {
    std::fclose(m_file);
    m_file = nullptr;
  }
  if (loop_access::trace(m_loop) == this) loop_access::set_trace(m_loop, nullptr);
  try {
    exception_context ctx;
    ctx.message = "cannot write the trace file '" + m_path + "': " + what + "; the program goes on untraced";
    m_loop.call_exception_handler(ctx);
  } catch (...) {  // NOLINT(bugprone-empty-catch): out of memory for the message
  }
}

void tracer::write(const std::string& text) noexcept {
  if (m_file == nullptr) return;
  if (std::fwrite(text.data(), 1, text.size(), m_file) != text.size()) fail(std::strerror(errno));
}

void tracer::push(const event& e) {
  if (m_file == nullptr || m_truncated) return;
  if (m_count + 1 >= m_opts.max_events) {
    m_truncated = true;
    event t;
    t.ts = e.ts;
    t.what = kind::truncated;
    m_buffer.push_back(t);
    ++m_count;
    exception_context ctx;
    ctx.message = "the trace reached " + std::to_string(m_opts.max_events) + " events: recording stopped ('" +
                  m_path + "' ends with a \"trace truncated\" event)";
    m_loop.call_exception_handler(ctx);
    return;
  }
  m_buffer.push_back(e);
  ++m_count;
  if (m_buffer.size() >= m_opts.buffer_events) flush();
}

const std::string& tracer::name_of(const void* fn) {
  auto it = m_symbols.find(fn);
  if (it == m_symbols.end()) it = m_symbols.emplace(fn, fn == nullptr ? "?" : shorten(symbolize(fn))).first;
  return it->second;
}

const std::pair<const char*, std::string>& tracer::wait_of(const void* on) {
  auto it = m_waits.find(on);
  if (it != m_waits.end()) return it->second;
  std::pair<const char*, std::string> w{"wait", ""};
  if (on != nullptr) {
    const std::string symbol = name_of(on);
    for (const wait_kind& k : k_wait_kinds) {
      if (symbol.find(k.needle) != std::string::npos) {
        w.first = k.name;
        break;
      }
    }
    w.second = owner_of(symbol);
  }
  return m_waits.emplace(on, std::move(w)).first->second;
}

void tracer::flush() noexcept {
  if (m_file == nullptr) return;
  try {
    std::string out;
    out.reserve(m_buffer.size() * 160 + m_rows.size() * 220);  // one allocation: events are ~100-150 bytes
    const std::string pid = std::to_string(m_pid);
    auto begin = [&](std::string_view name, const char* ph, std::uint32_t row, std::int64_t ts) {
      out += m_first ? "" : ",\n";
      m_first = false;
      out += "{\"name\":";
      append_quoted(out, name);
      out += ",\"ph\":\"";
      out += ph;
      out += "\",\"pid\":";
      out += pid;
      out += ",\"tid\":";
      append_int(out, row);
      out += ",\"ts\":";
      append_us(out, ts);
    };
    for (const event& e : m_buffer) {
      switch (e.what) {
        case kind::run:
        case kind::ready:
        case kind::callback:
          begin(e.what == kind::run ? "run" : e.what == kind::ready ? "ready" : "callback", "X", e.row, e.ts);
          out += ",\"dur\":";
          append_us(out, e.dur);
          out += ",\"cat\":\"task\"}";
          break;
        case kind::wait: {
          // Named by what the task waits on; "in": the coroutine that awaits it.
          const std::pair<const char*, std::string>* on = e.sleeping ? nullptr : &wait_of(e.on);
          begin(on == nullptr ? "sleep" : on->first, "X", e.row, e.ts);
          out += ",\"dur\":";
          append_us(out, e.dur);
          out += ",\"cat\":\"wait\",\"args\":{\"in\":";
          append_quoted(out, name_of(e.fn));
          if (on != nullptr && !on->second.empty()) {
            out += ",\"on\":";
            append_quoted(out, on->second);
          }
          out += "}}";
          break;
        }
        case kind::created:
        case kind::done:
        case kind::failed:
        case kind::cancelled: {
          const char* name = e.what == kind::created  ? "created"
                             : e.what == kind::done   ? "done"
                             : e.what == kind::failed ? "failed"
                                                      : "cancelled";
          begin(name, "i", e.row, e.ts);
          out += ",\"s\":\"t\",\"cat\":\"task\"}";
          break;
        }
        case kind::span: {
          const std::string& name = m_strings[e.text];
          const std::string& args = m_strings[e.text + 1];
          const std::string id = std::to_string(m_next_span++);
          begin(name, "b", e.row, e.ts);
          out += ",\"cat\":";
          append_quoted(out, e.category);
          out.append(",\"id\":").append(id).append(",\"args\":{").append(args).append("}}");
          begin(name, "e", e.row, e.ts + e.dur);
          out += ",\"cat\":";
          append_quoted(out, e.category);
          out += ",\"id\":" + id + "}";
          break;
        }
        case kind::truncated:
          begin("trace truncated", "i", 0, e.ts);
          out +=
              ",\"s\":\"g\",\"cat\":\"aio\",\"args\":{\"max_events\":" + std::to_string(m_opts.max_events) +
              "}}";
          break;
      }
    }
    for (const row_name& r : m_rows) {
      std::string name = r.name.empty() ? name_of(r.root) : r.name;
      begin("thread_name", "M", r.row, 0);
      out += ",\"args\":{\"name\":";
      append_quoted(out, name);
      out += "}}";
      begin("thread_sort_index", "M", r.row, 0);
      out += ",\"args\":{\"sort_index\":" + std::to_string(r.row) + "}}";
    }
    m_buffer.clear();
    m_strings.clear();
    m_rows.clear();
    write(out);
  } catch (...) {
    fail("out of memory");
  }
}

void tracer::close_wait(task_state& s, std::int64_t at) {
  if (s.suspended_since >= 0) {
    event e;
    e.what = kind::wait;
    e.row = s.row;
    e.ts = s.suspended_since;
    e.dur = at - s.suspended_since;
    e.fn = s.waits_in;
    e.sleeping = s.sleeping;
    e.on = s.waits_on;
    s.suspended_since = -1;
    push(e);
  }
  if (s.ready_since >= 0) {
    if (at > s.ready_since) {
      event e;
      e.what = kind::ready;
      e.row = s.row;
      e.ts = s.ready_since;
      e.dur = at - s.ready_since;
      push(e);
    }
    s.ready_since = -1;
  }
}

tracer::task_state& tracer::state_of(const task_header* t) {
  auto it = m_tasks.find(t);
  if (it != m_tasks.end()) return it->second;
  // A task created before the recorder (aio::run's main): first seen now.
  task_state s;
  s.row = m_next_row++;
  s.root = resume_function(t->frame());
  return m_tasks.emplace(t, s).first->second;
}

void tracer::task_created(task_header* t) noexcept {
  try {
    const task_state& s = state_of(t);
    event e;
    e.what = kind::created;
    e.row = s.row;
    e.ts = now();
    push(e);
  } catch (...) {
    fail("out of memory");
  }
}

void tracer::task_scheduled(task_header* t) noexcept {
  try {
    const std::int64_t at = now();
    if (t == m_running) {
      m_requeued = true;  // yielded or woken during its own slice: ready from the slice's end
      return;
    }
    task_state& s = state_of(t);
    close_wait(s, at);
    s.ready_since = at;
  } catch (...) {
    fail("out of memory");
  }
}

void tracer::slice_begin(task_header* t) noexcept {
  try {
    const std::int64_t at = now();
    task_state& s = state_of(t);
    close_wait(s, at);
    m_running = t;
    m_running_row = s.row;
    m_slice_start = at;
    m_requeued = false;
  } catch (...) {
    fail("out of memory");
  }
}

void tracer::slice_end(task_header* t) noexcept {
  try {
    const std::int64_t at = now();
    event e;
    e.what = kind::run;
    e.row = m_running_row;
    e.ts = m_slice_start;
    e.dur = at - m_slice_start;
    m_running = nullptr;
    push(e);
    if (t->has(task_header::flag_done)) return;
    task_state& s = state_of(t);
    if (m_requeued || t->has(task_header::flag_queued)) {
      s.ready_since = at;
    } else {
      s.suspended_since = at;
      s.waits_in = resume_function(t->m_resume);
      s.sleeping = t->m_suspended == &task_header::sleeping;
      // A function's address as data, for the symboliser (POSIX guarantees the conversion).
      s.waits_on = s.sleeping || t->m_suspended == nullptr
                       ? nullptr
                       : reinterpret_cast<const void*>(t->m_suspended->m_cancel);
    }
  } catch (...) {
    fail("out of memory");
  }
}

void tracer::task_done(task_header* t) noexcept {
  try {
    auto it = m_tasks.find(t);
    task_state s = it != m_tasks.end() ? it->second : state_of(t);
    m_tasks.erase(t);
    const std::int64_t at = now();
    close_wait(s, at);
    event e;
    e.what = !t->has(task_header::flag_error)      ? kind::done
             : t->has(task_header::flag_cancelled) ? kind::cancelled
                                                   : kind::failed;
    e.row = s.row;
    e.ts = at;
    push(e);
    m_rows.push_back({s.row, given_task_name(*t), s.root});
  } catch (...) {
    fail("out of memory");
  }
}

void tracer::callback_begin() noexcept { m_callback_start = now(); }

void tracer::callback_end() noexcept {
  if (m_callback_start < 0) return;
  try {
    event e;
    e.what = kind::callback;
    e.ts = m_callback_start;
    e.dur = now() - m_callback_start;
    m_callback_start = -1;
    push(e);
  } catch (...) {
    fail("out of memory");
  }
}

std::uint32_t tracer::current_row() const {
  if (const task_header* t = current_task_header()) {
    auto it = m_tasks.find(t);
    if (it != m_tasks.end()) return it->second.row;
    if (t == m_running) return m_running_row;
  }
  return 0;
}

void tracer::add_span(const char* category, std::uint32_t row, std::int64_t begin, std::string name,
                      std::string args_json) {
  if (m_file == nullptr || m_truncated) return;
  event e;
  e.what = kind::span;
  e.category = category;
  e.row = row;
  e.ts = begin;
  e.dur = now() - begin;
  e.text = static_cast<std::uint32_t>(m_strings.size());
  m_strings.push_back(std::move(name));
  m_strings.push_back(std::move(args_json));
  push(e);
}

std::string trace_path_for(const std::string* option) {
  if (option != nullptr) return *option;
  const char* env = std::getenv("AIO_TRACE");
  return env != nullptr ? std::string(env) : std::string();
}

}  // namespace detail

// ---- trace_recorder -------------------------------------------------------------------------------

struct trace_recorder::state {
  event_loop* loop;
  detail::tracer recorder;
  state(event_loop& l, std::string path, const trace_options& opts)
      : loop(&l), recorder(l, std::move(path), opts) {}
};

trace_recorder::trace_recorder(event_loop& loop, std::string path, trace_options opts)
    : m_state(std::make_unique<state>(loop, std::move(path), opts)) {
  if (m_state->recorder.ok()) detail::loop_access::set_trace(loop, &m_state->recorder);
}

trace_recorder::~trace_recorder() {
  if (detail::loop_access::trace(*m_state->loop) == &m_state->recorder)
    detail::loop_access::set_trace(*m_state->loop, nullptr);
}

bool trace_recorder::ok() const noexcept { return m_state->recorder.ok(); }
std::size_t trace_recorder::events() const noexcept { return m_state->recorder.events(); }

// ---- trace::span ----------------------------------------------------------------------------------

namespace trace {

bool enabled() noexcept {
  const event_loop* loop = detail::running_loop();
  return loop != nullptr && detail::loop_access::trace(*loop) != nullptr;
}

struct span::state {
  event_loop* loop;
  detail::tracer* recorder;
  const char* category;
  std::uint32_t row;
  std::int64_t begin;
  std::string name;
  std::string args;
};

span::span(const char* category, std::string name) {
  event_loop* loop = detail::running_loop();
  if (loop == nullptr) return;
  detail::tracer* t = detail::loop_access::trace(*loop);
  if (t == nullptr) [[likely]]
    return;
  m_state = std::make_unique<state>(
      state{loop, t, category, t->current_row(), t->now(), std::move(name), std::string()});
}

span::~span() {
  if (!m_state) return;
  // Recorded only into the recorder that saw it begin, if it still records.
  if (detail::loop_access::trace(*m_state->loop) != m_state->recorder) return;
  try {
    m_state->recorder->add_span(m_state->category, m_state->row, m_state->begin, std::move(m_state->name),
                                std::move(m_state->args));
  } catch (...) {  // NOLINT(bugprone-empty-catch): a span lost for want of memory
  }
}

// By value in the public header so that callers can move a built string in; changing it now would
// recompile every user for one copy.
void span::arg(const char* key, std::string value) {  // NOLINT(performance-unnecessary-value-param)
  if (!m_state) return;
  std::string& a = m_state->args;
  if (!a.empty()) a += ',';
  detail::append_quoted(a, key);
  a += ':';
  detail::append_quoted(a, value);
}

void span::rename(std::string name) {
  if (m_state) m_state->name = std::move(name);
}

}  // namespace trace

}  // namespace aio
