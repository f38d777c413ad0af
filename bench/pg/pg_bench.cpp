// aio::pg round trips (issue 17), sequential on one connection unless said otherwise:
//   fetchval    10,000 x fetchval<int>("SELECT $1::int", i), statement cache off (each call parsed and
//               planned: the code path before the cache) and on (prepared once, then bound and run);
//   pool        the same through pool.fetchval (acquire, query, release with asyncpg's reset);
//   inserts     10,000 rows: a loop of execute("INSERT ... ($1, $2)", ...) (cache off and on) against
//               one executemany (one pipeline, one round trip).
// Usage: aio_pg_bench DSN [N]. Prints one line per case: name, seconds, operations per second.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <tuple>
#include <vector>

#include "aio/aio.hpp"

namespace {

using steady = std::chrono::steady_clock;

void report(const char* name, steady::time_point t0, int n) {
  const double s = std::chrono::duration<double>(steady::now() - t0).count();
  std::printf("%-34s %8.3f s  %9.0f ops/s  %7.1f us/op\n", name, s, n / s, s * 1e6 / n);
}

aio::coro<> fetchval_loop(const std::string& dsn, std::size_t cache, int n, const char* name) {
  auto conn = co_await aio::pg::connect(dsn, {.statement_cache_size = cache});
  const auto t0 = steady::now();
  long sum = 0;
  for (int i = 0; i < n; ++i) sum += co_await conn.fetchval<int>("SELECT $1::int", i);
  report(name, t0, n);
  if (sum != static_cast<long>(n) * (n - 1) / 2) std::fprintf(stderr, "wrong sum %ld\n", sum);
}

aio::coro<> pool_loop(const std::string& dsn, int n) {
  auto pool = co_await aio::pg::create_pool(dsn, {.min_size = 2, .max_size = 2});
  const auto t0 = steady::now();
  for (int i = 0; i < n; ++i) co_await pool.fetchval<int>("SELECT $1::int", i);
  report("pool.fetchval (reset on release)", t0, n);
}

aio::coro<> insert_loop(const std::string& dsn, std::size_t cache, int n, const char* name) {
  auto conn = co_await aio::pg::connect(dsn, {.statement_cache_size = cache});
  co_await conn.execute("DROP TABLE IF EXISTS bench_t; CREATE TABLE bench_t (id int, name text)");
  const auto t0 = steady::now();
  for (int i = 0; i < n; ++i) co_await conn.execute("INSERT INTO bench_t VALUES ($1, $2)", i, "name");
  report(name, t0, n);
}

aio::coro<> insert_many(const std::string& dsn, int n) {
  auto conn = co_await aio::pg::connect(dsn);
  co_await conn.execute("DROP TABLE IF EXISTS bench_t; CREATE TABLE bench_t (id int, name text)");
  std::vector<std::tuple<int, std::string>> rows;
  rows.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) rows.emplace_back(i, "name");
  const auto t0 = steady::now();
  co_await conn.executemany("INSERT INTO bench_t VALUES ($1, $2)", rows);
  report("executemany inserts", t0, n);
  const long count = co_await conn.fetchval<long>("SELECT count(*) FROM bench_t");
  if (count != n) std::fprintf(stderr, "wrong count %ld\n", count);
}

aio::coro<> bench(std::string dsn, int n) {
  co_await fetchval_loop(dsn, 0, n, "fetchval, cache off (before)");
  co_await fetchval_loop(dsn, 100, n, "fetchval, cache on");
  co_await pool_loop(dsn, n);
  co_await insert_loop(dsn, 0, n, "execute loop inserts, cache off");
  co_await insert_loop(dsn, 100, n, "execute loop inserts, cache on");
  co_await insert_many(dsn, n);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DSN [N]\n", argv[0]);
    return 2;
  }
  const int n = argc > 2 ? std::atoi(argv[2]) : 10000;
  aio::run(bench(argv[1], n));
  return 0;
}
