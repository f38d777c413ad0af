#include "aio/executor/thread_pool.hpp"

#include <algorithm>
#include <stdexcept>

namespace aio {

thread_pool::thread_pool(std::size_t max_workers)
    : m_max(max_workers != 0 ? max_workers
                             : std::min<std::size_t>(32, std::thread::hardware_concurrency() + 4)) {}

thread_pool::~thread_pool() { shutdown(true); }

void thread_pool::submit(std::unique_ptr<job> j) {
  std::unique_lock<std::mutex> lock(m_mutex);
  if (m_shutdown) throw std::runtime_error("aio: thread_pool::submit() after shutdown()");
  m_jobs.push_back(std::move(j));
  // ThreadPoolExecutor._adjust_thread_count: a submission claims an idle worker, else starts a thread
  // (up to the maximum, then it queues). The claim is counted here, not when the worker wakes, so that
  // a burst of submissions does not count the same idle worker again and again and queue everything
  // behind it.
  if (m_idle > m_claimed) {
    ++m_claimed;
  } else if (m_threads.size() < m_max) {
    m_threads.emplace_back([this] { worker(); });
    return;
  }
  lock.unlock();
  m_cv.notify_one();
}

void thread_pool::worker() {
  std::unique_lock<std::mutex> lock(m_mutex);
  for (;;) {
    if (m_jobs.empty() && !m_shutdown) {
      ++m_idle;
      m_cv.wait(lock, [this] { return m_shutdown || !m_jobs.empty(); });
      --m_idle;
      // Whichever job this worker takes, one claim on the idle workers is settled: the number of
      // idle workers still unclaimed (m_idle - m_claimed) stays right.
      if (m_claimed > 0) --m_claimed;
    }
    if (m_jobs.empty()) return;  // shut down and drained
    std::unique_ptr<job> j = std::move(m_jobs.front());
    m_jobs.pop_front();
    lock.unlock();
    j->run();
    j.reset();
    lock.lock();
  }
}

thread_pool::stats thread_pool::statistics() {
  const std::lock_guard<std::mutex> lock(m_mutex);
  return {m_threads.size(), m_idle - std::min(m_idle, m_claimed), m_jobs.size()};
}

void thread_pool::shutdown(bool wait) {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_shutdown = true;
    if (!wait) m_jobs.clear();
    threads.swap(m_threads);
  }
  m_cv.notify_all();
  for (auto& t : threads) {
    if (t.get_id() == std::this_thread::get_id()) {
      t.detach();  // a job shutting its own pool down cannot join itself
    } else {
      t.join();
    }
  }
}

}  // namespace aio
