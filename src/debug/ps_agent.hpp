#pragma once
// The `aio ps` agent: a thread of the process, blocked in accept() on the abstract unix socket
// "\0aio-ps-<pid>" while some `aio::run` loop runs, that answers the `aio ps` / `aio pstree` command
// while the loops' own threads do nothing for it (they are parked for the snapshot only; park.hpp).
// See ps_protocol.hpp for the wire format and docs/design/debugging.md for the design.

namespace aio {
class event_loop;
}

namespace aio::detail {

/// While it lives, the calling thread's `loop` is listed by `aio ps` (the socket is open while at
/// least one loop is listed; the agent thread is started on first use and stays). Nothing when the
/// environment has `AIO_PS=0`. Construct and destroy it on the loop's thread.
class ps_registration {
 public:
  explicit ps_registration(event_loop& loop);
  ps_registration(const ps_registration&) = delete;
  ps_registration& operator=(const ps_registration&) = delete;
  ~ps_registration();

 private:
  event_loop* m_loop = nullptr;  // null when not listed
  void* m_agent = nullptr;       // the agent it is listed with
};

}  // namespace aio::detail
