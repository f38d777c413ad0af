#pragma once
/// @file byte_buffer.hpp
/// A growable byte buffer with a consumed front and a free tail: reads land in the tail without
/// zero-filling (std::string::resize would), consumers take from the front, and the contents move to the
/// start only when the tail is too small (amortised O(1) per byte, like asyncio's bytearray buffers).

#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace aio::detail {

class byte_buffer {
 public:
  [[nodiscard]] std::size_t size() const noexcept { return m_end - m_begin; }
  [[nodiscard]] bool empty() const noexcept { return m_end == m_begin; }
  [[nodiscard]] const char* data() const noexcept { return m_data.get() + m_begin; }
  [[nodiscard]] std::string_view view() const noexcept { return {data(), size()}; }

  /// A tail of at least `n` free bytes (moves or grows the storage if needed).
  char* prepare(std::size_t n) {
    if (m_capacity - m_end >= n) return m_data.get() + m_end;
    const std::size_t used = size();
    if (m_begin > 0 && m_capacity - used >= n && used <= m_capacity / 2) {
      std::memmove(m_data.get(), data(), used);  // compact in place: cheap when little is buffered
    } else {
      std::size_t cap = m_capacity == 0 ? 4096 : m_capacity;
      while (cap - used < n) cap *= 2;
      auto grown = std::make_unique_for_overwrite<char[]>(cap);
      if (used > 0) std::memcpy(grown.get(), data(), used);
      m_data = std::move(grown);
      m_capacity = cap;
    }
    m_begin = 0;
    m_end = used;
    return m_data.get() + m_end;
  }
  [[nodiscard]] std::size_t tail_room() const noexcept { return m_capacity - m_end; }
  /// Marks `n` bytes of the prepared tail as filled.
  void commit(std::size_t n) noexcept { m_end += n; }
  void append(std::string_view s) {
    std::memcpy(prepare(s.size()), s.data(), s.size());
    commit(s.size());
  }
  /// Drops `n` bytes from the front.
  void consume(std::size_t n) noexcept {
    m_begin += n;
    if (m_begin == m_end) m_begin = m_end = 0;
  }
  /// Removes and returns the first `n` bytes.
  std::string take(std::size_t n) {
    std::string out(data(), n);
    consume(n);
    return out;
  }
  /// Frees the storage.
  void clear() noexcept {
    m_data.reset();
    m_capacity = m_begin = m_end = 0;
  }

 private:
  std::unique_ptr<char[]> m_data;
  std::size_t m_capacity = 0;
  std::size_t m_begin = 0;
  std::size_t m_end = 0;
};

}  // namespace aio::detail
