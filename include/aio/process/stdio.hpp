#pragma once
/// @file stdio.hpp
/// What a child process's stdin, stdout and stderr are connected to (Python's `subprocess.PIPE`,
/// `DEVNULL`, `STDOUT`, or a file descriptor).

namespace aio {

/// The kinds of `aio::stdio`.
enum class stdio_kind : unsigned char {
  inherit,          ///< the parent's own stream (the default, as Python's `None`)
  pipe,             ///< a new pipe: the parent talks to it through `process::stdin_()` etc.
  devnull,          ///< /dev/null
  stdout_redirect,  ///< stderr only: wherever stdout goes (Python's `subprocess.STDOUT`)
  fd,               ///< a file descriptor of the parent (duplicated into the child; the parent keeps it)
};

/// One of the child's standard streams: `aio::inherit`, `aio::pipe`, `aio::devnull`,
/// `aio::stdout_redirect` (for `.stderr_`) or `aio::stdio::from_fd(fd)`.
struct stdio {
  stdio_kind kind = stdio_kind::inherit;
  int fd = -1;  ///< for `stdio_kind::fd`
  /// The child gets a copy of `fd` (which stays open, and owned by the caller, in the parent).
  static constexpr stdio from_fd(int fd) noexcept { return stdio{stdio_kind::fd, fd}; }
  friend constexpr bool operator==(const stdio&, const stdio&) = default;
};

/// The parent's own stream (the default).
inline constexpr stdio inherit{stdio_kind::inherit};
/// A pipe to the parent (`subprocess.PIPE`).
inline constexpr stdio pipe{stdio_kind::pipe};
/// /dev/null (`subprocess.DEVNULL`).
inline constexpr stdio devnull{stdio_kind::devnull};
/// For `.stderr_` only: the same place as stdout (`subprocess.STDOUT`).
inline constexpr stdio stdout_redirect{stdio_kind::stdout_redirect};

}  // namespace aio
