// aio::getaddrinfo: the numeric fast path, real resolution, errors and cancellation.

#include "aio/net/getaddrinfo.hpp"

#include <dirent.h>
#include <netdb.h>
#include <sys/socket.h>

#include <string>
#include <system_error>

#include "aio/aio.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace {

using aio_test::k_real;
using getaddrinfo_options = aio::getaddrinfo_options;

std::size_t thread_count() {
  std::size_t n = 0;
  if (DIR* d = ::opendir("/proc/self/task")) {
    while (const dirent* e = ::readdir(d)) n += e->d_name[0] != '.' ? 1 : 0;
    ::closedir(d);
  }
  return n;
}

TEST(getaddrinfo, numeric_hosts_are_answered_in_place_without_a_thread) {
  aio_test::run([]() -> aio::coro<> {
    const std::size_t threads = thread_count();
    bool other_ran = false;
    auto other = aio::create_task([](bool* flag) -> aio::coro<> {
      *flag = true;
      co_return;
    }(&other_ran));
    const getaddrinfo_options stream{.type = SOCK_STREAM};
    std::vector<aio::address_info> v4 = co_await aio::getaddrinfo("127.0.0.1", 80, stream);
    EXPECT_FALSE(other_ran);  // the call never suspended: no thread hop, no loop turn
    EXPECT_EQ(v4.size(), 1U);
    EXPECT_EQ(v4.at(0).family, AF_INET);
    EXPECT_EQ(v4.at(0).type, SOCK_STREAM);
    EXPECT_EQ(v4.at(0).address.to_string(), "127.0.0.1:80");
    std::vector<aio::address_info> v6 = co_await aio::getaddrinfo("::1", 443);
    EXPECT_EQ(v6.size(), 2U);  // one row per socket type when none is asked for
    EXPECT_EQ(v6.at(0).address.to_string(), "[::1]:443");
    EXPECT_EQ(v6.at(1).type, SOCK_DGRAM);
    std::vector<aio::address_info> bracketed = co_await aio::getaddrinfo("[::1]", 1, stream);
    EXPECT_EQ(bracketed.at(0).address.to_string(), "[::1]:1");
    EXPECT_EQ(thread_count(), threads);
    // A numeric host of the wrong family is an error in the resolver's category.
    bool wrong_family = false;
    try {
      const getaddrinfo_options only6{.family = AF_INET6};
      co_await aio::getaddrinfo("127.0.0.1", 80, only6);
    } catch (const std::system_error& e) {
      wrong_family = e.code().category() == aio::gai_category();
    }
    EXPECT_TRUE(wrong_family);
    co_await other;
  }());
}

TEST(getaddrinfo, localhost_resolves_to_a_loopback_address) {
  aio_test::run(
      []() -> aio::coro<> {
        const getaddrinfo_options stream{.type = SOCK_STREAM};
        std::vector<aio::address_info> rows = co_await aio::getaddrinfo("localhost", 8080, stream);
        EXPECT_FALSE(rows.empty());
        for (const aio::address_info& ai : rows) {
          EXPECT_EQ(ai.type, SOCK_STREAM);
          EXPECT_EQ(ai.address.port(), 8080);
          const std::string host = ai.address.host();
          EXPECT_TRUE(host == "127.0.0.1" || host == "::1") << host;
        }
      }(),
      k_real);
}

TEST(getaddrinfo, an_unknown_name_is_a_gai_error_naming_the_host) {
  aio_test::run(
      []() -> aio::coro<> {
        bool failed = false;
        try {
          co_await aio::getaddrinfo("no-such-host.invalid", 80);
        } catch (const std::system_error& e) {
          failed = true;
          // EAI_NONAME normally; EAI_AGAIN where no DNS server answers.
          EXPECT_EQ(e.code().category(), aio::gai_category()) << e.what();
          EXPECT_TRUE(e.code().value() == EAI_NONAME || e.code().value() == EAI_AGAIN) << e.what();
          EXPECT_NE(std::string(e.what()).find("'no-such-host.invalid'"), std::string::npos) << e.what();
          EXPECT_STREQ(e.code().category().name(), "getaddrinfo");
        }
        EXPECT_TRUE(failed);
      }(),
      k_real);
}

TEST(getaddrinfo, cancelling_a_pending_resolution_leaks_nothing) {
  aio_test::run(
      []() -> aio::coro<> {
        auto t = aio::create_task(aio::getaddrinfo("localhost", 80));
        co_await aio::sleep(0s);  // t is waiting for the resolver thread
        EXPECT_FALSE(t.done());
        t.cancel();
        const bool cancelled = co_await aio_test::was_cancelled(t);
        EXPECT_TRUE(cancelled);
        // The loop stays usable; the dropped answer is discarded when the thread finishes.
        std::vector<aio::address_info> rows = co_await aio::getaddrinfo("localhost", 81);
        EXPECT_FALSE(rows.empty());
      }(),
      k_real);
}

}  // namespace
