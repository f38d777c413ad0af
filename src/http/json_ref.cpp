// The braced JSON literal of json_ref (`{.json = {{"k", 1}}}`), turned into a document.

#include "aio/http/json_ref.hpp"

namespace aio::http::detail {

nlohmann::json json_node_base::build() const {
  if (m_value != nullptr) {
    nlohmann::json out;
    m_convert(m_value, out);
    return out;
  }
  if (!m_composite) return nullptr;
  nlohmann::json items = nlohmann::json::array();
  bool pairs = m_size > 0;
  for (std::size_t i = 0; i < m_size; ++i) {
    nlohmann::json item = m_items[i]->build();
    pairs = pairs && item.is_array() && item.size() == 2 && item[0].is_string();
    items.push_back(std::move(item));
  }
  if (!pairs) return items;
  nlohmann::json object = nlohmann::json::object();
  for (auto& pair : items) object[pair[0].get<std::string>()] = std::move(pair[1]);
  return object;
}

}  // namespace aio::http::detail
