#pragma once
/// @file static_options.hpp
/// `aio::http::static_options`: the options of `router::add_static` (aiohttp's `web.static`).

namespace aio::http {

/// How `router::add_static(prefix, directory, {...})` serves a directory.
///
/// Only `bool` members, so a braced `{.follow_symlinks = true}` is safe anywhere (g++ 12:
/// docs/design/compilers.md). aiohttp's `web.static` also takes `name` (for URL
/// reversing), `expect_handler`, `chunk_size` and `append_version` (a `?v=` hash in reversed URLs);
/// aio has no URL reversing, so those have no counterpart.
struct static_options {
  /// A request for a directory lists its entries as HTML (aiohttp's `show_index`); otherwise 403.
  bool show_index = false;
  /// Serve files reached through a symbolic link that leads out of the directory (aiohttp's
  /// `follow_symlinks`). Off: such a file is 404; links that stay inside are followed either way.
  bool follow_symlinks = false;
};

}  // namespace aio::http
