// nlohmann::json parse and serialise of a ~10 KB document (the figure quoted in docs/design/http.md).
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>
#include <string>

namespace {

// A REST-style payload: a page of 58 user records (about 10 KB) with nested objects, arrays, numbers and
// strings.
std::string make_document() {
  nlohmann::json users = nlohmann::json::array();
  for (int i = 0; i < 58; ++i) {
    users.push_back({{"id", i},
                     {"name", "User number " + std::to_string(i)},
                     {"email", "user" + std::to_string(i) + "@example.com"},
                     {"active", i % 3 != 0},
                     {"score", 1234.5 + i * 0.25},
                     {"tags", {"alpha", "beta", "gamma"}},
                     {"address", {{"city", "Springfield"}, {"zip", "12345"}}}});
  }
  nlohmann::json doc = {{"page", 1}, {"per_page", 58}, {"total", 4000}, {"users", users}};
  return doc.dump();
}

const std::string& document() {
  static const std::string doc = make_document();
  return doc;
}

void bm_json_parse(benchmark::State& state) {
  const auto& doc = document();
  for (auto _ : state) {
    auto j = nlohmann::json::parse(doc);
    benchmark::DoNotOptimize(j);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * doc.size()));
  state.SetLabel(std::to_string(doc.size()) + " bytes");
}
BENCHMARK(bm_json_parse);

void bm_json_serialise(benchmark::State& state) {
  auto j = nlohmann::json::parse(document());
  for (auto _ : state) {
    auto s = j.dump();
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * document().size()));
}
BENCHMARK(bm_json_serialise);

void bm_json_parse_and_serialise(benchmark::State& state) {
  const auto& doc = document();
  for (auto _ : state) {
    auto s = nlohmann::json::parse(doc).dump();
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * doc.size()));
}
BENCHMARK(bm_json_parse_and_serialise);

}  // namespace
