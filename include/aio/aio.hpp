#pragma once
/// @file aio.hpp
/// Everything of aio: `#include <aio/aio.hpp>`.

#include "aio/errors.hpp"
#include "aio/executor/thread_pool.hpp"
#include "aio/runtime/event_loop.hpp"
#include "aio/runtime/run.hpp"
#include "aio/runtime/timer_handle.hpp"
#include "aio/task/aclose.hpp"
#include "aio/task/async_exit_stack.hpp"
#include "aio/task/coro.hpp"
#include "aio/task/future.hpp"
#include "aio/task/task.hpp"
#include "aio/task/task_handle.hpp"
#include "aio/task/with.hpp"
#include "aio/time/clock.hpp"
#include "aio/time/sleep.hpp"

// Synchronisation primitives and queues.
#include "aio/queue/queue.hpp"
#include "aio/sync/barrier.hpp"
#include "aio/sync/condition.hpp"
#include "aio/sync/event.hpp"
#include "aio/sync/lock.hpp"
#include "aio/sync/scoped.hpp"
#include "aio/sync/semaphore.hpp"

// Combinators and executors.
#include "aio/combinators/as_completed.hpp"
#include "aio/combinators/gather.hpp"
#include "aio/combinators/result.hpp"
#include "aio/combinators/shield.hpp"
#include "aio/combinators/task_group.hpp"
#include "aio/combinators/wait.hpp"
#include "aio/combinators/wait_for.hpp"
#include "aio/executor/run_coroutine_threadsafe.hpp"
#include "aio/executor/to_thread.hpp"

// Networking: addresses, streams, servers, TLS.
#include "aio/net/datagram.hpp"
#include "aio/net/getaddrinfo.hpp"
#include "aio/net/open_connection.hpp"
#include "aio/net/server.hpp"
#include "aio/net/sock_ops.hpp"
#include "aio/net/socket_address.hpp"
#include "aio/net/stream_reader.hpp"
#include "aio/net/stream_writer.hpp"
#include "aio/net/udp_socket.hpp"
#include "aio/tls/ssl_context.hpp"

// HTTP protocol pieces (aio::http): headers, URLs, queries, forms, status codes.
#include "aio/http/body_error.hpp"
#include "aio/http/client.hpp"
#include "aio/http/content_type.hpp"
#include "aio/http/headers.hpp"
#include "aio/http/message_head.hpp"
#include "aio/http/multipart.hpp"
#include "aio/http/parse_error.hpp"
#include "aio/http/query.hpp"
#include "aio/http/server.hpp"
#include "aio/http/status.hpp"
#include "aio/http/url.hpp"

// WebSocket protocol (RFC 6455) codec and handshake helpers.
#include "aio/http/websocket_close_code.hpp"
#include "aio/http/websocket_decoder.hpp"
#include "aio/http/websocket_encoder.hpp"
#include "aio/http/websocket_handshake.hpp"
#include "aio/http/websocket_message.hpp"
#include "aio/http/websocket_opcode.hpp"
#include "aio/http/websocket_role.hpp"

// WebSocket connections (the engine of websocket_response and session.ws_connect).
#include "aio/http/websocket_connection.hpp"
#include "aio/http/websocket_options.hpp"

// Subprocesses.
#include "aio/process/create_subprocess.hpp"
#include "aio/process/process.hpp"
#include "aio/process/stdio.hpp"

// Files (aiofiles).
#include "aio/fs/file.hpp"
#include "aio/fs/mode.hpp"
#include "aio/fs/open.hpp"
#include "aio/fs/operations.hpp"
#include "aio/fs/whole_file.hpp"

// Databases: PostgreSQL (asyncpg) and SQLite (aiosqlite).
#include "aio/pg.hpp"
#include "aio/sqlite.hpp"
