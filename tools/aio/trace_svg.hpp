#pragma once
// `aio trace-svg FILE`: draws a trace timeline (the Chrome trace-event JSON that
// `run_options{.trace_path}` / `AIO_TRACE` write, src/debug/trace.cpp) as an SVG picture: one row per
// task, running segments filled, waiting segments outlined, on a time axis.

#include <iosfwd>
#include <string>
#include <string_view>

namespace aio_cli {

/// Reads the trace in `json` and writes the SVG to `out`. False (with `error` set) when `json` is not
/// a trace: malformed JSON, no "traceEvents" array.
bool trace_to_svg(std::string_view json, std::ostream& out, std::string& error);

}  // namespace aio_cli
