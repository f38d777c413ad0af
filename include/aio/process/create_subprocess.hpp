#pragma once
/// @file create_subprocess.hpp
/// `aio::create_subprocess_exec` / `aio::create_subprocess_shell`: start a child process
/// (asyncio's functions of the same names). See docs/guide/subprocess.md.

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "aio/process/process.hpp"
#include "aio/process/stdio.hpp"
#include "aio/task/coro.hpp"

namespace aio {

/// A child's environment: name → value.
using environment = std::map<std::string, std::string>;

/// This process's environment (a copy of `environ`), to extend before passing it as `.env`.
environment current_environment();

/// How to start a child (aggregate: use designated initialisers, members in this order).
///
/// Every member is trivially destructible (views and a pointer, copied when the function is called),
/// so it may be written braced inside `co_await` with g++ 12 too (docs/design/compilers.md).
struct subprocess_options {
  stdio stdin_ = inherit;   ///< `aio::pipe`, `aio::devnull`, `aio::stdio::from_fd(fd)` or inherit
  stdio stdout_ = inherit;  ///< the same choices
  stdio stderr_ = inherit;  ///< the same, plus `aio::stdout_redirect` (stderr goes where stdout goes)
  /// The child's whole environment (copied at the call); nullptr (the default): this process's.
  const environment* env = nullptr;
  /// The child's working directory (copied at the call); empty (the default): this process's.
  std::string_view cwd{};
  /// The buffer limit of the stdout/stderr readers (`readline()` and `readuntil()`), as asyncio's.
  std::size_t limit = detail::stream_transport::k_default_limit;
};
static_assert(std::is_trivially_destructible_v<subprocess_options>);

/// One argument of `create_subprocess_exec`: a view of a string, copied when the function is called.
/// (Its own type, not `std::string_view`, so that a braced `{"-c", cmd}` is never taken for a
/// string_view's iterator pair.)
class exec_arg {
 public:
  exec_arg(const char* s) noexcept : m_s(s) {}         // NOLINT(google-explicit-constructor)
  exec_arg(std::string_view s) noexcept : m_s(s) {}    // NOLINT(google-explicit-constructor)
  exec_arg(const std::string& s) noexcept : m_s(s) {}  // NOLINT(google-explicit-constructor)
  [[nodiscard]] std::string_view view() const noexcept { return m_s; }

 private:
  std::string_view m_s;
};

namespace detail {
/// An argument position of `arg_list`'s braced form that may be left out.
struct exec_slot {
  exec_slot() = default;
  exec_slot(const char* s) noexcept : m_s(s), m_set(true) {}         // NOLINT(google-explicit-constructor)
  exec_slot(std::string_view s) noexcept : m_s(s), m_set(true) {}    // NOLINT(google-explicit-constructor)
  exec_slot(const std::string& s) noexcept : m_s(s), m_set(true) {}  // NOLINT(google-explicit-constructor)
  std::string_view m_s;
  bool m_set = false;
};
}  // namespace detail

/// The argument list of `create_subprocess_exec(program, args, opts)`: a `std::vector<std::string>`,
/// or a braced list of up to `max_inline` strings (`{"-c", "echo hi"}`). A view, copied when the
/// function is called; never declare a named `arg_list` from a braced list of temporaries.
///
/// The braced form is a fixed set of optional slots, not a `std::initializer_list` (g++ 12,
/// docs/design/compilers.md).
class arg_list {
 public:
  static constexpr std::size_t max_inline = 16;

  arg_list() = default;
  arg_list(const std::vector<std::string>& v) noexcept
      : m_vector(&v) {}  // NOLINT(google-explicit-constructor)
  // NOLINTBEGIN(google-explicit-constructor)
  using slot = detail::exec_slot;
  arg_list(exec_arg a1, slot a2 = {}, slot a3 = {}, slot a4 = {}, slot a5 = {}, slot a6 = {}, slot a7 = {},
           slot a8 = {}, slot a9 = {}, slot a10 = {}, slot a11 = {}, slot a12 = {}, slot a13 = {},
           slot a14 = {}, slot a15 = {}, slot a16 = {}) noexcept
      : m_inline{a1.view(), a2.m_s,  a3.m_s,  a4.m_s,  a5.m_s,  a6.m_s,  a7.m_s,  a8.m_s,
                 a9.m_s,    a10.m_s, a11.m_s, a12.m_s, a13.m_s, a14.m_s, a15.m_s, a16.m_s} {
    const slot* rest[] = {&a2, &a3, &a4, &a5, &a6, &a7, &a8, &a9, &a10, &a11, &a12, &a13, &a14, &a15, &a16};
    m_size = 1;
    while (m_size < max_inline && rest[m_size - 1]->m_set) ++m_size;
  }
  // NOLINTEND(google-explicit-constructor)

  [[nodiscard]] std::size_t size() const noexcept { return m_vector != nullptr ? m_vector->size() : m_size; }
  [[nodiscard]] std::string_view operator[](std::size_t i) const noexcept {
    return m_vector != nullptr ? std::string_view((*m_vector)[i]) : m_inline[i];
  }

 private:
  const std::vector<std::string>* m_vector = nullptr;
  std::string_view m_inline[max_inline]{};
  std::size_t m_size = 0;
};
static_assert(std::is_trivially_destructible_v<arg_list>);

namespace detail {
/// The common body of every `create_subprocess_exec` overload: copies the views, then spawns.
coro<process> exec_views(std::string program, const std::string_view* args, std::size_t n,
                         const subprocess_options& opts);
template <class T>
concept exec_arg_like = std::is_convertible_v<const T&, std::string_view>;
}  // namespace detail

/// Starts `program` with `args` (not including the program itself, which becomes argv[0]); a
/// `program` without a '/' is looked up in PATH. Nothing runs until the result is awaited. The
/// arguments are a vector or a braced list (`create_subprocess_exec("/bin/sh", {"-c", cmd}, opts)`),
/// or, as asyncio's `*args`, given one by one (`create_subprocess_exec("echo", "a", "b", opts)`, up to
/// 8 with options, any number without). Everything is copied when the function is called.
///
/// Every fd of this process other than the three standard ones is closed in the child (Python's
/// `close_fds=True`), and the child starts with the default action for every signal aio may have
/// changed (SIGPIPE) and an empty signal mask.
/// @par Errors
/// `std::system_error` with the errno when the child cannot be started: ENOENT for a missing program
/// (Python's FileNotFoundError), EACCES for one that is not executable, ...; its message names the
/// program (and the directory, when `cwd` is set). `std::invalid_argument` for `aio::stdout_redirect`
/// anywhere but `.stderr_`.
/// @par Cancellation
/// Starting is synchronous: once awaited, it completes without suspending.
/// @par Note
/// The first child started with a pipe makes this process ignore SIGPIPE (if its action was the
/// default), as Python does at start-up: writing to a pipe whose reader has gone then fails with EPIPE
/// (reported by `drain()`) instead of killing this process.
/// @par Example
/// @code
/// aio::process p = co_await aio::create_subprocess_exec("echo", "hello", {.stdout_ = aio::pipe});
/// std::string line = co_await p.stdout_().readline();   // "hello\n"
/// co_await p.wait();
/// @endcode
inline coro<process> create_subprocess_exec(std::string program, arg_list args, subprocess_options opts) {
  std::vector<std::string_view> v(args.size());
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = args[i];
  return detail::exec_views(std::move(program), v.data(), v.size(), opts);
}
/// `create_subprocess_exec(program, args, {})`.
inline coro<process> create_subprocess_exec(std::string program, arg_list args) {
  return create_subprocess_exec(std::move(program), args, subprocess_options{});
}
/// No arguments, only options (asyncio's `create_subprocess_exec("sort", stdin=PIPE, stdout=PIPE)`):
/// `create_subprocess_exec("sort", {.stdin_ = aio::pipe, .stdout_ = aio::pipe})`.
inline coro<process> create_subprocess_exec(std::string program, subprocess_options opts) {
  return detail::exec_views(std::move(program), nullptr, 0, opts);
}
/// `create_subprocess_exec(program, {}, {})`.
inline coro<process> create_subprocess_exec(std::string program) {
  return detail::exec_views(std::move(program), nullptr, 0, subprocess_options{});
}
/// asyncio's `create_subprocess_exec(program, *args)`: the arguments one by one, no options.
template <detail::exec_arg_like... A>
requires(sizeof...(A) > 0) coro<process> create_subprocess_exec(
    std::string program, const A&... args) {  // NOLINT(performance-unnecessary-value-param): moved below
  const std::string_view v[] = {std::string_view(args)...};
  return detail::exec_views(std::move(program), v, sizeof...(A), subprocess_options{});
}
// The arguments one by one, then the options: one overload per count, because a braced options list
// can only initialise a parameter of the aggregate type itself, never a deduced one.
inline coro<process> create_subprocess_exec(std::string program, exec_arg a1, subprocess_options opts) {
  const std::string_view v[] = {a1.view()};
  return detail::exec_views(std::move(program), v, 1, opts);
}
inline coro<process> create_subprocess_exec(std::string program, exec_arg a1, exec_arg a2,
                                            subprocess_options opts) {
  const std::string_view v[] = {a1.view(), a2.view()};
  return detail::exec_views(std::move(program), v, 2, opts);
}
inline coro<process> create_subprocess_exec(std::string program, exec_arg a1, exec_arg a2, exec_arg a3,
                                            subprocess_options opts) {
  const std::string_view v[] = {a1.view(), a2.view(), a3.view()};
  return detail::exec_views(std::move(program), v, 3, opts);
}
inline coro<process> create_subprocess_exec(std::string program, exec_arg a1, exec_arg a2, exec_arg a3,
                                            exec_arg a4, subprocess_options opts) {
  const std::string_view v[] = {a1.view(), a2.view(), a3.view(), a4.view()};
  return detail::exec_views(std::move(program), v, 4, opts);
}
inline coro<process> create_subprocess_exec(std::string program, exec_arg a1, exec_arg a2, exec_arg a3,
                                            exec_arg a4, exec_arg a5, subprocess_options opts) {
  const std::string_view v[] = {a1.view(), a2.view(), a3.view(), a4.view(), a5.view()};
  return detail::exec_views(std::move(program), v, 5, opts);
}
inline coro<process> create_subprocess_exec(std::string program, exec_arg a1, exec_arg a2, exec_arg a3,
                                            exec_arg a4, exec_arg a5, exec_arg a6, subprocess_options opts) {
  const std::string_view v[] = {a1.view(), a2.view(), a3.view(), a4.view(), a5.view(), a6.view()};
  return detail::exec_views(std::move(program), v, 6, opts);
}
inline coro<process> create_subprocess_exec(std::string program, exec_arg a1, exec_arg a2, exec_arg a3,
                                            exec_arg a4, exec_arg a5, exec_arg a6, exec_arg a7,
                                            subprocess_options opts) {
  const std::string_view v[] = {a1.view(), a2.view(), a3.view(), a4.view(), a5.view(), a6.view(), a7.view()};
  return detail::exec_views(std::move(program), v, 7, opts);
}
inline coro<process> create_subprocess_exec(std::string program, exec_arg a1, exec_arg a2, exec_arg a3,
                                            exec_arg a4, exec_arg a5, exec_arg a6, exec_arg a7, exec_arg a8,
                                            subprocess_options opts) {
  const std::string_view v[] = {a1.view(), a2.view(), a3.view(), a4.view(),
                                a5.view(), a6.view(), a7.view(), a8.view()};
  return detail::exec_views(std::move(program), v, 8, opts);
}

/// Runs `cmd` through `/bin/sh -c` (so pipelines, redirections and globbing work). The same options,
/// errors and notes as `create_subprocess_exec`. Never pass untrusted text in `cmd` (shell injection):
/// use `create_subprocess_exec` with separate arguments instead.
coro<process> create_subprocess_shell(std::string cmd, subprocess_options opts);
/// `create_subprocess_shell(cmd, {})`.
coro<process> create_subprocess_shell(std::string cmd);

}  // namespace aio
