#pragma once
/// @file errors.hpp
/// The exception types of aio (API.md "Errors").
///
/// `cancelled_error` deliberately has no `std::exception` base, as Python's `CancelledError` is a
/// `BaseException`: `catch (const std::exception&)` must not swallow a cancellation.

#include <exception>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace aio {

/// Thrown into a task at a suspension point when the task is cancelled.
class cancelled_error final {  // final: task_header recognises it by exact type
 public:
  cancelled_error() = default;
  explicit cancelled_error(std::string msg) : m_msg(std::move(msg)) {}
  /// The message passed to `cancel(msg)`, or "" when none was given.
  [[nodiscard]] const char* what() const noexcept { return m_msg.c_str(); }

 private:
  std::string m_msg;
};

/// An operation did not finish before its deadline (`wait_for`, `timeout`, `timeout_at`).
class timeout_error : public std::runtime_error {
 public:
  timeout_error() : std::runtime_error("aio: the operation timed out") {}
  explicit timeout_error(const std::string& msg) : std::runtime_error(msg) {}
};

/// A future or task was used in a state that does not allow the call (result before done, set twice).
class invalid_state_error : public std::logic_error {
 public:
  invalid_state_error() : std::logic_error("aio: invalid state") {}
  explicit invalid_state_error(const std::string& msg) : std::logic_error(msg) {}
};

/// `get_nowait()` on an empty queue.
class queue_empty : public std::runtime_error {
 public:
  queue_empty() : std::runtime_error("aio: the queue is empty") {}
  explicit queue_empty(const std::string& msg) : std::runtime_error(msg) {}
};

/// `put_nowait()` on a full queue.
class queue_full : public std::runtime_error {
 public:
  queue_full() : std::runtime_error("aio: the queue is full") {}
  explicit queue_full(const std::string& msg) : std::runtime_error(msg) {}
};

/// `put()`/`get()` on a queue after `shutdown()`.
class queue_shut_down : public std::runtime_error {
 public:
  queue_shut_down() : std::runtime_error("aio: the queue was shut down") {}
  explicit queue_shut_down(const std::string& msg) : std::runtime_error(msg) {}
};

/// `barrier::wait()` on a barrier that was aborted or reset while tasks waited.
class broken_barrier_error : public std::runtime_error {
 public:
  broken_barrier_error() : std::runtime_error("aio: the barrier is broken") {}
  explicit broken_barrier_error(const std::string& msg) : std::runtime_error(msg) {}
};

/// `readexactly(n)` met EOF first; `partial()` holds the bytes that did arrive.
class incomplete_read_error : public std::runtime_error {
 public:
  incomplete_read_error() : std::runtime_error("aio: incomplete read") {}
  explicit incomplete_read_error(const std::string& msg) : std::runtime_error(msg) {}
  incomplete_read_error(std::string partial, std::size_t expected)
      : std::runtime_error("aio: incomplete read: " + std::to_string(partial.size()) + " of " +
                           std::to_string(expected) + " bytes before EOF"),
        m_partial(std::move(partial)),
        m_expected(expected) {}
  [[nodiscard]] const std::string& partial() const noexcept { return m_partial; }
  [[nodiscard]] std::size_t expected() const noexcept { return m_expected; }

 private:
  std::string m_partial;
  std::size_t m_expected = 0;
};

/// A `readuntil()`/`readline()` separator was not found within the reader's limit.
class limit_overrun_error : public std::runtime_error {
 public:
  limit_overrun_error() : std::runtime_error("aio: separator not found within the limit") {}
  explicit limit_overrun_error(const std::string& msg) : std::runtime_error(msg) {}
  /// asyncio's `consumed`: how many bytes were buffered (or where the separator ended).
  limit_overrun_error(const std::string& msg, std::size_t consumed)
      : std::runtime_error(msg), m_consumed(consumed) {}
  [[nodiscard]] std::size_t consumed() const noexcept { return m_consumed; }

 private:
  std::size_t m_consumed = 0;
};

/// Several failures raised together (a task group's children), as Python's `ExceptionGroup`.
class exception_group : public std::runtime_error {
 public:
  exception_group() : std::runtime_error("aio: exception group") {}
  explicit exception_group(const std::string& msg) : std::runtime_error(msg) {}
  exception_group(const std::string& msg, std::vector<std::exception_ptr> errors)
      : std::runtime_error(msg + " (" + std::to_string(errors.size()) + " sub-exception" +
                           (errors.size() == 1 ? "" : "s") + ")"),
        m_errors(std::move(errors)) {}

  [[nodiscard]] const std::vector<std::exception_ptr>& exceptions() const noexcept { return m_errors; }

  /// The members of type `E` (or derived from it), nested groups flattened; C++ has no `except*`.
  template <class E>
  [[nodiscard]] std::vector<std::exception_ptr> split() const {
    std::vector<std::exception_ptr> out;
    collect<E>(out);
    return out;
  }

 private:
  template <class E>
  void collect(std::vector<std::exception_ptr>& out) const {
    for (const auto& e : m_errors) {
      try {
        std::rethrow_exception(e);
      } catch (const exception_group& nested) {
        nested.collect<E>(out);
      } catch (const E&) {
        out.push_back(e);
      } catch (...) {  // NOLINT(bugprone-empty-catch): members of other types are not selected
      }
    }
  }

  std::vector<std::exception_ptr> m_errors;
};

}  // namespace aio
