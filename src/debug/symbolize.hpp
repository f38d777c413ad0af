#pragma once
// Names of code addresses, for await graphs and stall reports (docs/design/debugging.md).
//
// A coroutine's resume function is a local symbol (g++: `<mangled>.Frame.actor`, clang++:
// `<mangled>.resume`), which `dladdr` never sees: the symbol tables (.symtab, else .dynsym) of the
// object holding the address are read from its file on first use and kept. No line table is read.

#include <string>

namespace aio::detail {

/// The demangled name of the function containing `address`, a coroutine's resume function named after
/// the coroutine (`ns::fetch(int)`); "?" when no symbol covers it. Thread-safe; not signal-safe.
std::string symbolize(const void* address);

/// The readable form of a mangled symbol (coroutine resume-function names and clone suffixes removed).
std::string demangle_symbol(const std::string& mangled);

}  // namespace aio::detail
