#pragma once
// The `aio ps` wire format, shared by the agent in every aio process (ps_agent.cpp) and the `aio`
// command (tools/aio/). Header-only and free of aio's other headers: the command links nothing else.
//
// The agent listens on the abstract unix socket "\0aio-ps-<pid>" while an `aio::run` loop runs. A
// client connects, sends one request line ("tasks\n") and reads the reply to end of stream: lines of
// tab-separated fields, each field escaped (backslash, tab, newline as \\, \t, \n):
//
//   aio-ps  1  <pid>                 first line: the format's version
//   loop    <tid>  <running task id, or ->
//   task    <id>  <name>             a live task of the last loop
//   frame   <function>               its coroutines, innermost first
//   waiter  <id>  <via>              a task waiting for it directly (via: await, gather, ...)
//   error   <text>                   the last loop's thread did not answer (no task lines follow)
//   end                              the reply is complete
//
// A refused client gets the single line `refused <text>`; a request the agent does not know gets
// `error <text>`. See docs/design/debugging.md.

#include <sys/types.h>
#include <string>
#include <string_view>
#include <vector>

namespace aio::detail::ps {

inline constexpr std::string_view k_version = "1";
inline constexpr std::string_view k_request = "tasks\n";

/// The abstract socket name of process `pid` (its first byte is the NUL that makes it abstract).
inline std::string socket_name(pid_t pid) {
  std::string name(1, '\0');
  name += "aio-ps-";
  name += std::to_string(pid);
  return name;
}

inline void append_escaped(std::string& out, std::string_view field) {
  for (const char c : field) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

/// Splits one line (without its newline) into its unescaped fields.
inline std::vector<std::string> split_fields(std::string_view line) {
  std::vector<std::string> out(1);
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '\t') {
      out.emplace_back();
    } else if (c == '\\' && i + 1 < line.size()) {
      const char n = line[++i];
      out.back() += n == 't' ? '\t' : n == 'n' ? '\n' : n;
    } else {
      out.back() += c;
    }
  }
  return out;
}

}  // namespace aio::detail::ps
