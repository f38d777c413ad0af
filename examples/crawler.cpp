// A web crawler: from /page/0 of a local 1,000-page site, follow every link, with at most 50 requests
// in flight (a semaphore), a progress bar, and a summary (pages, broken links, speed, latencies). Like
// a crawler with aiosqlite, it stores a row per page in SQLite (a file in a fresh temporary directory,
// removed at the end), a batch at a time, and prints what SQL queries say about them.
//
//     sem = asyncio.Semaphore(50)
//
//     async def visit(tg, path):
//         async with sem:
//             async with session.get(base + path) as resp:
//                 if resp.status == 404: broken += 1; html = ''
//                 else: html = await resp.text()
//         rows.append((path, resp.status, len(html), len(links(html)), ms))
//         if len(rows) >= 100:                    # a batch: one trip to the database's thread
//             batch = rows.copy(); rows.clear()
//             await db.executemany('INSERT INTO pages VALUES (?, ?, ?, ?, ?)', batch)
//         for link in links(html):
//             if link not in seen:
//                 seen.add(link)
//                 tg.create_task(visit(tg, link))
//
//     async with aiosqlite.connect(tmpdir + '/pages.db') as db:
//         await db.execute('CREATE TABLE pages(path TEXT PRIMARY KEY, status INTEGER, bytes INTEGER, '
//                          'links INTEGER, ms REAL)')
//         async with aiohttp.ClientSession() as session, asyncio.TaskGroup() as tg:
//             tg.create_task(visit(tg, '/page/0'))
//         await db.executemany('INSERT INTO pages VALUES (?, ?, ?, ?, ?)', rows)
//         await db.commit()
//         cur = await db.execute('SELECT count(*), sum(status = 404), sum(bytes) FROM pages')
//         n, broken, total = await cur.fetchone()      # aio: co_await db.fetchone(sql), no cursor
//
// The site is the tour's httpbin (httpbin.hpp), served by this program on 127.0.0.1. The "measured:"
// line depends on the machine; everything else is the same on every run.

#include <stdlib.h>  // mkdtemp

#include <aio/aio.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_set>
#include <utility>
#include <vector>

#include "httpbin.hpp"

namespace {

constexpr int k_max_in_flight = 50;
constexpr std::size_t k_rows_per_batch = 100;  // one executemany per 100 pages keeps the crawl's pace

/// A fresh temporary directory, removed with everything in it at the end (tempfile.TemporaryDirectory).
class temp_dir {
 public:
  temp_dir() : m_path((std::filesystem::temp_directory_path() / "aio-crawler-XXXXXX").string()) {
    if (::mkdtemp(m_path.data()) == nullptr) throw std::runtime_error("cannot create a temporary directory");
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
  }
  [[nodiscard]] std::string file(std::string_view name) const { return m_path + "/" + std::string(name); }

 private:
  std::string m_path;
};

/// The links of an HTML page: every href="/..." (the site's pages link with absolute paths).
std::vector<std::string> links(std::string_view html) {
  std::vector<std::string> found;
  constexpr std::string_view k_href = "href=\"";
  for (auto pos = html.find(k_href); pos != std::string_view::npos; pos = html.find(k_href, pos)) {
    pos += k_href.size();
    const auto end = html.find('"', pos);
    if (end == std::string_view::npos) break;
    found.emplace_back(html.substr(pos, end - pos));
    pos = end;
  }
  return found;
}

/// "[#####---------------]  25%  250/1000 pages"
std::string progress_bar(int done, int total) {
  constexpr int k_width = 20;
  const int filled = done * k_width / total;
  char pct[16];
  std::snprintf(pct, sizeof pct, "%3d%%", done * 100 / total);
  return "[" + std::string(static_cast<std::size_t>(filled), '#') +
         std::string(static_cast<std::size_t>(k_width - filled), '-') + "] " + pct + "  " +
         std::to_string(done) + "/" + std::to_string(total) + " pages";
}

double percentile(std::vector<double> sorted_ms, double p) {
  if (sorted_ms.empty()) return 0.0;
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted_ms.size())));
  return sorted_ms[std::clamp<std::size_t>(rank, 1, sorted_ms.size()) - 1];
}

class crawler {
 public:
  crawler(aio::http::client_session& session, aio::sqlite::connection& db, std::string base,
          std::ostream& out)
      : m_session(session), m_db(db), m_base(std::move(base)), m_out(out) {}

  /// Visits `path`, then every link not seen before, each as a task of `tg`.
  aio::coro<> visit(aio::task_group& tg, std::string path) {
    std::string html;
    int status = 0;  // 0: no response
    double ms = 0;
    {
      auto slot = co_await aio::scoped(m_slots);  // at most k_max_in_flight requests at once
      m_most_in_flight = std::max(m_most_in_flight, ++m_in_flight);
      const auto start = aio::get_running_loop().time();
      try {
        auto resp = co_await m_session.get(m_base + path);
        status = resp.status();
        if (resp.status() == 404) {
          ++m_broken;
        } else {
          resp.raise_for_status();
          html = co_await resp.text();
          ++m_pages;
        }
      } catch (const std::exception& e) {
        ++m_errors;
        m_first_error = e.what();
      }
      ms = std::chrono::duration<double, std::milli>(aio::get_running_loop().time() - start).count();
      m_latencies_ms.push_back(ms);
      --m_in_flight;
    }
    // A line per quarter: the bar is the same on every run (a terminal would redraw one line instead).
    if (!html.empty() && m_pages * 4 % aio_examples::k_site_pages == 0)
      m_out << progress_bar(m_pages, aio_examples::k_site_pages) << "\n";
    auto found = links(html);
    m_rows.emplace_back(path, status, static_cast<std::int64_t>(html.size()), static_cast<int>(found.size()),
                        ms);
    for (auto& link : found) {
      if (m_seen.insert(link).second) tg.create_task(visit(tg, std::move(link)));
    }
    if (m_rows.size() >= k_rows_per_batch) co_await store_rows();
  }

  aio::coro<> run(std::string start) {
    m_seen.insert(start);
    const auto t0 = aio::get_running_loop().time();
    co_await aio::task_group::run([this, &start](aio::task_group& tg) -> aio::coro<> {
      tg.create_task(visit(tg, start));
      co_return;
    });
    const double seconds = std::chrono::duration<double>(aio::get_running_loop().time() - t0).count();
    co_await store_rows();
    co_await m_db.commit();  // the INSERTs opened a transaction (Python's sqlite3 rules)
    summary(seconds);
  }

 private:
  using page_row = std::tuple<std::string, int, std::int64_t, int, double>;

  /// Inserts the rows collected so far in one executemany: one trip to the connection's thread.
  aio::coro<> store_rows() {
    std::vector<page_row> batch;
    batch.swap(m_rows);  // other visits keep collecting while this batch is written
    co_await m_db.executemany("INSERT INTO pages(path, status, bytes, links, ms) VALUES (?, ?, ?, ?, ?)",
                              batch);
  }

  void summary(double seconds) {
    m_out << "crawled " << m_pages << " pages, " << m_seen.size() << " links followed, at most "
          << m_most_in_flight << " requests in flight\n";
    m_out << m_broken << " broken links (404), " << m_errors << " errors"
          << (m_errors ? ": " + m_first_error : "") << "\n";
    std::sort(m_latencies_ms.begin(), m_latencies_ms.end());
    char line[160];
    if (seconds > 0) {
      std::snprintf(line, sizeof line, "measured: %.0f requests/s, latency p50 %.2f ms, p99 %.2f ms (%.2f s)",
                    static_cast<double>(m_latencies_ms.size()) / seconds, percentile(m_latencies_ms, 50),
                    percentile(m_latencies_ms, 99), seconds);
    } else {
      std::snprintf(line, sizeof line, "measured: no time passed (virtual time stands still during I/O)");
    }
    m_out << line << "\n";
  }

  aio::http::client_session& m_session;
  aio::sqlite::connection& m_db;
  std::string m_base;
  std::ostream& m_out;
  aio::semaphore m_slots{k_max_in_flight};
  std::unordered_set<std::string> m_seen;
  std::vector<double> m_latencies_ms;
  std::vector<page_row> m_rows;  // visited pages not stored yet
  int m_pages = 0;
  int m_broken = 0;
  int m_errors = 0;
  std::string m_first_error;
  int m_in_flight = 0;
  int m_most_in_flight = 0;
};

}  // namespace

aio::coro<> crawler_main(std::ostream& out) {
  aio_examples::httpbin site;
  co_await site.start();
  const temp_dir dir;  // declared before the connection: the file outlives it
  auto db = co_await aio::sqlite::connect(dir.file("pages.db"));
  co_await db.execute(
      "CREATE TABLE pages(path TEXT PRIMARY KEY, status INTEGER, bytes INTEGER, links INTEGER, ms REAL)");
  aio::http::client_session session;
  crawler c(session, db, site.url(""), out);
  out << "crawling " << aio_examples::k_site_pages << " pages from /page/0, at most " << k_max_in_flight
      << " requests at a time\n";
  co_await c.run("/page/0");
  co_await session.close();
  co_await site.stop();

  // What the database says: the same on every run, whatever order the pages arrived in.
  auto totals = co_await db.fetchone("SELECT count(*), sum(status = 404), sum(bytes) FROM pages");
  auto largest = co_await db.fetchone("SELECT path, bytes FROM pages ORDER BY bytes DESC, path LIMIT 1");
  out << "sqlite: " << totals->get<int>(0) << " rows in pages.db, " << totals->get<int>(1)
      << " with status 404, " << totals->get<std::int64_t>(2) << " bytes of HTML; largest page "
      << largest->get<std::string>("path") << " (" << largest->get<std::int64_t>("bytes") << " bytes)\n";
  co_await db.close();
}

#ifndef AIO_TOUR
int main() { aio::run(crawler_main(std::cout)); }
#endif
