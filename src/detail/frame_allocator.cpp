// Per-thread free lists of coroutine frames by 16-byte size class. Blocks are carved from 64 KiB slabs
// that stay with the process; a frame freed on another thread joins that thread's list, which is safe
// because slabs are never returned. bench/ shows the gain over malloc (docs/design/tasks.md).

#include "aio/detail/frame_allocator.hpp"

#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

namespace aio::detail {

namespace {
constexpr std::size_t k_granule = 16;
constexpr std::size_t k_max_pooled = 2048;  // an HTTP handler's frame (a response inside) passes 512
constexpr std::size_t k_classes = k_max_pooled / k_granule;
constexpr std::size_t k_slab_bytes = std::size_t{64} * 1024;

struct free_block {
  free_block* next;
};

struct pools {
  free_block* heads[k_classes + 1] = {};
  char* slab_cursor = nullptr;
  char* slab_end = nullptr;
};

thread_local pools t_pools;

// Slabs are never returned (a frame may be freed on another thread, into that thread's lists), but
// they stay reachable from here so that leak checkers do not report them.
std::mutex g_slabs_mutex;
std::vector<void*>& all_slabs() {
  static auto* slabs = new std::vector<void*>();
  return *slabs;
}

char* new_slab() {
  auto* slab = static_cast<char*>(::operator new(k_slab_bytes));
  std::lock_guard<std::mutex> lock(g_slabs_mutex);
  all_slabs().push_back(slab);
  return slab;
}

// Under the sanitizers every frame goes to operator new, so ASan sees each frame's lifetime (a use
// after free of a recycled frame would go unnoticed) and TSan sees no reuse across threads.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool k_pooling = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool k_pooling = false;
#else
constexpr bool k_pooling = true;
#endif
#else
constexpr bool k_pooling = true;
#endif

std::size_t class_of(std::size_t size) noexcept { return (size + k_granule - 1) / k_granule; }
}  // namespace

void* allocate_frame(std::size_t size) {
  if (!k_pooling || size > k_max_pooled) return ::operator new(size);
  const std::size_t c = class_of(size);
  pools& p = t_pools;
  if (free_block* b = p.heads[c]) {
    p.heads[c] = b->next;
    return b;
  }
  const std::size_t bytes = c * k_granule;
  if (p.slab_cursor == nullptr || static_cast<std::size_t>(p.slab_end - p.slab_cursor) < bytes) {
    // The tail of the old slab is abandoned (less than k_max_pooled bytes per 64 KiB).
    p.slab_cursor = new_slab();
    p.slab_end = p.slab_cursor + k_slab_bytes;
  }
  void* out = p.slab_cursor;
  p.slab_cursor += bytes;
  return out;
}

void deallocate_frame(void* ptr, std::size_t size) noexcept {
  if (!k_pooling || size > k_max_pooled) {
    ::operator delete(ptr);
    return;
  }
  auto* b = static_cast<free_block*>(ptr);
  pools& p = t_pools;
  const std::size_t c = class_of(size);
  b->next = p.heads[c];
  p.heads[c] = b;
}

}  // namespace aio::detail
