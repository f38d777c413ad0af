#pragma once
/// @file mode.hpp
/// `aio::files::open_mode`: Python's `open()` mode strings ("r", "w", "a", "x", "+", "b", "t") parsed.

#include <string_view>

namespace aio::files {

/// What a mode string asks for. Text and binary modes behave the same in aio (bytes in `std::string`,
/// no newline translation, no encoding); `binary` only records which one was asked for.
struct open_mode {
  bool read = false;       ///< "r" or "+": the file may be read
  bool write = false;      ///< "w", "a", "x" or "+": the file may be written
  bool create = false;     ///< "w", "a", "x": create the file if it is missing
  bool truncate = false;   ///< "w": empty the file when it is opened
  bool exclusive = false;  ///< "x": fail if the file exists
  bool append = false;     ///< "a": every write goes to the end of the file
  bool binary = false;     ///< "b" was given

  /// Parses `mode` as Python's `open()` does: exactly one of "r", "w", "a", "x", optionally "+", and at
  /// most one of "b" and "t", each character at most once, in any order.
  /// @par Errors
  /// `std::invalid_argument` naming the mode string when it is not valid (Python's `ValueError`).
  /// @par Example
  /// @code
  /// auto m = aio::files::open_mode::parse("rb+");  // m.read && m.write && m.binary
  /// @endcode
  static open_mode parse(std::string_view mode);
};

}  // namespace aio::files
