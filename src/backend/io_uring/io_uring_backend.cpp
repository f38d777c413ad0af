// The io_uring backend: completions are native (docs/design/io_uring.md has the why of each choice).
//
// Every submission carries a user_data word whose low three bits say what it is:
// - 0: an operation; the word is the io_op's address (at least 8-byte aligned, checked below);
// - k_tag_wake: the multishot poll on the wake-up eventfd;
// - k_tag_watch: a level-triggered watch, `generation << 32 | fd << 3`; a watch is one-shot POLL_ADD
//   re-armed by every poll while the interest lasts (a multishot poll reports wake-ups, i.e. edges,
//   and a reader that leaves data unread would never hear of it again). A generation that is not the
//   watch's current one is a stale completion of a poll already replaced, and is ignored;
// - k_tag_edge: a registration's multishot poll, `generation << 32 | fd << 3`: epoll's edge-triggered
//   registration, emulated. A wait for readiness on a registered fd parks in the registration's slot
//   (`io_op::m_parked`, not in the kernel) and the poll's completions set the readiness cache and
//   complete it. A generation that is not the fd's current registration's is a stale completion;
// - anything else (k_tag_ignore, liburing's LIBURING_UDATA_TIMEOUT): cancel and remove requests, whose
//   own completions say nothing we need.
//
// Invariants:
// - `m_inflight` counts the operations submitted whose completion has not been reaped yet.
// - An operation waiting on a registration occupies its reader or writer slot until its completion
//   is reaped; `detach` withdraws what is left there and waits, so nothing refers to a registration
//   after it is detached (the caller may free it).
// - A completion reaped while no sink is at hand (a synchronous wait in `detach`, `abandon` or
//   `get_sqe`) goes to `m_deferred` with `m_pending` still set; the next `poll` delivers it first.
// - Buffer-less operations (readable/writable polls, and operations waiting by poll + syscall) are
//   cancelled synchronously: the kernel owns no memory of ours, the poll cancel is done inside the
//   submitting call, and `cancel` can answer true, as epoll does. Operations with a buffer in the
//   kernel's hands answer false and complete later (-ECANCELED, or their real result).

#include <liburing.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <system_error>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "../backend.hpp"

namespace aio::detail {

namespace {

constexpr std::uint64_t k_tag_mask = 7;
constexpr std::uint64_t k_tag_op = 0;
constexpr std::uint64_t k_tag_ignore = 1;
constexpr std::uint64_t k_tag_wake = 2;
constexpr std::uint64_t k_tag_watch = 3;
constexpr std::uint64_t k_tag_edge = 4;
static_assert(alignof(io_op) >= 8, "an io_op's address must leave three low bits for the tag");
static_assert(std::is_same_v<socklen_t, std::uint32_t>, "accept writes io_op::m_addrlen as a socklen_t");

constexpr unsigned k_ring_entries = 256;
constexpr int k_max_fd = (1 << 29) - 1;             // a watch's fd must fit its user_data field
constexpr std::size_t k_max_transfer = 0x7ffff000;  // Linux's limit for one read/write

bool waits_for_read(io_kind k) noexcept {
  return k == io_kind::read || k == io_kind::recv || k == io_kind::recvmsg || k == io_kind::accept ||
         k == io_kind::readable;
}

std::uint64_t op_data(const io_op& op) noexcept { return reinterpret_cast<std::uintptr_t>(&op); }

std::uint64_t watch_data(int fd, std::uint32_t generation) noexcept {
  return (std::uint64_t{generation} << 32U) | (static_cast<std::uint64_t>(fd) << 3U) | k_tag_watch;
}

std::uint64_t edge_data(int fd, std::uint32_t generation) noexcept {
  return (std::uint64_t{generation} << 32U) | (static_cast<std::uint64_t>(fd) << 3U) | k_tag_edge;
}

class io_uring_backend final : public backend {
 public:
  io_uring_backend() : m_wakefd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (m_wakefd < 0) {
      throw std::system_error(errno, std::generic_category(), "aio: cannot create the wake-up eventfd");
    }
    // Most useful first; each flag is a later kernel's (DEFER_TASKRUN 6.1, SINGLE_ISSUER 6.0,
    // SUBMIT_ALL 5.18, COOP_TASKRUN 5.19). A SINGLE_ISSUER ring belongs to the thread that enables it,
    // so it starts disabled and is enabled by the first thread that submits or polls: the loop's.
    // DEFER_TASKRUN leaves completion work to the loop's next io_uring_enter (every wait here is one)
    // instead of interrupting the thread for it.
    constexpr unsigned k_flag_sets[] = {
        IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SINGLE_ISSUER |
            IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_R_DISABLED,
        IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SINGLE_ISSUER |
            IORING_SETUP_R_DISABLED,
        IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN,
        0,
    };
    int r = -EINVAL;
    for (const unsigned flags : k_flag_sets) {
      io_uring_params params{};
      params.flags = flags;
      r = io_uring_queue_init_params(k_ring_entries, &m_ring, &params);
      if (r != -EINVAL) {
        m_enabled = (flags & IORING_SETUP_R_DISABLED) == 0;
        break;
      }
    }
    if (r < 0) {
      ::close(m_wakefd);
      throw std::system_error(-r, std::generic_category(), "aio: cannot create an io_uring");
    }
  }
  io_uring_backend(const io_uring_backend&) = delete;
  io_uring_backend& operator=(const io_uring_backend&) = delete;

  ~io_uring_backend() override {
    // Whatever is still in flight belongs to objects that outlive the loop (they should not): cancel it
    // all and wait a little for the kernel to let go, so that no completion writes into freed memory.
    if (m_inflight > 0 && enable()) {
      if (io_uring_sqe* sqe = get_sqe()) {
        io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
        io_uring_sqe_set_data64(sqe, k_tag_ignore);
      }
      try {
        for (int i = 0; i < 100 && m_inflight > 0; ++i) {
          __kernel_timespec ts{.tv_sec = 0, .tv_nsec = 10'000'000};
          io_uring_cqe* cqe = nullptr;
          const int r = io_uring_submit_and_wait_timeout(&m_ring, &cqe, 1, &ts, nullptr);
          if (r < 0 && r != -ETIME && r != -EINTR && r != -EBUSY && r != -EAGAIN) break;
          reap(nullptr);
        }
      } catch (...) {  // NOLINT(bugprone-empty-catch): allocation failure; io_uring_queue_exit cancels too
      }
    }
    for (io_op* op : m_deferred) op->m_pending = false;  // no completion runs: the loop is gone
    io_uring_queue_exit(&m_ring);
    ::close(m_wakefd);
  }

  [[nodiscard]] const char* name() const noexcept override { return "io_uring"; }
  [[nodiscard]] bool async_files() const noexcept override { return true; }

  void wake() noexcept override {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto r = ::write(m_wakefd, &one, sizeof one);  // EAGAIN: already pending
  }
  [[nodiscard]] int wake_fd() const noexcept override { return m_wakefd; }

  // ---- level-triggered watches (add_reader/add_writer) ------------------------------------------

  void set_interest(int fd, bool read, bool write) override {
    if (fd < 0 || fd > k_max_fd) throw std::invalid_argument("aio: cannot watch fd " + std::to_string(fd));
    auto it = m_watches.find(fd);
    if (!read && !write) {
      if (it == m_watches.end()) return;
      const bool armed = it->second.m_armed;
      const std::uint32_t generation = it->second.m_generation;
      m_watches.erase(it);
      if (armed) {
        // Submitted now: the poll holds a reference to the file, and the caller is about to close it
        // (a socket would stay open, its peer would see no FIN, until the next poll).
        remove_watch_poll(fd, generation);
        if (enable()) io_uring_submit(&m_ring);
      }
      return;
    }
    if (it == m_watches.end()) it = m_watches.emplace(fd, fd_watch{}).first;
    fd_watch& w = it->second;
    w.m_read = read;
    w.m_write = write;
    if (w.m_armed) {
      if (w.m_armed_mask == w.mask()) return;
      remove_watch_poll(fd, w.m_generation);  // its late completion has a stale generation
      w.m_armed = false;
    }
    queue_arm(fd, w);
  }

  // ---- operations -----------------------------------------------------------------------------

  void attach(io_registration& reg) override { reg.m_attached = true; }

  void detach(io_registration& reg) noexcept override {
    if (!reg.m_attached) return;
    for (io_op** slot : {&reg.m_reader, &reg.m_writer}) {
      io_op* op = *slot;
      if (op == nullptr || !op->m_parked) continue;
      *slot = nullptr;  // withdrawn: delivered (-ECANCELED) by the next poll
      op->m_parked = false;
      op->m_result = -ECANCELED;
      m_deferred.push_back(op);
    }
    // Forgotten even when the kernel already ended the poll: a late completion of an earlier poll on
    // this fd number must not find a registration about to be freed.
    if (const auto fd = static_cast<std::size_t>(reg.m_fd);
        fd < m_edge_regs.size() && m_edge_regs[fd] == &reg) {
      m_edge_regs[fd] = nullptr;
    }
    if (reg.m_polling) stop_edge_poll(reg);
    io_op* waiting[] = {reg.m_reader, reg.m_writer};
    for (io_op* op : waiting) {
      if (op != nullptr) request_cancel(*op);
    }
    for (io_op* op : waiting) {
      if (op != nullptr) wait_reaped(*op);  // delivered (-ECANCELED) by the next poll
    }
    reg.m_attached = false;
  }

  bool try_now(io_op& op) noexcept override {
    switch (op.m_kind) {
      case io_kind::readable:
      case io_kind::writable:
      case io_kind::connect:
        return false;  // a poll, or the kernel's own connect
      case io_kind::read:
      case io_kind::write:
        if (op.m_offset >= 0) return false;  // a regular file: the kernel does it asynchronously
        break;
      default:
        break;
    }
    // The readiness cache works here as on epoll: a short transfer or EAGAIN clears the direction's
    // flag, and only a completed poll (below, on_operation) sets it again. So after a short read the
    // next try costs no syscall: the caller goes straight to a POLL_ADD, which completes at once if
    // data arrived meanwhile (a poll checks the current state when armed; no edge can be missed).
    op.m_result = perform_io(op);
    return op.m_result != -EAGAIN;
  }

  bool submit(io_op& op) override {
    if (m_multishot && holds_no_buffer(op) && op.m_reg != nullptr && op.m_reg->m_attached) return park(op);
    io_op** slot = claim_slot(op);
    io_uring_sqe* sqe = get_sqe();
    if (sqe == nullptr) {
      if (slot != nullptr) *slot = nullptr;
      throw std::system_error(EBUSY, std::generic_category(), "aio: the io_uring submission queue is full");
    }
    if (op.m_kind == io_kind::connect && op.m_started) {
      m_polled.insert(&op);  // connect(2) already said EINPROGRESS: wait for writability, ask SO_ERROR
    }
    prepare(op, *sqe);
    op.m_pending = true;
    ++m_inflight;
    return false;
  }

  bool cancel(io_op& op) noexcept override {
    if (!op.m_pending) return true;
    if (op.m_parked || (holds_no_buffer(op) && op.m_reg != nullptr && take_deferred(op))) {
      release_slot(op);  // parked: it is in no kernel queue (a deferred one was already released)
      op.m_parked = false;
      op.m_pending = false;
      return true;
    }
    const bool bufferless = holds_no_buffer(op);
    if (take_deferred(op)) {
      if (!bufferless) {
        m_deferred.push_back(&op);  // its result is in: delivered by the next poll
        return false;
      }
    } else {
      request_cancel(op);
      if (!bufferless) return false;  // the kernel may still write into the buffer: wait for it
      wait_reaped(op);
      take_deferred(op);
    }
    op.m_pending = false;  // a readiness lost to the cancel loses nothing: the caller asks again
    return true;
  }

  void abandon(io_op& op) noexcept override {
    if (!op.m_pending) return;
    if (op.m_parked) {
      [[maybe_unused]] const bool withdrawn = cancel(op);
      return;
    }
    if (!take_deferred(op)) {
      request_cancel(op);
      wait_reaped(op);
      take_deferred(op);
    }
    op.m_pending = false;
  }

  // ---- the poll step ----------------------------------------------------------------------------

  void poll(std::chrono::nanoseconds timeout, io_sink& sink) override {
    if (!enable()) {
      throw std::system_error(errno, std::generic_category(), "aio: cannot enable the io_uring");
    }
    arm_wake();
    arm_watches();
    if (m_woken || !m_deferred.empty()) {
      timeout = std::chrono::nanoseconds{0};
      if (m_woken) drain_wake();
      std::vector<io_op*> ready;
      ready.swap(m_deferred);
      for (io_op* op : ready) {
        op->m_pending = false;
        sink.on_complete(*op);
      }
    }
    // Errors are not failures here: -EINTR is a signal (the loop looks at pending signals next),
    // -ETIME the timeout, -EBUSY/-EAGAIN completions to reap first. Every case ends in reaping.
    if (timeout.count() < 0) {
      io_uring_submit_and_wait(&m_ring, 1);
    } else if (timeout.count() == 0) {
      io_uring_submit_and_get_events(&m_ring);
    } else {
      __kernel_timespec ts{.tv_sec = timeout.count() / 1'000'000'000,
                           .tv_nsec = timeout.count() % 1'000'000'000};
      io_uring_cqe* cqe = nullptr;
      io_uring_submit_and_wait_timeout(&m_ring, &cqe, 1, &ts, nullptr);
    }
    reap(&sink);
  }

 private:
  struct fd_watch {
    bool m_read = false;
    bool m_write = false;
    bool m_armed = false;   // a POLL_ADD is in the kernel (or in the submission queue)
    bool m_queued = false;  // in m_to_arm
    unsigned m_armed_mask = 0;
    std::uint32_t m_generation = 0;
    [[nodiscard]] unsigned mask() const noexcept { return (m_read ? POLLIN : 0U) | (m_write ? POLLOUT : 0U); }
  };

  struct completion {
    std::uint64_t data;
    int res;
    unsigned flags;
  };

  /// A batch being dispatched by `reap` (nested reaps form a stack).
  struct reap_frame {
    completion* items;
    unsigned next;
    unsigned n;
    reap_frame* outer;
  };

  /// Enables a SINGLE_ISSUER ring from the calling thread (liburing 2.3 declares io_uring_enable_rings
  /// but does not export it: the register call is made directly).
  bool enable() noexcept {
    if (!m_enabled) {
      m_enabled =
          ::syscall(__NR_io_uring_register, m_ring.ring_fd, IORING_REGISTER_ENABLE_RINGS, nullptr, 0) == 0;
    }
    return m_enabled;
  }

  /// A free submission entry: when the queue is full it is handed to the kernel first, and when the
  /// kernel refuses (its completion backlog is full) completions are reaped into m_deferred.
  io_uring_sqe* get_sqe() noexcept {
    for (int attempt = 0; attempt < 8; ++attempt) {
      if (io_uring_sqe* sqe = io_uring_get_sqe(&m_ring)) return sqe;
      if (!enable()) return nullptr;
      const int r = attempt == 0 ? io_uring_submit(&m_ring) : io_uring_submit_and_wait(&m_ring, 1);
      if (r < 0 && r != -EBUSY && r != -EAGAIN && r != -EINTR) return nullptr;
      reap(nullptr);
    }
    return nullptr;
  }

  static bool holds_no_buffer(const io_op& op) noexcept {
    return op.m_kind == io_kind::readable || op.m_kind == io_kind::writable;
  }

  /// The registration's slot for `op`'s direction, now holding `op` (nullptr: no registration).
  static io_op** claim_slot(io_op& op) {
    if (op.m_reg == nullptr) return nullptr;
    io_op*& slot = waits_for_read(op.m_kind) ? op.m_reg->m_reader : op.m_reg->m_writer;
    if (slot != nullptr && slot != &op) {
      throw std::logic_error("aio: another operation is already waiting on fd " + std::to_string(op.m_fd) +
                             " in the same direction");
    }
    slot = &op;
    return &slot;
  }

  static void release_slot(io_op& op) noexcept {
    if (io_registration* reg = op.m_reg) {
      if (reg->m_reader == &op) reg->m_reader = nullptr;
      if (reg->m_writer == &op) reg->m_writer = nullptr;
    }
  }

  void prepare(io_op& op, io_uring_sqe& sqe) noexcept {
    const auto len = static_cast<unsigned>(std::min(op.m_len, k_max_transfer));
    const auto offset = static_cast<std::uint64_t>(op.m_offset);  // -1: the current position
    if (holds_no_buffer(op) || (!m_polled.empty() && m_polled.count(&op) != 0)) {
      io_uring_prep_poll_add(&sqe, op.m_fd, waits_for_read(op.m_kind) ? POLLIN : POLLOUT);
    } else {
      switch (op.m_kind) {
        case io_kind::read:
          io_uring_prep_read(&sqe, op.m_fd, op.m_buf, len, offset);
          break;
        case io_kind::write:
          io_uring_prep_write(&sqe, op.m_fd, op.m_buf, len, offset);
          break;
        case io_kind::recv:
          io_uring_prep_recv(&sqe, op.m_fd, op.m_buf, len, op.m_flags);
          break;
        case io_kind::send:
          io_uring_prep_send(&sqe, op.m_fd, op.m_buf, len, op.m_flags | MSG_NOSIGNAL);
          break;
        case io_kind::recvmsg:
          io_uring_prep_recvmsg(&sqe, op.m_fd, static_cast<msghdr*>(op.m_buf),
                                static_cast<unsigned>(op.m_flags));
          break;
        case io_kind::sendmsg:
          io_uring_prep_sendmsg(&sqe, op.m_fd, static_cast<const msghdr*>(op.m_buf),
                                static_cast<unsigned>(op.m_flags | MSG_NOSIGNAL));
          break;
        case io_kind::accept:
          io_uring_prep_accept(&sqe, op.m_fd, static_cast<sockaddr*>(op.m_addr),
                               op.m_addr != nullptr ? &op.m_addrlen : nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          break;
        case io_kind::connect:
          io_uring_prep_connect(&sqe, op.m_fd, static_cast<const sockaddr*>(op.m_addr), op.m_addrlen);
          break;
        case io_kind::readable:
        case io_kind::writable:
          break;  // polls, above
      }
    }
    io_uring_sqe_set_data64(&sqe, op_data(op));
  }

  void request_cancel(io_op& op) noexcept {
    if (!m_cancelling.insert(&op).second) return;  // already asked
    if (io_uring_sqe* sqe = get_sqe()) {
      io_uring_prep_cancel64(sqe, op_data(op), 0);
      io_uring_sqe_set_data64(sqe, k_tag_ignore);
    }
  }

  /// Blocks until `op`'s completion is reaped (into m_deferred).
  void wait_reaped(io_op& op) noexcept {
    while (std::find(m_deferred.begin(), m_deferred.end(), &op) == m_deferred.end()) {
      if (take_undispatched(op)) continue;
      if (!enable()) return;
      const int r = io_uring_submit_and_wait(&m_ring, 1);
      if (r < 0 && r != -EINTR && r != -EBUSY && r != -EAGAIN) return;  // cannot happen on a live ring
      reap(nullptr);
    }
  }

  bool take_deferred(io_op& op) noexcept {
    const auto it = std::find(m_deferred.begin(), m_deferred.end(), &op);
    if (it == m_deferred.end()) return false;
    m_deferred.erase(it);
    return true;
  }

  /// Reaps every completion there is; without a sink (a synchronous wait) operations go to m_deferred
  /// and readiness is dropped (a watch is re-armed by the next poll and fires again if still ready).
  void reap(io_sink* sink) {
    constexpr unsigned k_batch = 64;
    io_uring_cqe* cqes[k_batch];
    for (;;) {
      const unsigned n = io_uring_peek_batch_cqe(&m_ring, cqes, k_batch);
      if (n == 0) return;
      // Copied out and consumed before dispatching: a completion may submit, or wait synchronously.
      completion batch[k_batch];
      for (unsigned i = 0; i < n; ++i) batch[i] = {cqes[i]->user_data, cqes[i]->res, cqes[i]->flags};
      io_uring_cq_advance(&m_ring, n);
      // While it is dispatched, the rest of the batch is out of the ring but not yet delivered: a
      // completion handler that waits synchronously for another operation (a transport closing from its
      // send's completion, its receive's cancellation in this very batch) finds it here.
      reap_frame frame{batch, 0, n, m_reaping};
      m_reaping = &frame;
      const struct restore {
        reap_frame*& slot;
        reap_frame* outer;
        ~restore() { slot = outer; }
      } restore_on_exit{m_reaping, frame.outer};
      while (frame.next < frame.n) dispatch(batch[frame.next++], sink);
    }
  }

  /// Moves `op`'s completion, when a reap in progress holds it undispatched, into m_deferred.
  bool take_undispatched(const io_op& op) noexcept {
    for (reap_frame* f = m_reaping; f != nullptr; f = f->outer) {
      for (unsigned i = f->next; i < f->n; ++i) {
        if (f->items[i].data != op_data(op)) continue;
        const completion c = f->items[i];
        f->items[i].data = k_tag_ignore;  // delivered here, skipped by its own reap
        try {
          dispatch(c, nullptr);
        } catch (...) {  // NOLINT(bugprone-empty-catch): without a sink nothing throws but allocation
        }
        return true;
      }
    }
    return false;
  }

  void dispatch(const completion& c, io_sink* sink) {
    switch (c.data & k_tag_mask) {
      case k_tag_op:
        // NOLINTNEXTLINE(performance-no-int-to-ptr): the operation's address, set by prepare()
        if (c.data != 0) on_operation(*reinterpret_cast<io_op*>(c.data), c.res, sink);
        return;
      case k_tag_wake:
        on_wake(c, sink);
        return;
      case k_tag_watch:
        on_watch(c, sink);
        return;
      case k_tag_edge:
        on_edge(c, sink);
        return;
      default:
        return;  // cancel and remove acknowledgements
    }
  }

  void on_operation(io_op& op, int res, io_sink* sink) {
    --m_inflight;
    const bool cancelling = !m_cancelling.empty() && m_cancelling.erase(&op) > 0;
    std::int64_t result = res;
    if (op.m_kind == io_kind::readable || op.m_kind == io_kind::writable) {
      if (result > 0) result = 0;  // the poll's revents: ready (an error is found by the next syscall)
      if (result == 0 && op.m_reg != nullptr) {
        (op.m_kind == io_kind::readable ? op.m_reg->m_readable : op.m_reg->m_writable) = true;
      }
    } else if (!m_polled.empty() && m_polled.count(&op) != 0) {
      // Waited by poll; now the syscall, unless the wait was cancelled.
      if (cancelling) {
        result = -ECANCELED;
      } else if (result >= 0) {
        if (op.m_reg != nullptr) op.m_reg->m_readable = op.m_reg->m_writable = true;
        result = perform_io(op);
        if (result == -EAGAIN && resubmit(op)) return;  // spurious readiness
      }
      m_polled.erase(&op);
    } else if (result == -EAGAIN && cancelling) {
      result = -ECANCELED;
    } else if (result == -EAGAIN) {
      // A kernel that will not wait on an O_NONBLOCK file (older io_uring returns EAGAIN for pipes):
      // wait for readiness with a poll instead, then make the syscall.
      m_polled.insert(&op);
      if (resubmit(op)) return;
      m_polled.erase(&op);
    }
    release_slot(op);
    op.m_result = result;
    if (sink == nullptr) {
      m_deferred.push_back(&op);
      return;
    }
    op.m_pending = false;
    sink->on_complete(op);
  }

  bool resubmit(io_op& op) noexcept {
    io_uring_sqe* sqe = get_sqe();
    if (sqe == nullptr) return false;
    prepare(op, *sqe);
    ++m_inflight;
    return true;
  }

  // ---- edge-triggered registrations (multishot polls) ------------------------------------------

  /// A wait for readiness on a registered fd: ready at once (true) when the cache says so, else parked
  /// in the registration's slot until the fd's multishot poll reports the direction. One poll per
  /// registration replaces a one-shot POLL_ADD per wait: no arming and disarming per request.
  bool park(io_op& op) {
    io_registration& reg = *op.m_reg;
    if (!reg.m_polling) arm_edge_poll(reg);
    if (op.m_kind == io_kind::readable ? reg.m_readable : reg.m_writable) {
      op.m_result = 0;
      return true;
    }
    claim_slot(op);
    op.m_parked = true;
    op.m_pending = true;
    return false;
  }

  /// Arms the poll. A poll checks the fd's state when armed, so readiness that came before it (after
  /// the caller's EAGAIN) completes it at once: no edge is lost.
  void arm_edge_poll(io_registration& reg) {
    const int fd = reg.m_fd;
    if (fd < 0 || fd > k_max_fd) throw std::invalid_argument("aio: cannot poll fd " + std::to_string(fd));
    io_uring_sqe* sqe = get_sqe();
    if (sqe == nullptr) {
      throw std::system_error(EBUSY, std::generic_category(), "aio: the io_uring submission queue is full");
    }
    if (static_cast<std::size_t>(fd) >= m_edge_regs.size())
      m_edge_regs.resize(static_cast<std::size_t>(fd) + 1);
    m_edge_regs[static_cast<std::size_t>(fd)] = &reg;
    reg.m_poll_generation = ++m_generation;
    reg.m_polling = true;
    io_uring_prep_poll_multishot(sqe, fd, POLLIN | POLLOUT | POLLRDHUP);
    io_uring_sqe_set_data64(sqe, edge_data(fd, reg.m_poll_generation));
  }

  /// Removes the poll before the caller closes the fd, submitted and run now: the poll holds a
  /// reference to the file, and the peer of a socket would see no FIN until it is gone. Its last
  /// completion comes later and is ignored (`detach` cleared the fd's entry first).
  void stop_edge_poll(io_registration& reg) noexcept {
    reg.m_polling = false;
    io_uring_sqe* sqe = get_sqe();
    if (sqe == nullptr) return;  // the ring's teardown removes it
    // A cancel, not a POLL_REMOVE: a remove fails (-EALREADY) while a wake-up's completion work is
    // pending, which DEFER_TASKRUN makes the usual case, and the poll would live on.
    io_uring_prep_cancel64(sqe, edge_data(reg.m_fd, reg.m_poll_generation), 0);
    io_uring_sqe_set_data64(sqe, k_tag_ignore);
    if (enable()) io_uring_submit_and_get_events(&m_ring);
  }

  void on_edge(const completion& c, io_sink* sink) {
    const auto fd = static_cast<std::size_t>((c.data >> 3U) & static_cast<std::uint64_t>(k_max_fd));
    const auto generation = static_cast<std::uint32_t>(c.data >> 32U);
    io_registration* reg = fd < m_edge_regs.size() ? m_edge_regs[fd] : nullptr;
    if (reg == nullptr || reg->m_poll_generation != generation || !reg->m_polling) return;
    if ((c.flags & IORING_CQE_F_MORE) == 0) {
      // The kernel ended the poll (a full completion queue, an error): the next wait arms another.
      reg->m_polling = false;
      if (c.res == -EINVAL) m_multishot = false;  // a kernel before 5.13: one-shot polls then
    }
    // An error of the poll itself wakes both directions: the waiters' syscalls say what is wrong.
    const unsigned revents = c.res < 0 ? unsigned{POLLERR} : static_cast<unsigned>(c.res);
    const bool err = (revents & (POLLERR | POLLHUP)) != 0;
    if (c.res >= 0 && (err || (revents & POLLRDHUP) != 0)) reg->m_hangup = true;
    if (err || (revents & (POLLIN | POLLRDHUP)) != 0) {
      reg->m_readable = true;
      wake_parked(reg->m_reader, sink);
    }
    if (err || (revents & POLLOUT) != 0) {
      reg->m_writable = true;
      wake_parked(reg->m_writer, sink);
    }
  }

  void wake_parked(io_op*& slot, io_sink* sink) {
    io_op* op = slot;
    if (op == nullptr || !op->m_parked) return;  // nobody waiting, or a native operation in the kernel
    slot = nullptr;
    op->m_parked = false;
    op->m_result = 0;
    if (sink == nullptr) {
      m_deferred.push_back(op);  // a synchronous wait is reaping: the next poll delivers it
      return;
    }
    op->m_pending = false;
    sink->on_complete(*op);
  }

  // ---- the wake-up eventfd and the watches ------------------------------------------------------

  void arm_wake() {
    if (m_wake_armed) return;
    io_uring_sqe* sqe = get_sqe();
    if (sqe == nullptr) return;  // tried again by the next poll
    if (m_multishot) {
      io_uring_prep_poll_multishot(sqe, m_wakefd, POLLIN);
    } else {
      io_uring_prep_poll_add(sqe, m_wakefd, POLLIN);
    }
    io_uring_sqe_set_data64(sqe, k_tag_wake);
    m_wake_armed = true;
  }

  void on_wake(const completion& c, io_sink* sink) {
    if ((c.flags & IORING_CQE_F_MORE) == 0) {
      m_wake_armed = false;
      if (c.res == -EINVAL) m_multishot = false;  // a kernel before 5.13: one-shot polls then
    }
    if (c.res < 0) return;
    if (sink != nullptr) {
      drain_wake();
    } else {
      m_woken = true;  // a synchronous wait must not eat a wake-up: the next poll will not block
    }
  }

  void drain_wake() noexcept {
    m_woken = false;
    std::uint64_t drained = 0;
    while (::read(m_wakefd, &drained, sizeof drained) > 0) {
    }
  }

  void queue_arm(int fd, fd_watch& w) {
    if (w.m_queued) return;
    m_to_arm.push_back(fd);
    w.m_queued = true;
  }

  void arm_watches() {
    for (const int fd : m_to_arm) {
      auto it = m_watches.find(fd);
      if (it == m_watches.end()) continue;
      fd_watch& w = it->second;
      w.m_queued = false;
      if (w.m_armed || w.mask() == 0) continue;
      io_uring_sqe* sqe = get_sqe();
      if (sqe == nullptr) {
        throw std::system_error(EBUSY, std::generic_category(), "aio: cannot watch fd " + std::to_string(fd));
      }
      w.m_generation = ++m_generation;
      w.m_armed = true;
      w.m_armed_mask = w.mask();
      io_uring_prep_poll_add(sqe, fd, w.m_armed_mask);
      io_uring_sqe_set_data64(sqe, watch_data(fd, w.m_generation));
    }
    m_to_arm.clear();
  }

  void on_watch(const completion& c, io_sink* sink) {
    const auto fd = static_cast<int>((c.data >> 3U) & static_cast<std::uint64_t>(k_max_fd));
    const auto generation = static_cast<std::uint32_t>(c.data >> 32U);
    auto it = m_watches.find(fd);
    if (it == m_watches.end() || it->second.m_generation != generation || !it->second.m_armed) return;
    fd_watch& w = it->second;
    w.m_armed = false;
    // An error (EBADF: the fd was closed without remove_reader) ends the watch rather than spinning;
    // set_interest arms it again.
    if (c.res < 0) return;
    queue_arm(fd, w);  // level-triggered: armed again by the next poll, which fires at once if still ready
    if (sink == nullptr) return;
    const auto revents = static_cast<unsigned>(c.res);
    // Errors and hang-ups wake both directions, as libuv does: the callback discovers them on its call.
    const bool err = (revents & (POLLERR | POLLHUP)) != 0;
    sink->on_ready(fd, w.m_read && (err || (revents & POLLIN) != 0),
                   w.m_write && (err || (revents & POLLOUT) != 0));
  }

  void remove_watch_poll(int fd, std::uint32_t generation) {
    io_uring_sqe* sqe = get_sqe();
    if (sqe == nullptr) return;  // the stale completion is ignored when it comes
    io_uring_prep_poll_remove(sqe, watch_data(fd, generation));
    io_uring_sqe_set_data64(sqe, k_tag_ignore);
  }

  io_uring m_ring{};
  int m_wakefd;
  bool m_enabled = false;
  bool m_wake_armed = false;
  bool m_multishot = true;
  bool m_woken = false;  // a wake-up was reaped by a synchronous wait; the next poll drains it
  std::size_t m_inflight = 0;
  std::uint32_t m_generation = 0;
  std::vector<io_op*> m_deferred;
  reap_frame* m_reaping = nullptr;          // the innermost reap in progress (take_undispatched)
  std::unordered_set<io_op*> m_cancelling;  // cancel requested, completion not reaped yet
  std::unordered_set<io_op*> m_polled;      // waiting by POLL_ADD, then the syscall in place
  std::unordered_map<int, fd_watch> m_watches;
  std::vector<io_registration*> m_edge_regs;  // by fd: the registration whose multishot poll is armed
  std::vector<int> m_to_arm;
};

}  // namespace

std::unique_ptr<backend> make_io_uring_backend() { return std::make_unique<io_uring_backend>(); }

}  // namespace aio::detail
