// `aio trace-svg`: a small JSON reader (the whole grammar, no extensions) and the drawing.

#include "trace_svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace aio_cli {

namespace {

// ---- JSON ---------------------------------------------------------------------------------------

struct json {
  enum class type : std::uint8_t { null, boolean, number, string, array, object };
  type kind = type::null;
  bool flag = false;
  double number = 0;
  std::string text;
  std::vector<json> items;        // array; an object's member values
  std::vector<std::string> keys;  // an object's member names, in order

  [[nodiscard]] const json* find(std::string_view key) const {
    for (std::size_t i = 0; i < keys.size(); ++i)
      if (keys[i] == key) return &items[i];
    return nullptr;
  }
  [[nodiscard]] std::string string_at(std::string_view key) const {
    const json* v = find(key);
    return v != nullptr && v->kind == type::string ? v->text : std::string();
  }
  [[nodiscard]] double number_at(std::string_view key, double fallback = 0) const {
    const json* v = find(key);
    return v != nullptr && v->kind == type::number ? v->number : fallback;
  }
};

class json_reader {
 public:
  explicit json_reader(std::string_view text) : m_text(text) {}

  json document() {
    json v = value(0);
    skip_space();
    if (m_at != m_text.size()) error("text after the JSON value");
    return v;
  }

 private:
  [[noreturn]] void error(const std::string& what) const {
    throw std::runtime_error(what + " at byte " + std::to_string(m_at));
  }
  void skip_space() {
    while (m_at < m_text.size() &&
           (m_text[m_at] == ' ' || m_text[m_at] == '\n' || m_text[m_at] == '\r' || m_text[m_at] == '\t'))
      ++m_at;
  }
  char peek() {
    skip_space();
    if (m_at >= m_text.size()) error("unexpected end of the JSON text");
    return m_text[m_at];
  }
  void expect(char c) {
    if (peek() != c) error(std::string("expected '") + c + "'");
    ++m_at;
  }
  bool literal(std::string_view word) {
    if (m_text.substr(m_at, word.size()) != word) return false;
    m_at += word.size();
    return true;
  }

  json value(int depth) {
    if (depth > 200) error("nesting too deep");
    json v;
    const char c = peek();
    if (c == '{') {
      v.kind = json::type::object;
      ++m_at;
      if (peek() == '}') {
        ++m_at;
        return v;
      }
      for (;;) {
        if (peek() != '"') error("expected a member name");
        std::string key = string();
        expect(':');
        v.keys.push_back(std::move(key));
        v.items.push_back(value(depth + 1));
        const char next = peek();
        ++m_at;
        if (next == '}') return v;
        if (next != ',') error("expected ',' or '}'");
      }
    }
    if (c == '[') {
      v.kind = json::type::array;
      ++m_at;
      if (peek() == ']') {
        ++m_at;
        return v;
      }
      for (;;) {
        v.items.push_back(value(depth + 1));
        const char next = peek();
        ++m_at;
        if (next == ']') return v;
        if (next != ',') error("expected ',' or ']'");
      }
    }
    if (c == '"') {
      v.kind = json::type::string;
      v.text = string();
      return v;
    }
    if (literal("true")) {
      v.kind = json::type::boolean;
      v.flag = true;
      return v;
    }
    if (literal("false")) {
      v.kind = json::type::boolean;
      return v;
    }
    if (literal("null")) return v;
    v.kind = json::type::number;
    v.number = number();
    return v;
  }

  double number() {
    const std::size_t start = m_at;
    if (m_at < m_text.size() && m_text[m_at] == '-') ++m_at;
    auto digits = [&] {
      const std::size_t from = m_at;
      while (m_at < m_text.size() && m_text[m_at] >= '0' && m_text[m_at] <= '9') ++m_at;
      return m_at > from;
    };
    if (!digits()) error("expected a value");
    if (m_at < m_text.size() && m_text[m_at] == '.') {
      ++m_at;
      if (!digits()) error("expected digits after '.'");
    }
    if (m_at < m_text.size() && (m_text[m_at] == 'e' || m_text[m_at] == 'E')) {
      ++m_at;
      if (m_at < m_text.size() && (m_text[m_at] == '+' || m_text[m_at] == '-')) ++m_at;
      if (!digits()) error("expected an exponent");
    }
    return std::strtod(std::string(m_text.substr(start, m_at - start)).c_str(), nullptr);
  }

  unsigned hex4() {
    if (m_at + 4 > m_text.size()) error("short \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = m_text[m_at++];
      v <<= 4U;
      if (h >= '0' && h <= '9') {
        v |= static_cast<unsigned>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        v |= static_cast<unsigned>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        v |= static_cast<unsigned>(h - 'A' + 10);
      } else {
        error("bad \\u escape");
      }
    }
    return v;
  }

  static void put_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xc0 | (cp >> 6U));
      out += static_cast<char>(0x80 | (cp & 0x3fU));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xe0 | (cp >> 12U));
      out += static_cast<char>(0x80 | ((cp >> 6U) & 0x3fU));
      out += static_cast<char>(0x80 | (cp & 0x3fU));
    } else {
      out += static_cast<char>(0xf0 | (cp >> 18U));
      out += static_cast<char>(0x80 | ((cp >> 12U) & 0x3fU));
      out += static_cast<char>(0x80 | ((cp >> 6U) & 0x3fU));
      out += static_cast<char>(0x80 | (cp & 0x3fU));
    }
  }

  std::string string() {
    ++m_at;  // the opening quote
    std::string out;
    for (;;) {
      if (m_at >= m_text.size()) error("unterminated string");
      const char c = m_text[m_at++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) error("control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (m_at >= m_text.size()) error("unterminated string");
      const char e = m_text[m_at++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xd800 && cp <= 0xdbff && m_text.substr(m_at, 2) == "\\u") {
            m_at += 2;
            const unsigned low = hex4();
            cp =
                (low >= 0xdc00 && low <= 0xdfff) ? 0x10000 + ((cp - 0xd800) << 10U) + (low - 0xdc00) : 0xfffd;
          } else if (cp >= 0xd800 && cp <= 0xdfff) {
            cp = 0xfffd;
          }
          put_utf8(out, cp);
          break;
        }
        default:
          error("bad escape");
      }
    }
  }

  std::string_view m_text;
  std::size_t m_at = 0;
};

// ---- the picture ----------------------------------------------------------------------------------

enum class segment_kind : std::uint8_t { run, wait, ready, span };

struct segment {
  double begin = 0;  // microseconds
  double end = 0;
  segment_kind kind = segment_kind::run;
  std::string label;
  std::string what;  // a wait's kind (sleep, io, to_thread, ...), written in its bar when it fits
};

struct row {
  std::string name;
  double sort = 0;
  bool has_sort = false;
  std::vector<segment> segments;
  std::vector<std::pair<double, std::string>> marks;  // instants: created, done, failed, cancelled
};

std::string xml_escaped(std::string_view s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 allows no control characters but tab, newline and return.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

// Shortens to `max` characters (UTF-8 aware: cuts between code points).
std::string clipped(const std::string& s, std::size_t max) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xc0U) == 0x80) continue;
    if (++chars > max) return s.substr(0, i) + "…";
  }
  return s;
}

std::string duration_text(double us) {
  char buf[48];
  if (us >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.3g s", us / 1e6);
  } else if (us >= 1e3) {
    std::snprintf(buf, sizeof buf, "%.3g ms", us / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.3g us", us);
  }
  return buf;
}

std::string fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// A tick step of 1, 2 or 5 times a power of ten giving about `want` ticks over `span`.
double tick_step(double span, int want) {
  const double raw = span / want;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= raw) return m * p;
  return 10 * p;
}

}  // namespace

bool trace_to_svg(std::string_view text, std::ostream& out, std::string& error) {
  json doc;
  try {
    doc = json_reader(text).document();
  } catch (const std::exception& e) {
    error = std::string("not JSON: ") + e.what();
    return false;
  }
  const json* events = doc.kind == json::type::array ? &doc : doc.find("traceEvents");
  if (events == nullptr || events->kind != json::type::array) {
    error = "no \"traceEvents\" array: not a Chrome trace";
    return false;
  }

  std::map<double, row> rows;                                        // by tid
  std::map<std::string, std::pair<double, const json*>> open_spans;  // async "b" by cat/id, waiting for "e"
  double t0 = std::numeric_limits<double>::infinity();
  double t1 = -std::numeric_limits<double>::infinity();
  auto see = [&](double t) {
    t0 = std::min(t0, t);
    t1 = std::max(t1, t);
  };
  for (const json& e : events->items) {
    if (e.kind != json::type::object) continue;
    const std::string ph = e.string_at("ph");
    const std::string name = e.string_at("name");
    const double tid = e.number_at("tid");
    const double ts = e.number_at("ts");
    if (ph == "M") {
      const json* args = e.find("args");
      if (args == nullptr) continue;
      if (name == "thread_name") rows[tid].name = args->string_at("name");
      if (name == "thread_sort_index") {
        rows[tid].sort = args->number_at("sort_index");
        rows[tid].has_sort = true;
      }
      continue;
    }
    if (ph == "X") {
      const double dur = e.number_at("dur");
      segment s{ts, ts + dur, segment_kind::run, name, {}};
      if (e.string_at("cat") == "wait" || name == "wait" || name == "sleep") {
        // Named by what the task waited on (sleep, io, to_thread, join, ...), in which coroutine.
        s.kind = segment_kind::wait;
        s.what = name;
        if (const json* args = e.find("args")) {
          const std::string in = args->string_at("in");
          if (!in.empty()) s.label.append(" in ").append(in);
        }
      } else if (name == "ready") {
        s.kind = segment_kind::ready;
      } else if (name != "run" && name != "callback") {
        s.kind = segment_kind::span;
      }
      see(s.begin);
      see(s.end);
      rows[tid].segments.push_back(std::move(s));
    } else if (ph == "i" || ph == "I") {
      see(ts);
      if (e.string_at("s") != "g") rows[tid].marks.emplace_back(ts, name);
    } else if (ph == "b" || ph == "e") {
      const json* id = e.find("id");
      std::string key = e.string_at("cat") + "/" + name + "/";
      if (id != nullptr) key += id->kind == json::type::string ? id->text : fixed(id->number);
      see(ts);
      if (ph == "b") {
        open_spans[key] = {ts, &e};
      } else if (auto it = open_spans.find(key); it != open_spans.end()) {
        const json& b = *it->second.second;
        rows[b.number_at("tid")].segments.push_back(
            {it->second.first, ts, segment_kind::span, b.string_at("cat") + ": " + name, {}});
        open_spans.erase(it);
      }
    }
  }
  // Rows: every task (tid > 0), and the loop's row when something happened on it.
  std::vector<const row*> order;
  for (auto& [tid, r] : rows) {
    if (tid == 0 && r.segments.empty()) continue;
    if (r.name.empty()) r.name = tid == 0 ? "event loop" : "thread " + fixed(tid);
    if (!r.has_sort) r.sort = tid;
    order.push_back(&r);
  }
  std::stable_sort(order.begin(), order.end(), [](const row* a, const row* b) { return a->sort < b->sort; });
  if (!(t1 >= t0)) t0 = t1 = 0;
  const double span = std::max(t1 - t0, 1.0);

  constexpr double label_w = 220;
  constexpr double plot_w = 900;
  constexpr double row_h = 24;
  constexpr double bar_h = 14;
  constexpr double top = 40;
  const double height = top + row_h * static_cast<double>(order.size()) + 50;
  const double width = label_w + plot_w + 20;
  auto x_of = [&](double t) { return label_w + (t - t0) / span * plot_w; };

  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << fixed(width) << "\" height=\""
      << fixed(height) << "\" viewBox=\"0 0 " << fixed(width) << ' ' << fixed(height)
      << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
      << "<rect x=\"0\" y=\"0\" width=\"" << fixed(width) << "\" height=\"" << fixed(height)
      << "\" fill=\"white\"/>\n";
  // The time axis: ticks, labels and grid lines.
  const double step = tick_step(span, 8);
  const double axis_y = top - 8;
  out << "<g class=\"axis\">\n<line x1=\"" << fixed(label_w) << "\" y1=\"" << fixed(axis_y) << "\" x2=\""
      << fixed(label_w + plot_w) << "\" y2=\"" << fixed(axis_y) << "\" stroke=\"black\"/>\n";
  // Counted in whole steps: a floating-point counter would drift by a tick over long axes.
  for (int i = 0; i * step <= span * 1.0001; ++i) {
    const double t = i * step;
    const double x = x_of(t0 + t);
    out << "<line x1=\"" << fixed(x) << "\" y1=\"" << fixed(axis_y - 4) << "\" x2=\"" << fixed(x)
        << "\" y2=\"" << fixed(height - 40) << "\" stroke=\"#dddddd\"/>\n"
        << "<text x=\"" << fixed(x) << "\" y=\"" << fixed(axis_y - 8) << "\" text-anchor=\"middle\">"
        << xml_escaped(duration_text(t)) << "</text>\n";
  }
  out << "</g>\n";
  // One row per task.
  double y = top;
  for (const row* r : order) {
    out << "<g class=\"row\" data-name=\"" << xml_escaped(r->name) << "\">\n"
        << "<text x=\"4\" y=\"" << fixed(y + row_h / 2 + 4) << "\">" << xml_escaped(clipped(r->name, 30))
        << "<title>" << xml_escaped(r->name) << "</title></text>\n";
    for (const segment& s : r->segments) {
      const double x = x_of(s.begin);
      const double w = std::max(x_of(s.end) - x, s.kind == segment_kind::run ? 1.0 : 0.0);
      const std::string title = xml_escaped((s.label.empty() ? std::string("run") : s.label) + ", " +
                                            duration_text(s.end - s.begin));
      switch (s.kind) {
        case segment_kind::run:
          out << "<rect class=\"run\" x=\"" << fixed(x) << "\" y=\"" << fixed(y + (row_h - bar_h) / 2)
              << "\" width=\"" << fixed(w) << "\" height=\"" << fixed(bar_h) << "\" fill=\"#3b7dd8\"><title>"
              << title << "</title></rect>\n";
          break;
        case segment_kind::wait:
          out << "<rect class=\"wait\" x=\"" << fixed(x) << "\" y=\"" << fixed(y + (row_h - bar_h) / 2)
              << "\" width=\"" << fixed(w) << "\" height=\"" << fixed(bar_h)
              << "\" fill=\"none\" stroke=\"#3b7dd8\"><title>" << title << "</title></rect>\n";
          // The kind of wait in the bar, as the tutorials' drawings say "sleep" or "network".
          if (w > 7.0 * static_cast<double>(s.what.size()) + 8) {
            out << "<text class=\"what\" x=\"" << fixed(x + w / 2) << "\" y=\"" << fixed(y + row_h / 2 + 4)
                << "\" text-anchor=\"middle\" font-size=\"10\" fill=\"#3b7dd8\">" << xml_escaped(s.what)
                << "</text>\n";
          }
          break;
        case segment_kind::ready:
          out << "<rect class=\"ready\" x=\"" << fixed(x) << "\" y=\"" << fixed(y + (row_h - bar_h) / 2)
              << "\" width=\"" << fixed(w) << "\" height=\"" << fixed(bar_h)
              << "\" fill=\"#dddddd\"><title>ready (queued), " << xml_escaped(duration_text(s.end - s.begin))
              << "</title></rect>\n";
          break;
        case segment_kind::span:
          out << "<rect class=\"span\" x=\"" << fixed(x) << "\" y=\"" << fixed(y + row_h - 5) << "\" width=\""
              << fixed(std::max(w, 1.0)) << "\" height=\"3\" fill=\"#e8833a\"><title>" << title
              << "</title></rect>\n";
          break;
      }
    }
    for (const auto& [t, what] : r->marks) {
      if (what == "created") continue;
      const double x = x_of(t);
      const char* colour = what == "failed" ? "#c62828" : what == "cancelled" ? "#f9a825" : "#2e7d32";
      out << "<circle class=\"mark\" cx=\"" << fixed(x) << "\" cy=\"" << fixed(y + row_h / 2)
          << "\" r=\"3\" fill=\"" << colour << "\"><title>" << xml_escaped(what) << "</title></circle>\n";
    }
    out << "</g>\n";
    y += row_h;
  }
  // The legend.
  const double ly = height - 18;
  out << "<g class=\"legend\">\n"
      << "<rect x=\"" << fixed(label_w) << "\" y=\"" << fixed(ly - 10)
      << "\" width=\"20\" height=\"10\" fill=\"#3b7dd8\"/>"
      << "<text x=\"" << fixed(label_w + 26) << "\" y=\"" << fixed(ly) << "\">running</text>\n"
      << "<rect x=\"" << fixed(label_w + 100) << "\" y=\"" << fixed(ly - 10)
      << "\" width=\"20\" height=\"10\" fill=\"none\" stroke=\"#3b7dd8\"/>"
      << "<text x=\"" << fixed(label_w + 126) << "\" y=\"" << fixed(ly) << "\">waiting</text>\n"
      << "<rect x=\"" << fixed(label_w + 200) << "\" y=\"" << fixed(ly - 10)
      << "\" width=\"20\" height=\"10\" fill=\"#dddddd\"/>"
      << "<text x=\"" << fixed(label_w + 226) << "\" y=\"" << fixed(ly) << "\">ready, queued</text>\n"
      << "<text x=\"" << fixed(label_w + 340) << "\" y=\"" << fixed(ly) << "\">" << order.size()
      << " task rows, " << xml_escaped(duration_text(t1 - t0)) << "</text>\n"
      << "</g>\n</svg>\n";
  return true;
}

}  // namespace aio_cli
