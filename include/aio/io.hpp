#pragma once
/// @file io.hpp
/// The aio::io component (target `aio::io`, pkg-config `aio-io`): addresses, streams, servers,
/// sockets, datagrams, TLS, subprocesses and files. Includes <aio/core.hpp>.

#include "aio/core.hpp"                       // IWYU pragma: export
#include "aio/fs/file.hpp"                    // IWYU pragma: export
#include "aio/fs/mode.hpp"                    // IWYU pragma: export
#include "aio/fs/open.hpp"                    // IWYU pragma: export
#include "aio/fs/operations.hpp"              // IWYU pragma: export
#include "aio/fs/whole_file.hpp"              // IWYU pragma: export
#include "aio/net/datagram.hpp"               // IWYU pragma: export
#include "aio/net/getaddrinfo.hpp"            // IWYU pragma: export
#include "aio/net/open_connection.hpp"        // IWYU pragma: export
#include "aio/net/server.hpp"                 // IWYU pragma: export
#include "aio/net/sock_ops.hpp"               // IWYU pragma: export
#include "aio/net/socket_address.hpp"         // IWYU pragma: export
#include "aio/net/stream_reader.hpp"          // IWYU pragma: export
#include "aio/net/stream_writer.hpp"          // IWYU pragma: export
#include "aio/net/udp_socket.hpp"             // IWYU pragma: export
#include "aio/process/create_subprocess.hpp"  // IWYU pragma: export
#include "aio/process/process.hpp"            // IWYU pragma: export
#include "aio/process/stdio.hpp"              // IWYU pragma: export
#include "aio/tls/ssl_context.hpp"            // IWYU pragma: export
