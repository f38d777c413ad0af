// Choosing a backend at start-up (libuv's uv__use_io_uring): io_uring can be missing (old kernel),
// forbidden (seccomp, kernel.io_uring_disabled) or short of resources at run time, so `automatic`
// probes the kernel and falls back to epoll; naming a backend never falls back silently.

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

#include "backend.hpp"

namespace aio::detail {

namespace {

/// AIO_BACKEND turns `automatic` into a named backend (so that the whole test suite can run against
/// each one); unset, empty or "automatic" leaves the choice to the probe.
backend_kind from_environment() {
  const char* env = std::getenv("AIO_BACKEND");
  if (env == nullptr || *env == '\0' || std::strcmp(env, "automatic") == 0) return backend_kind::automatic;
  if (std::strcmp(env, "epoll") == 0) return backend_kind::epoll;
  if (std::strcmp(env, "io_uring") == 0) return backend_kind::io_uring;
  throw std::invalid_argument(
      std::string("aio: AIO_BACKEND must be 'epoll', 'io_uring' or 'automatic', not '") + env + "'");
}

std::unique_ptr<backend> make_named(backend_kind kind) {
  if (kind == backend_kind::epoll) return make_epoll_backend();
  const std::string& why = io_uring_unavailable();
  if (!why.empty()) throw std::runtime_error("aio: the io_uring backend is not available: " + why);
  return make_io_uring_backend();
}

}  // namespace

std::unique_ptr<backend> make_backend(backend_kind kind, bool debug) {
  if (kind != backend_kind::automatic) return make_named(kind);
  const backend_kind env = from_environment();
  if (env != backend_kind::automatic) {
    std::unique_ptr<backend> b = make_named(env);
    if (debug) std::fprintf(stderr, "aio: using the %s backend (AIO_BACKEND)\n", b->name());
    return b;
  }
  std::string why = io_uring_unavailable();
  if (why.empty()) {
    try {
      std::unique_ptr<backend> b = make_io_uring_backend();
      if (debug) std::fprintf(stderr, "aio: using the io_uring backend (automatic)\n");
      return b;
    } catch (const std::system_error& e) {  // e.g. out of locked memory on kernels before 5.12
      why = e.what();
    }
  }
  if (debug) std::fprintf(stderr, "aio: using the epoll backend (automatic; io_uring: %s)\n", why.c_str());
  return make_epoll_backend();
}

}  // namespace aio::detail
