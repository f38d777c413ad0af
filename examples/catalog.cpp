// The tour's catalogue (see catalog.hpp). Each `<name>_main` is defined in examples/<file>.cpp.

#include "catalog.hpp"

#include <array>
#include <ostream>

aio::coro<> hello_main(std::ostream& out);
aio::coro<> say_after_main(std::ostream& out);
aio::coro<> say_after_tasks_main(std::ostream& out);
aio::coro<> background_task_main(std::ostream& out);
aio::coro<> background_no_await_main(std::ostream& out);
aio::coro<> background_no_sleep_main(std::ostream& out);
aio::coro<> background_no_awaits_main(std::ostream& out);
aio::coro<> future_main(std::ostream& out);
aio::coro<> countdowns_main(std::ostream& out);
aio::coro<> tcp_echo_main(std::ostream& out);
aio::coro<> chat_main(std::ostream& out);
aio::coro<> tls_echo_main(std::ostream& out);
aio::coro<> subprocess_pipeline_main(std::ostream& out);
aio::coro<> udp_echo_main(std::ostream& out);
aio::coro<> files_copy_main(std::ostream& out);
aio::coro<> gather_main(std::ostream& out);
aio::coro<> fetch_sequential_main(std::ostream& out);
aio::coro<> fetch_concurrent_main(std::ostream& out);
aio::coro<> gather_return_exceptions_main(std::ostream& out);
aio::coro<> task_group_main(std::ostream& out);
aio::coro<> exception_group_main(std::ostream& out);
aio::coro<> wait_for_main(std::ostream& out);
aio::coro<> shield_main(std::ostream& out);
aio::coro<> to_thread_main(std::ostream& out);
aio::coro<> as_completed_main(std::ostream& out);
aio::coro<> wait_first_completed_main(std::ostream& out);
aio::coro<> producer_consumer_main(std::ostream& out);
aio::coro<> event_main(std::ostream& out);
aio::coro<> race_main(std::ostream& out);
aio::coro<> race_fixed_main(std::ostream& out);
aio::coro<> semaphore_main(std::ostream& out);
aio::coro<> aiohttp_fetch_main(std::ostream& out);
aio::coro<> crawler_main(std::ostream& out);
aio::coro<> websocket_echo_main(std::ostream& out);
aio::coro<> chat_room_main(std::ostream& out);

namespace aio_examples {

namespace {
constexpr std::array k_catalog = {
    example{"hello", "hello / sleep: print, sleep one second, print", &hello_main, 1.0},
    example{"say_after", "say_after awaited one after the other: 1 s + 2 s", &say_after_main, 3.0},
    example{"say_after_tasks", "say_after as two tasks: they sleep at the same time", &say_after_tasks_main,
            2.0},
    example{"gather", "gather of tasks A/B/C (2 s, 1 s, 3 s): results in argument order", &gather_main, 3.0},
    example{"background_task", "create_task in the background, then await it", &background_task_main, 1.0},
    example{"background_no_await", "... with `co_await task` commented out: the leftover task is cancelled",
            &background_no_await_main, 0.5, true},
    example{"background_no_sleep", "... with main's sleep commented out: the task starts at `co_await task`",
            &background_no_sleep_main, 1.0},
    example{"background_no_awaits", "... with both commented out: the task never runs",
            &background_no_awaits_main, 0.0, true},
    example{"fetch_sequential", "three 2-second fetches, one after the other", &fetch_sequential_main, 6.0},
    example{"fetch_concurrent", "the same three fetches with gather", &fetch_concurrent_main, 2.0},
    example{"gather_return_exceptions", "with return_exceptions, a failure becomes one of the results",
            &gather_return_exceptions_main, 1.0},
    example{"task_group", "the group ends only when every task created in it is done", &task_group_main, 2.0},
    example{"exception_group", "a task group's two invalid_argument failures come out together",
            &exception_group_main, 0.0},
    example{"future", "a future set to 2026 by a background task", &future_main, 1.0},
    example{"wait_for", "wait_for(eternity(), 1 s) cancels it: timeout!", &wait_for_main, 1.0},
    example{"shield", "a timeout gives up on the critical operation but does not cancel it", &shield_main,
            2.0},
    example{"to_thread", "a blocking call on a worker thread while a ticker keeps ticking", &to_thread_main,
            1.0, false, true},
    example{"as_completed", "results in the order the tasks finish", &as_completed_main, 3.0},
    example{"wait_first_completed",
            "wait(first_completed, timeout 2.5 s): done and pending, nothing cancelled",
            &wait_first_completed_main, 3.5},
    example{"producer_consumer", "a producer and a consumer over a queue, then join()",
            &producer_consumer_main, 2.3},
    example{"event", "a waiter wakes when another task sets the event", &event_main, 1.0},
    example{"race", "credit/debit without a lock: lost updates", &race_main, 0.1},
    example{"race_fixed", "credit/debit with a lock: the right balance", &race_fixed_main, 1.0},
    example{"semaphore", "a semaphore lets 3 of 10 jobs run at a time", &semaphore_main, 4.0},
    example{"countdowns", "two countdowns side by side", &countdowns_main, 3.0},
    example{"tcp_echo", "TCP echo client and server over streams", &tcp_echo_main, 0.0},
    example{"chat", "a line-based TCP chat room: broadcast, a client drops mid-line", &chat_main, 0.0},
    example{"tls_echo", "echo over TLS with a test CA; a wrong host name is refused", &tls_echo_main, 0.0},
    example{"subprocess_pipeline", "sort | wc -l style pipeline with communicate()",
            &subprocess_pipeline_main, 0.0, false, false, true},
    example{"udp_echo", "UDP echo: datagrams keep their boundaries", &udp_echo_main, 0.0},
    example{"files_copy", "copy 64 MiB with aio::files while a ticker stays responsive", &files_copy_main,
            0.0, false, false, true},
    example{"aiohttp_fetch", "aiohttp: three GET /delay/2 one after the other, then with gather",
            &aiohttp_fetch_main, 8.0},
    example{
        "crawler",
        "crawl a 1,000-page local site, 50 requests in flight, progress, latencies, pages stored in SQLite",
        &crawler_main, 0.0, false, false, false, true},
    example{"websocket_echo", "a WebSocket client: text, bytes and JSON echoed, then the closing handshake",
            &websocket_echo_main, 0.0},
    example{"chat_room", "a chat page and WebSocket broadcast; two scripted members talk", &chat_room_main,
            0.0},
};
}  // namespace

std::span<const example> catalog() { return k_catalog; }

}  // namespace aio_examples
