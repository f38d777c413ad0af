// body_stream over a stream_reader: 64 KiB reads until EOF.

#include "aio/http/client/body_stream.hpp"

namespace aio::http {

namespace {
coro<body_stream::chunk> read_chunk(void* p) {
  std::string bytes = co_await static_cast<stream_reader*>(p)->read(std::ptrdiff_t{64} * 1024);
  if (bytes.empty()) co_return std::nullopt;
  co_return bytes;
}
}  // namespace

body_stream::body_stream(stream_reader& reader) noexcept : m_obj(&reader), m_call(&read_chunk) {}

}  // namespace aio::http
