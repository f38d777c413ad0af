#pragma once
/// @file core.hpp
/// The aio::core component (target `aio::core`, pkg-config `aio-core`): the event loop, tasks,
/// coroutines, timers, combinators, synchronisation primitives, queues, executors and the debugging
/// aids (await graphs, stall reports, trace timelines).

#include "aio/combinators/as_completed.hpp"           // IWYU pragma: export
#include "aio/combinators/gather.hpp"                 // IWYU pragma: export
#include "aio/combinators/result.hpp"                 // IWYU pragma: export
#include "aio/combinators/shield.hpp"                 // IWYU pragma: export
#include "aio/combinators/task_group.hpp"             // IWYU pragma: export
#include "aio/combinators/wait.hpp"                   // IWYU pragma: export
#include "aio/combinators/wait_for.hpp"               // IWYU pragma: export
#include "aio/debug/call_graph.hpp"                   // IWYU pragma: export
#include "aio/debug/metrics.hpp"                      // IWYU pragma: export
#include "aio/debug/stall_detector.hpp"               // IWYU pragma: export
#include "aio/debug/trace.hpp"                        // IWYU pragma: export
#include "aio/errors.hpp"                             // IWYU pragma: export
#include "aio/executor/run_coroutine_threadsafe.hpp"  // IWYU pragma: export
#include "aio/executor/thread_pool.hpp"               // IWYU pragma: export
#include "aio/executor/to_thread.hpp"                 // IWYU pragma: export
#include "aio/queue/queue.hpp"                        // IWYU pragma: export
#include "aio/runtime/event_loop.hpp"                 // IWYU pragma: export
#include "aio/runtime/run.hpp"                        // IWYU pragma: export
#include "aio/runtime/timer_handle.hpp"               // IWYU pragma: export
#include "aio/sync/barrier.hpp"                       // IWYU pragma: export
#include "aio/sync/condition.hpp"                     // IWYU pragma: export
#include "aio/sync/event.hpp"                         // IWYU pragma: export
#include "aio/sync/lock.hpp"                          // IWYU pragma: export
#include "aio/sync/scoped.hpp"                        // IWYU pragma: export
#include "aio/sync/semaphore.hpp"                     // IWYU pragma: export
#include "aio/task/aclose.hpp"                        // IWYU pragma: export
#include "aio/task/async_exit_stack.hpp"              // IWYU pragma: export
#include "aio/task/coro.hpp"                          // IWYU pragma: export
#include "aio/task/future.hpp"                        // IWYU pragma: export
#include "aio/task/task.hpp"                          // IWYU pragma: export
#include "aio/task/task_handle.hpp"                   // IWYU pragma: export
#include "aio/task/with.hpp"                          // IWYU pragma: export
#include "aio/time/clock.hpp"                         // IWYU pragma: export
#include "aio/time/sleep.hpp"                         // IWYU pragma: export
