// Can this process use io_uring? Asked once: a ring must be created (seccomp and
// kernel.io_uring_disabled make io_uring_setup fail with EPERM; kernels before 5.1 lack it) and every
// opcode the backend submits must be supported (io_uring_get_probe, kernel 5.6+).

#include <liburing.h>

#include <cstring>
#include <string>

#include "../backend.hpp"

namespace aio::detail {

namespace {

struct needed_opcode {
  int op;
  const char* name;
};

constexpr needed_opcode k_needed[] = {
    {IORING_OP_NOP, "NOP"},
    {IORING_OP_READ, "READ"},
    {IORING_OP_WRITE, "WRITE"},
    {IORING_OP_RECV, "RECV"},
    {IORING_OP_SEND, "SEND"},
    {IORING_OP_RECVMSG, "RECVMSG"},
    {IORING_OP_SENDMSG, "SENDMSG"},
    {IORING_OP_ACCEPT, "ACCEPT"},
    {IORING_OP_CONNECT, "CONNECT"},
    {IORING_OP_POLL_ADD, "POLL_ADD"},
    {IORING_OP_POLL_REMOVE, "POLL_REMOVE"},
    {IORING_OP_ASYNC_CANCEL, "ASYNC_CANCEL"},
};

std::string probe() {
  io_uring ring{};
  io_uring_params params{};
  const int r = io_uring_queue_init_params(8, &ring, &params);
  if (r < 0) return std::string("io_uring_setup failed: ") + std::strerror(-r);
  std::string why;
  if ((params.features & IORING_FEAT_NODROP) == 0) {
    why = "the kernel may drop completions (no IORING_FEAT_NODROP, kernel < 5.5)";
  } else if (io_uring_probe* p = io_uring_get_probe_ring(&ring); p == nullptr) {
    why = "the kernel cannot list its opcodes (kernel < 5.6)";
  } else {
    for (const needed_opcode& n : k_needed) {
      if (io_uring_opcode_supported(p, n.op) == 0) {
        why = std::string("the kernel lacks IORING_OP_") + n.name;
        break;
      }
    }
    io_uring_free_probe(p);
  }
  io_uring_queue_exit(&ring);
  return why;
}

}  // namespace

const std::string& io_uring_unavailable() {
  static const std::string why = probe();  // thread-safe initialisation; the answer cannot change
  return why;
}

}  // namespace aio::detail
