// gather(..., return_exceptions=True): a failing awaitable becomes one of the results.
//
//     results = await asyncio.gather(ok(1), broken('B'), ok(3), return_exceptions=True)
//     # [1, ConnectionError('B: connection refused'), 3]
//
// Without return_exceptions the first failure would propagate out of gather; with it, every child
// runs to the end and each result says whether it holds a value or an error.

#include <aio/aio.hpp>
#include <chrono>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>

using namespace std::chrono_literals;

namespace {
aio::coro<int> ok(int value) {
  co_await aio::sleep(1s);
  co_return value;
}

aio::coro<int> broken(std::string name) {
  co_await aio::sleep(500ms);
  throw std::runtime_error(name + ": connection refused");
}

void print(std::ostream& out, const char* name, const aio::result<int>& r) {
  out << name << " -> ";
  if (r.has_value()) {
    out << r.value() << "\n";
    return;
  }
  try {
    std::rethrow_exception(r.error());
  } catch (const std::exception& e) {
    out << "error: " << e.what() << "\n";
  }
}
}  // namespace

aio::coro<> gather_return_exceptions_main(std::ostream& out) {
  auto [a, b, c] = co_await aio::gather(aio::return_exceptions, ok(1), broken("B"), ok(3));
  print(out, "A", a);
  print(out, "B", b);
  print(out, "C", c);
}

#ifndef AIO_TOUR
int main() { aio::run(gather_return_exceptions_main(std::cout)); }
#endif
