// aio_frame_sizes: prints a markdown table of the coroutine frame sizes of small user coroutines,
// each awaiting one aio primitive, and the sizeof of the awaiters they keep in their frames
// (docs/design/tasks.md "Frame sizes"). Run it with each compiler: the sizes are the compiler's.
//
// Frames are measured by what the promise's operator new asks aio::detail::allocate_frame for (the
// linker wraps that function, bench/CMakeLists.txt). A coro is lazy, so calling the coroutine
// function allocates its frame without running the body: no connection or server is needed. The
// frames aio's own coroutines allocate (readline's, the client's request) are not in the table.
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aio/aio.hpp"

using namespace std::chrono_literals;

namespace {
std::size_t g_last_frame = 0;
}

extern "C" {
void* __real__ZN3aio6detail14allocate_frameEm(std::size_t n);
void* __wrap__ZN3aio6detail14allocate_frameEm(std::size_t n) {
  g_last_frame = n;
  return __real__ZN3aio6detail14allocate_frameEm(n);
}
}

namespace {

// The user coroutines: one await each, written as users write them (objects by reference).
aio::coro<int> plain(int i) { co_return i; }

aio::coro<> nap() { co_await aio::sleep(10ms); }

aio::coro<int> consume(aio::queue<int>& q) {
  const int v = co_await q.get();
  co_return v;
}

aio::coro<> produce(aio::queue<int>& q, int v) { co_await q.put(v); }

aio::coro<> produce_string(aio::queue<std::string>& q, std::string s) { co_await q.put(std::move(s)); }

aio::coro<> critical(aio::lock& l, int& counter) {
  co_await l.acquire();
  ++counter;
  l.release();
}

aio::coro<> wait_event(aio::event& e) { co_await e.wait(); }

aio::coro<std::size_t> read_some(aio::stream_reader& r) {
  const std::string data = co_await r.read(4096);
  co_return data.size();
}

aio::coro<std::size_t> read_line(aio::stream_reader& r) {
  const std::string line = co_await r.readline();
  co_return line.size();
}

aio::coro<> send(aio::stream_writer& w, std::string_view data) {
  w.write(data);
  co_await w.drain();
}

// The session by pointer: a client_session is not constructed here (its frame is the same either way).
aio::coro<int> fetch_status(aio::http::client_session* s, std::string_view url) {
  const aio::http::client_response resp = co_await s->get(url);
  co_return resp.status();
}

aio::coro<std::size_t> fetch_text(aio::http::client_session* s, std::string_view url) {
  aio::http::client_response resp = co_await s->get(url);
  const std::string body = co_await resp.text();
  co_return body.size();
}

aio::coro<int> join(aio::task<int>& t) {
  const int v = co_await t;
  co_return v;
}

aio::coro<int> gather_two() {
  auto [a, b] = co_await aio::gather(plain(1), plain(2));
  co_return a + b;
}

aio::coro<long> gather_range(std::vector<aio::task<int>> tasks) {
  const std::vector<int> results = co_await aio::gather(std::move(tasks));
  long sum = 0;
  for (const int r : results) sum += r;
  co_return sum;
}

// Calls the coroutine function (which only allocates the frame) and returns the frame's size.
template <class F>
std::size_t frame_of(F&& make) {
  g_last_frame = 0;
  {
    auto c = std::forward<F>(make)();
    // The coro escapes: clang++ otherwise elides the allocation (the frame goes on this stack).
    asm volatile("" : : "r"(&c) : "memory");
  }
  return g_last_frame;
}

void row(const char* what, std::size_t frame, const char* awaiter, std::size_t awaiter_size) {
  std::printf("| %s | %zu | %s | %zu |\n", what, frame, awaiter, awaiter_size);
}

aio::coro<> table() {
  aio::queue<int> q;
  aio::queue<std::string> qs;
  aio::lock l;
  aio::event e;
  aio::stream_reader reader;  // empty: the bodies never run
  aio::stream_writer writer;
  aio::http::client_session* session = nullptr;
  aio::task<int> t = aio::create_task(plain(7));
  int counter = 0;

  using read_awaiter = decltype(reader.read(1));
  using coro_awaiter = decltype(std::declval<aio::coro<std::string>&&>().operator co_await());
  using task_awaiter = decltype(std::declval<aio::task<int>&>().operator co_await());
  using gather2_op = decltype(aio::gather(plain(1), plain(2)));
  using gather_range_op = decltype(aio::gather(std::declval<std::vector<aio::task<int>>&&>()));

  std::printf("| user coroutine awaits | frame (bytes) | awaiter kept in the frame | sizeof |\n");
  std::printf("|---|---|---|---|\n");
  row("nothing (`co_return i`)", frame_of([] { return plain(1); }), "-", 0);
  row("`sleep(10ms)`", frame_of([] { return nap(); }), "sleep_operation", sizeof(decltype(aio::sleep(1s))));
  row("`queue<int>::get()`", frame_of([&q] { return consume(q); }), "queue_get_operation",
      sizeof(decltype(q.get())));
  row("`queue<int>::put(v)`", frame_of([&q] { return produce(q, 1); }), "queue_put_operation<int>",
      sizeof(decltype(q.put(1))));
  row("`queue<std::string>::put(s)`", frame_of([&qs] { return produce_string(qs, std::string()); }),
      "queue_put_operation<string>", sizeof(decltype(qs.put(std::string()))));
  row("`lock::acquire()`", frame_of([&l, &counter] { return critical(l, counter); }),
      "lock_acquire_operation", sizeof(decltype(l.acquire())));
  row("`event::wait()`", frame_of([&e] { return wait_event(e); }), "event_wait_operation",
      sizeof(decltype(e.wait())));
  row("`stream_reader::read(n)`", frame_of([&reader] { return read_some(reader); }), "stream_read_operation",
      sizeof(read_awaiter));
  row("`stream_reader::readline()`", frame_of([&reader] { return read_line(reader); }),
      "coro awaiter (+ coro handle)", sizeof(coro_awaiter));
  row("`stream_writer::write` + `drain()`", frame_of([&writer] { return send(writer, "x"); }),
      "stream_writer_wait_operation", sizeof(decltype(writer.drain())));
  row("`session.get(url)`", frame_of([session] { return fetch_status(session, "http://h/"); }),
      "coro awaiter (+ coro handle)", sizeof(coro_awaiter));
  row("`session.get(url)` + `resp.text()`", frame_of([session] { return fetch_text(session, "http://h/"); }),
      "coro awaiter (+ coro handle)", sizeof(coro_awaiter));
  row("`co_await task`", frame_of([&t] { return join(t); }), "task awaiter (join_operation)",
      sizeof(task_awaiter));
  row("`gather(c1, c2)` (two coros)", frame_of([] { return gather_two(); }), "gather_tuple_operation<2>",
      sizeof(gather2_op));
  row("`gather(std::move(tasks))`", frame_of([] { return gather_range(std::vector<aio::task<int>>{}); }),
      "gather_range_operation", sizeof(gather_range_op));
  // What the combinators keep per child (bench/RESULTS.md, issue 15) and the shared parts above.
  std::printf(
      "\nParts: task_header %zu, join_operation %zu, sync_waiter %zu, transport_waiter %zu, gather_core %zu "
      "(of which std::string %zu); per child: as_completed_child %zu, task_group_child %zu\n",
      sizeof(aio::detail::task_header), sizeof(aio::detail::join_operation), sizeof(aio::detail::sync_waiter),
      sizeof(aio::detail::transport_waiter), sizeof(aio::detail::gather_core), sizeof(std::string),
      sizeof(aio::detail::as_completed_child),
      sizeof(aio::detail::task_group_child));
  std::printf("HTTP: request_options %zu, client_response %zu\n", sizeof(aio::http::request_options),
              sizeof(aio::http::client_response));
  co_await t;
}

}  // namespace

int main() {
#if defined(__clang__)
  std::printf("clang++ %d.%d\n\n", __clang_major__, __clang_minor__);
#else
  std::printf("g++ %d.%d\n\n", __GNUC__, __GNUC_MINOR__);
#endif
  aio::run(table());
  return 0;
}
