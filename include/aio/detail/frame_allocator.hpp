#pragma once
/// @file frame_allocator.hpp
/// Recycles coroutine frames by size class on each thread (see docs/design/tasks.md for the numbers):
/// malloc's per-chunk header and its lock-free-but-not-free fast path cost more than a free list pop.

#include <cstddef>

namespace aio::detail {

/// Allocates a frame of `size` bytes (16-byte size classes; large frames go to operator new).
void* allocate_frame(std::size_t size);
/// Returns a frame to the free list of the calling thread.
void deallocate_frame(void* p, std::size_t size) noexcept;

}  // namespace aio::detail
