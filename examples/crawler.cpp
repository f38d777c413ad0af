// A web crawler: from /page/0 of a local 1,000-page site, follow every link, with at most 50 requests
// in flight (a semaphore), a progress bar, and a summary (pages, broken links, speed, latencies).
//
//     sem = asyncio.Semaphore(50)
//
//     async def visit(tg, path):
//         async with sem:
//             async with session.get(base + path) as resp:
//                 if resp.status == 404: broken += 1; return
//                 html = await resp.text()
//         for link in links(html):
//             if link not in seen:
//                 seen.add(link)
//                 tg.create_task(visit(tg, link))
//
//     async with aiohttp.ClientSession() as session, asyncio.TaskGroup() as tg:
//         tg.create_task(visit(tg, '/page/0'))
//
// The site is the tour's httpbin (httpbin.hpp), served by this program on 127.0.0.1. The "measured:"
// line depends on the machine; everything else is the same on every run.

#include <aio/aio.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "httpbin.hpp"

namespace {

constexpr int k_max_in_flight = 50;

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
  crawler(aio::http::client_session& session, std::string base, std::ostream& out)
      : m_session(session), m_base(std::move(base)), m_out(out) {}

  /// Visits `path`, then every link not seen before, each as a task of `tg`.
  aio::coro<> visit(aio::task_group& tg, std::string path) {
    std::string html;
    {
      auto slot = co_await aio::scoped(m_slots);  // at most k_max_in_flight requests at once
      m_most_in_flight = std::max(m_most_in_flight, ++m_in_flight);
      const auto start = aio::get_running_loop().time();
      try {
        auto resp = co_await m_session.get(m_base + path);
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
      m_latencies_ms.push_back(
          std::chrono::duration<double, std::milli>(aio::get_running_loop().time() - start).count());
      --m_in_flight;
    }
    // A line per quarter: the bar is the same on every run (a terminal would redraw one line instead).
    if (!html.empty() && m_pages * 4 % aio_examples::k_site_pages == 0)
      m_out << progress_bar(m_pages, aio_examples::k_site_pages) << "\n";
    for (auto& link : links(html)) {
      if (m_seen.insert(link).second) tg.create_task(visit(tg, std::move(link)));
    }
  }

  aio::coro<> run(std::string start) {
    m_seen.insert(start);
    const auto t0 = aio::get_running_loop().time();
    co_await aio::task_group::run([this, &start](aio::task_group& tg) -> aio::coro<> {
      tg.create_task(visit(tg, start));
      co_return;
    });
    const double seconds = std::chrono::duration<double>(aio::get_running_loop().time() - t0).count();
    summary(seconds);
  }

 private:
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
  std::string m_base;
  std::ostream& m_out;
  aio::semaphore m_slots{k_max_in_flight};
  std::unordered_set<std::string> m_seen;
  std::vector<double> m_latencies_ms;
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
  aio::http::client_session session;
  crawler c(session, site.url(""), out);
  out << "crawling " << aio_examples::k_site_pages << " pages from /page/0, at most " << k_max_in_flight
      << " requests at a time\n";
  co_await c.run("/page/0");
  co_await session.close();
  co_await site.stop();
}

#ifndef AIO_TOUR
int main() { aio::run(crawler_main(std::cout)); }
#endif
