#pragma once
/// @file aio.hpp
/// Everything of aio: `#include <aio/aio.hpp>`.

#include "aio/errors.hpp"
#include "aio/executor/thread_pool.hpp"
#include "aio/runtime/event_loop.hpp"
#include "aio/runtime/run.hpp"
#include "aio/runtime/timer_handle.hpp"
#include "aio/task/coro.hpp"
#include "aio/task/future.hpp"
#include "aio/task/task.hpp"
#include "aio/task/task_handle.hpp"
#include "aio/time/clock.hpp"
#include "aio/time/sleep.hpp"
