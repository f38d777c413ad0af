// files_copy: copy a large file with aio::files while another task keeps running (aiofiles).
//
//     async def main():
//         ticker = asyncio.create_task(tick())
//         async with aiofiles.open(src, 'rb') as fin, aiofiles.open(dst, 'wb') as fout:
//             while block := await fin.read(1 << 20):
//                 await fout.write(block)
//         ticker.cancel()
//
// Every read and write runs on a worker thread, so the loop stays free: the ticker gets a turn while
// each block is in flight. Had the copy used blocking calls on the loop, the ticker could not have run
// until it was over. The output is deterministic (no timings): the counts are checked, not printed.

#include <aio/aio.hpp>
#include <aio/fs/file.hpp>
#include <aio/fs/open.hpp>
#include <aio/fs/operations.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>

using namespace std::chrono_literals;

namespace {
constexpr std::int64_t block_size = std::int64_t{1} << 20;  // 1 MiB
constexpr int blocks = 64;                                  // 64 MiB in all

// Block `i` of the source: bytes that differ from block to block, so a misplaced block is noticed.
std::string make_block(int i) {
  std::string block(static_cast<std::size_t>(block_size), '\0');
  std::uint32_t x = 2654435761U * static_cast<std::uint32_t>(i + 1);
  for (char& c : block) {
    x = x * 1664525U + 1013904223U;
    c = static_cast<char>(x >> 24);
  }
  return block;
}

// Counts its turns: it only gets one while the loop is free.
aio::coro<> ticker(std::size_t& ticks) {
  for (;;) {
    ++ticks;
    co_await aio::sleep(0s);
  }
}

aio::coro<std::size_t> copy(const std::string& from, const std::string& to) {
  auto in = co_await aio::files::open(from, "rb");
  auto out = co_await aio::files::open(to, "wb");
  std::size_t requests = 0;
  for (;;) {
    std::string block = co_await in.read(block_size);
    if (block.empty()) break;
    co_await out.write(std::move(block));
    requests += 2;
  }
  co_await in.close();
  co_await out.close();
  co_return requests;
}

aio::coro<bool> same_content(const std::string& a, const std::string& b) {
  auto fa = co_await aio::files::open(a, "rb");
  auto fb = co_await aio::files::open(b, "rb");
  bool same = true;
  for (;;) {
    const std::string x = co_await fa.read(block_size);
    const std::string y = co_await fb.read(block_size);
    if (x != y) same = false;
    if (x.empty() || !same) break;
  }
  co_await fa.close();
  co_await fb.close();
  co_return same;
}
}  // namespace

aio::coro<> files_copy_main(std::ostream& out) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("aio_files_copy_" + std::to_string(std::random_device{}()));
  co_await aio::files::mkdir(dir);
  const std::string src = (dir / "source.bin").string();
  const std::string dst = (dir / "copy.bin").string();

  auto writer = co_await aio::files::open(src, "xb");
  for (int i = 0; i < blocks; ++i) co_await writer.write(make_block(i));
  co_await writer.close();
  out << "files_copy: wrote a " << blocks << " MiB source file\n";

  std::size_t ticks = 0;
  auto tick_task = aio::create_task(ticker(ticks), "ticker");
  const std::size_t requests = co_await copy(src, dst);
  const std::size_t ticks_during_copy = ticks;
  tick_task.cancel();
  try {
    co_await tick_task;
  } catch (const aio::cancelled_error&) {
  }
  out << "files_copy: copied it with " << requests / 2 << " reads and " << requests / 2
      << " writes of 1 MiB\n";
  out << "files_copy: the ticker ran while every request was in flight: "
      << (ticks_during_copy >= requests ? "yes" : "no") << "\n";

  const auto st = co_await aio::files::stat(dst);
  const bool same = co_await same_content(src, dst);
  out << "files_copy: the copy has " << st.size << " bytes and is "
      << (same ? "identical to" : "different from") << " the source\n";

  co_await aio::files::remove(src);
  co_await aio::files::remove(dst);
  co_await aio::files::rmdir(dir);
  out << "files_copy: removed the temporary directory\n";
}

#ifndef AIO_TOUR
int main() { aio::run(files_copy_main(std::cout)); }
#endif
