#pragma once
/// @file thread_pool.hpp
/// `aio::thread_pool`: runs blocking functions on worker threads (concurrent.futures.ThreadPoolExecutor).

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace aio {

/// Something that runs jobs elsewhere; `event_loop::run_in_executor` takes any executor.
class executor {
 public:
  /// A unit of work; `run()` is called once on a worker, then the job is deleted.
  class job {
   public:
    job() = default;
    job(const job&) = delete;
    job& operator=(const job&) = delete;
    virtual ~job() = default;
    virtual void run() noexcept = 0;
  };
  executor() = default;
  executor(const executor&) = delete;
  executor& operator=(const executor&) = delete;
  virtual ~executor() = default;
  /// Takes ownership of `j` and runs it on some thread. Throws `std::runtime_error` after shutdown.
  virtual void submit(std::unique_ptr<job> j) = 0;
};

/// A pool of worker threads, started on demand up to `max_workers`.
/// @par Thread safety
/// `submit` and `shutdown` may be called from any thread.
class thread_pool final : public executor {
 public:
  /// `max_workers = 0` picks min(32, hardware threads + 4), as Python does.
  explicit thread_pool(std::size_t max_workers = 0);
  thread_pool(const thread_pool&) = delete;
  thread_pool& operator=(const thread_pool&) = delete;
  ~thread_pool() override;

  void submit(std::unique_ptr<job> j) override;
  /// Stops accepting work; with `wait`, runs what is queued and joins the workers.
  void shutdown(bool wait = true);
  [[nodiscard]] std::size_t max_workers() const noexcept { return m_max; }
  /// Threads started, of those waiting for a job, and jobs waiting for a thread (read under the pool's
  /// mutex: for metrics, not for hot paths).
  struct stats {
    std::size_t threads = 0;
    std::size_t idle = 0;
    std::size_t queued = 0;
  };
  [[nodiscard]] stats statistics();

 private:
  void worker();
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::deque<std::unique_ptr<job>> m_jobs;  // guarded by m_mutex
  std::vector<std::thread> m_threads;       // guarded by m_mutex
  std::size_t m_idle = 0;                   // guarded by m_mutex: workers waiting for a job
  std::size_t m_claimed = 0;                // guarded by m_mutex: of those, already claimed
  std::size_t m_max;
  bool m_shutdown = false;  // guarded by m_mutex
};

}  // namespace aio
