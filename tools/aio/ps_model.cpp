// Parsing the agent's reply and printing it as a table (`aio ps`) or a tree (`aio pstree`).

#include "ps_model.hpp"

#include <algorithm>
#include <cstddef>
#include <map>
#include <ostream>
#include <set>

#include "../../src/debug/ps_protocol.hpp"

namespace aio_cli {

namespace ps = aio::detail::ps;

bool parse_reply(std::string_view text, process_info& out, std::string& error) {
  bool header = false;
  bool complete = false;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::vector<std::string> f = ps::split_fields(text.substr(start, end - start));
    start = end + 1;
    const std::string& kind = f[0];
    if (!header) {
      if (kind == "refused" || kind == "error") {
        error = f.size() > 1 ? f[1] : kind;
        return false;
      }
      if (kind != "aio-ps" || f.size() < 2) {
        error = "not an aio-ps reply";
        return false;
      }
      if (f[1] != ps::k_version) {
        error = "the process speaks version " + f[1] + " of the aio-ps format; this aio reads " +
                std::string(ps::k_version);
        return false;
      }
      header = true;
    } else if (kind == "loop" && f.size() >= 3) {
      loop_info& l = out.loops.emplace_back();
      l.tid = f[1];
      if (f[2] != "-") l.running = f[2];
    } else if (kind == "error" && f.size() >= 2 && !out.loops.empty()) {
      out.loops.back().error = f[1];
    } else if (kind == "task" && f.size() >= 3 && !out.loops.empty()) {
      out.loops.back().tasks.push_back({f[1], f[2], {}, {}});
    } else if (kind == "frame" && f.size() >= 2 && !out.loops.empty() && !out.loops.back().tasks.empty()) {
      out.loops.back().tasks.back().frames.push_back(f[1]);
    } else if (kind == "waiter" && f.size() >= 3 && !out.loops.empty() && !out.loops.back().tasks.empty()) {
      out.loops.back().tasks.back().waiters.emplace_back(f[1], f[2]);
    } else if (kind == "end") {
      complete = true;
      break;
    }
    // Anything else: a later version's addition, skipped.
  }
  if (!complete) {
    error = header ? "the reply was cut short" : "empty reply";
    return false;
  }
  return true;
}

namespace {

std::string join_stack(const std::vector<std::string>& frames) {
  std::string s;
  for (const std::string& f : frames) {
    if (!s.empty()) s += " <- ";
    s += f;
  }
  return s;
}

const task_info* find_task(const loop_info& l, const std::string& id) {
  for (const task_info& t : l.tasks) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

}  // namespace

void print_table(const process_info& p, std::ostream& out) {
  using row = std::vector<std::string>;
  std::vector<row> rows{{"tid", "task id", "task name", "coroutine stack", "awaiter chain", "awaiter name",
                         "awaiter id", "via"}};
  std::vector<std::string> notes;
  for (const loop_info& l : p.loops) {
    if (!l.error.empty()) notes.push_back("thread " + l.tid + ": " + l.error);
    for (const task_info& t : l.tasks) {
      const std::string stack = join_stack(t.frames);
      if (t.waiters.empty()) rows.push_back({l.tid, t.id, t.name, stack, "", "", "", ""});
      for (const auto& [id, via] : t.waiters) {
        const task_info* w = find_task(l, id);
        rows.push_back({l.tid, t.id, t.name, stack, w != nullptr ? join_stack(w->frames) : "",
                        w != nullptr ? w->name : "?", id, via});
      }
    }
    if (const task_info* r = find_task(l, l.running)) {
      notes.push_back("thread " + l.tid + " was running task '" + r->name + "' (" + r->id + ")");
    }
  }
  std::vector<std::size_t> width(rows[0].size(), 0);
  for (const row& r : rows) {
    for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  auto print_row = [&](const row& r) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  };
  print_row(rows[0]);
  std::size_t total = 0;
  for (const std::size_t w : width) total += w + 2;
  out << std::string(total - 2, '-') << '\n';
  for (std::size_t i = 1; i < rows.size(); ++i) print_row(rows[i]);
  for (const std::string& n : notes) out << n << '\n';
}

namespace {

struct tree_printer {
  const loop_info& loop;
  std::ostream& out;
  std::map<std::string, std::vector<std::pair<const task_info*, std::string>>>
      awaited;  // waiter -> (task, via)
  std::set<std::string> shown;
  std::vector<std::string> path;

  void line(const std::string& prefix, bool last, const std::string& text) const {
    out << prefix << (last ? "└── " : "├── ") << text << '\n';
  }

  // A task, its coroutines outermost first, then the tasks it awaits under its innermost coroutine.
  void task(const task_info& t, const std::string& via, std::string prefix, bool last) {
    std::string label = "(T) " + t.name;
    if (!via.empty() && via != "await") label += " via " + via;
    if (t.id == loop.running) label += " (running)";
    if (std::find(path.begin(), path.end(), t.id) != path.end()) {
      line(prefix, last, label + " (a cycle of awaits: " + t.id + " again)");
      return;
    }
    line(prefix, last, label);
    shown.insert(t.id);
    path.push_back(t.id);
    prefix += last ? "    " : "│   ";
    const auto it = awaited.find(t.id);
    const std::size_t children = it == awaited.end() ? 0 : it->second.size();
    for (std::size_t i = t.frames.size(); i-- > 0;) {  // each coroutine is the only child of its caller
      line(prefix, true, t.frames[i]);
      prefix += "    ";
    }
    for (std::size_t i = 0; i < children; ++i) {
      const auto& [child, child_via] = it->second[i];
      task(*child, child_via, prefix, i + 1 == children);
    }
    path.pop_back();
  }
};

}  // namespace

void print_tree(const process_info& p, std::ostream& out) {
  for (const loop_info& l : p.loops) {
    if (p.loops.size() > 1) out << "Thread " << l.tid << ":\n";
    if (!l.error.empty()) {
      out << "  " << l.error << '\n';
      continue;
    }
    if (l.tasks.empty()) {
      out << "(no tasks)\n";
      continue;
    }
    tree_printer tp{l, out, {}, {}, {}};
    for (const task_info& t : l.tasks) {
      for (const auto& [id, via] : t.waiters) tp.awaited[id].emplace_back(&t, via);
    }
    // The roots: tasks nobody awaits. Then any task not reached from them (only awaits in a cycle).
    for (const task_info& t : l.tasks) {
      if (t.waiters.empty()) tp.task(t, "", "", true);
    }
    for (const task_info& t : l.tasks) {
      if (tp.shown.count(t.id) == 0) tp.task(t, "", "", true);
    }
  }
}

}  // namespace aio_cli
