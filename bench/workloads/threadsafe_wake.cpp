// Cross-loop wake-ups: what one `call_soon_threadsafe` costs between two event loops on two threads
// (docs/design/multicore.md). `aio_threadsafe_wake [ROUNDS] [CPU_A CPU_B]`:
//
//   ping-pong  loop A posts a callback to loop B, which posts one back, ROUNDS times. Each loop is
//              idle in between, blocked in the backend's wait, so every hop is the whole price of
//              waking a sleeping loop on another thread: the queue's lock, the eventfd write, the
//              kernel waking the thread, the loop's iteration. Prints the time of one hop.
//   burst      a plain thread posts ROUNDS callbacks to loop B as fast as it can; only the post that
//              finds B's queue empty writes the eventfd. Prints the poster's cost per post and the
//              time until B ran the last one, per callback.
//
// With CPU_A and CPU_B each thread is pinned (the same CPU twice measures a same-core hand-over).
// AIO_BACKEND=epoll|io_uring selects the backend.

#include <pthread.h>
#include <sched.h>
#include <aio/aio.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace {

using steady = std::chrono::steady_clock;

void pin(int cpu) {
  if (cpu < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0) {
    std::fprintf(stderr, "cannot pin to CPU %d\n", cpu);
    std::exit(1);
  }
}

struct shared {
  std::atomic<aio::event_loop*> a{nullptr};
  std::atomic<aio::event_loop*> b{nullptr};
  bool a_done = false;  // touched by A's loop thread only
  bool b_done = false;  // touched by B's loop thread only
  long b_count = 0;     // touched by B's loop thread only
};

aio::event_loop* wait_for(std::atomic<aio::event_loop*>& slot) {
  aio::event_loop* loop = nullptr;
  while ((loop = slot.load(std::memory_order_acquire)) == nullptr) std::this_thread::yield();
  return loop;
}

void pong(shared& s, long left);

void ping(shared& s, long left) {  // runs on B
  s.a.load(std::memory_order_relaxed)->call_soon_threadsafe([&s, left] { pong(s, left); });
}

void pong(shared& s, long left) {  // runs on A
  if (left == 0) {
    s.a_done = true;
    s.b.load(std::memory_order_relaxed)->call_soon_threadsafe([&s] { s.b_done = true; });
    return;
  }
  s.b.load(std::memory_order_relaxed)->call_soon_threadsafe([&s, left] { ping(s, left - 1); });
}

double ping_pong(long rounds, int cpu_a, int cpu_b) {
  shared s;
  std::thread b([&] {
    pin(cpu_b);
    aio::event_loop loop;
    s.b.store(&loop, std::memory_order_release);
    loop.run_until([&] { return s.b_done; });
  });
  pin(cpu_a);
  aio::event_loop loop;
  s.a.store(&loop, std::memory_order_release);
  wait_for(s.b);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let B block in its wait
  const auto start = steady::now();
  s.b.load()->call_soon_threadsafe([&s, rounds] { ping(s, rounds - 1); });
  loop.run_until([&] { return s.a_done; });
  const auto took = steady::now() - start;
  b.join();
  return std::chrono::duration<double, std::nano>(took).count() / (2.0 * static_cast<double>(rounds));
}

void burst(long n, int cpu_a, int cpu_b, double& post_ns, double& total_ns) {
  shared s;
  std::atomic<steady::time_point::rep> end{0};
  std::thread b([&] {
    pin(cpu_b);
    aio::event_loop loop;
    s.b.store(&loop, std::memory_order_release);
    loop.run_until([&] { return s.b_count == n; });
    end.store(steady::now().time_since_epoch().count(), std::memory_order_release);
  });
  pin(cpu_a);
  aio::event_loop* loop = wait_for(s.b);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const auto start = steady::now();
  for (long i = 0; i < n; ++i) loop->call_soon_threadsafe([&s] { ++s.b_count; });
  const auto posted = steady::now();
  b.join();
  const auto finished = steady::time_point(steady::duration(end.load(std::memory_order_acquire)));
  post_ns = std::chrono::duration<double, std::nano>(posted - start).count() / static_cast<double>(n);
  total_ns = std::chrono::duration<double, std::nano>(finished - start).count() / static_cast<double>(n);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 1 && argc != 2 && argc != 4) {
    std::fprintf(stderr, "usage: %s [ROUNDS] [CPU_A CPU_B]\n", argv[0]);
    return 2;
  }
  const long rounds = argc >= 2 ? std::atol(argv[1]) : 100000;
  const int cpu_a = argc == 4 ? std::atoi(argv[2]) : -1;
  const int cpu_b = argc == 4 ? std::atoi(argv[3]) : -1;
  if (rounds < 1) {
    std::fprintf(stderr, "ROUNDS must be at least 1\n");
    return 2;
  }
  const double hop_ns = ping_pong(rounds, cpu_a, cpu_b);
  double post_ns = 0;
  double total_ns = 0;
  burst(rounds * 10, cpu_a, cpu_b, post_ns, total_ns);
  std::printf("ping-pong: %ld round trips, %.2f us per hop (a wake-up of an idle loop)\n", rounds,
              hop_ns / 1000.0);
  std::printf("burst: %ld posts, %.1f ns per post (poster), %.1f ns per callback until the last ran\n",
              rounds * 10, post_ns, total_ns);
}
