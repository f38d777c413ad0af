#pragma once
/// @file json_ref.hpp
/// `aio::http::json_ref`: a JSON value passed to a call, as a document or as a braced literal written
/// in the call (`{.json = {{"k", 1}}}`, `ws.send_json({{"type", "hello"}})`), which g++ 12 cannot
/// compile as a `nlohmann::json` inside `co_await` (docs/design/compilers.md, Bug 2).

#include <cstddef>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "aio/optional_arg.hpp"

namespace aio::http {

namespace detail {
/// What both kinds of `json_node` hold: a view of a value (with the function that turns it into JSON),
/// or of up to `max_items` child nodes, or nothing (`{}`: null, as in nlohmann::json). Trivially
/// destructible and never a pointer into itself: nodes are temporaries of the call's full expression,
/// read once while the `json_ref` is built.
class json_node_base {
 public:
  static constexpr std::size_t max_items = 16;
  /// Builds the JSON value: a composite whose items are all [string, value] pairs is an object (as
  /// nlohmann::json's braced lists), any other composite an array.
  [[nodiscard]] nlohmann::json build() const;

 protected:
  json_node_base() = default;
  template <class T>
  explicit json_node_base(const T& v) noexcept
      : m_value(&v), m_convert([](const void* p, nlohmann::json& out) { out = *static_cast<const T*>(p); }) {}
  void add(const json_node_base& child) noexcept {
    m_composite = true;
    m_items[m_size++] = &child;
  }

 private:
  const void* m_value = nullptr;
  void (*m_convert)(const void*, nlohmann::json&) = nullptr;
  const json_node_base* m_items[max_items]{};
  std::size_t m_size = 0;
  bool m_composite = false;
};

/// One value of a braced JSON literal (`{{"k", 1}, {"list", {1, 2, 3}}}`): anything nlohmann::json
/// accepts, or a braced list of up to 16 nodes. Two alternating kinds, because a braced list of one
/// braced list may not convert to the constructor's own class ([over.best.ics]/4), so a composite's
/// first item is always of the other kind. An item left out is the shared `absent` node, told apart
/// by its address from a written `{}`.
template <bool First>
class json_node : public json_node_base {
 public:
  static const json_node absent;

  json_node() = default;
  template <class T>
  requires std::is_constructible_v<nlohmann::json, const T&> json_node(const T& v)
  noexcept  // NOLINT
      : json_node_base(v) {}
  json_node(const json_node<!First>& i1, const json_node& i2 = absent,
            const json_node& i3 = absent,  // NOLINT
            const json_node& i4 = absent, const json_node& i5 = absent, const json_node& i6 = absent,
            const json_node& i7 = absent, const json_node& i8 = absent, const json_node& i9 = absent,
            const json_node& i10 = absent, const json_node& i11 = absent, const json_node& i12 = absent,
            const json_node& i13 = absent, const json_node& i14 = absent, const json_node& i15 = absent,
            const json_node& i16 = absent) noexcept {
    add(i1);
    for (const json_node* i :
         {&i2, &i3, &i4, &i5, &i6, &i7, &i8, &i9, &i10, &i11, &i12, &i13, &i14, &i15, &i16}) {
      if (i == &absent) break;
      add(*i);
    }
  }
};
template <bool First>
inline const json_node<First> json_node<First>::absent{};
}  // namespace detail

/// The JSON body of a request: a document (`.json = doc`, viewed: it must live until the call returns)
/// or a braced literal written in the call, as aiohttp's `json={"k": 1}`:
/// `co_await session.post(url, {.json = {{"name", "aio"}, {"tags", {"c++", "async"}}, {"n", 3}}})`.
/// A braced list whose items are all [string, value] pairs is an object, any other an array (the rule
/// of nlohmann::json's braced lists); a literal holds at most 16 items per level. Empty by default.
class json_ref {
 public:
  using first_item = detail::json_node<true>;
  using item = detail::json_node<false>;

  json_ref() = default;
  /// A document (a template, so that a braced list never chooses nlohmann::json's own list constructor).
  template <class J>
  requires std::is_same_v<J, nlohmann::json> json_ref(const J& j)
  noexcept : m_json(&j) {}  // NOLINT
  /// The braced form, built into a document at once (its items are temporaries of the call).
  json_ref(const first_item& i1, const item& i2 = item::absent, const item& i3 = item::absent,
           const item& i4 = item::absent, const item& i5 = item::absent, const item& i6 = item::absent,
           const item& i7 = item::absent, const item& i8 = item::absent, const item& i9 = item::absent,
           const item& i10 = item::absent, const item& i11 = item::absent, const item& i12 = item::absent,
           const item& i13 = item::absent, const item& i14 = item::absent, const item& i15 = item::absent,
           const item& i16 = item::absent)  // NOLINT(google-explicit-constructor)
      : m_owned(item(i1, i2, i3, i4, i5, i6, i7, i8, i9, i10, i11, i12, i13, i14, i15, i16).build()) {}
  [[nodiscard]] const nlohmann::json* get() const noexcept { return m_owned ? &*m_owned : m_json; }
  explicit operator bool() const noexcept { return get() != nullptr; }

 private:
  const nlohmann::json* m_json = nullptr;
  optional_arg<nlohmann::json> m_owned{};  // the braced form's document (safe in g++ 12's byte copies)
};

}  // namespace aio::http
