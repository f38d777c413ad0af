// asyncio docs, "loop.run_in_executor": a ThreadPoolExecutor of our own, calls submitted at once.
//
//     with concurrent.futures.ThreadPoolExecutor(4) as pool:
//         result = await loop.run_in_executor(pool, lambda: blocking_io(path))
#include <aio/aio.hpp>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

std::string blocking_io(const std::string& name) {
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return "read " + name;
}

aio::coro<> main_() {
  aio::thread_pool pool(4);
  auto& loop = aio::get_running_loop();
  auto name = std::make_shared<std::string>("a.txt");
  const auto started = aio::clock::now();
  auto first = loop.run_in_executor(pool, [name] { return blocking_io(*name); });
  auto second = loop.run_in_executor(pool, [name] { return blocking_io(*name + ".bak"); });
  std::string a = co_await std::move(first);
  std::string b = co_await std::move(second);
  if (a != "read a.txt" || b != "read a.txt.bak") throw std::runtime_error("wrong results: " + a + ", " + b);
  if (aio::clock::now() - started >= std::chrono::milliseconds(95))
    throw std::runtime_error("not concurrent");
  auto third = loop.run_in_executor(pool, [name] { return blocking_io(*name); });
  std::string c = co_await std::move(third);
  // The call's captures are released on the worker before the awaiter resumes (API.md).
  if (c != "read a.txt" || name.use_count() != 1)
    throw std::runtime_error("run_in_executor kept its capture");
  pool.shutdown();
}

int main() { aio::run(main_()); }
