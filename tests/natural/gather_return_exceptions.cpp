// asyncio docs, gather(..., return_exceptions=True): failures come back as values.
//
//     results = await asyncio.gather(ok(), boom(), ok(), return_exceptions=True)
//     for r in results:
//         if isinstance(r, Exception): ...
#include <aio/aio.hpp>

#include <stdexcept>
#include <string>

aio::coro<int> ok(int v) {
  co_await aio::sleep(std::chrono::milliseconds(1));
  co_return v;
}

aio::coro<int> boom() {
  co_await aio::sleep(std::chrono::milliseconds(1));
  throw std::runtime_error("boom");
}

aio::coro<> main_() {
  auto [a, b, c] = co_await aio::gather(aio::return_exceptions, ok(1), boom(), ok(3));
  if (!a.has_value() || a.value() != 1 || !c.has_value() || c.value() != 3) {
    throw std::runtime_error("the successful results are wrong");
  }
  if (b.has_value()) throw std::runtime_error("boom() should have failed");
  try {
    std::rethrow_exception(b.error());
  } catch (const std::runtime_error& e) {
    if (std::string(e.what()) != "boom") throw std::runtime_error("wrong exception kept");
  }
}

int main() { aio::run(main_()); }
