// hello / sleep — the first example of every asyncio tutorial:
//
//     async def main():
//         print('hello')
//         await asyncio.sleep(1)
//         print('world')
//
//     asyncio.run(main())
//
// Prints "hello", waits one second without blocking the loop, prints "world".

#include <aio/aio.hpp>
#include <chrono>
#include <iostream>

using namespace std::chrono_literals;

aio::coro<> hello_main(std::ostream& out) {
  out << "hello\n";
  co_await aio::sleep(1s);
  out << "world\n";
}

// The tour and the tests link every example together (AIO_TOUR); on its own, each is a program.
#ifndef AIO_TOUR
int main() { aio::run(hello_main(std::cout)); }
#endif
