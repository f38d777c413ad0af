// Await graphs: walks what every task already links (its coroutine chain, its waiter list) and names
// each coroutine by its resume function. See include/aio/debug/call_graph.hpp and
// docs/design/debugging.md.

#include "aio/debug/call_graph.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <iostream>
#include <ostream>
#include <sstream>

#include "aio/combinators/detail/gather_operation.hpp"
#include "aio/combinators/detail/task_group_operation.hpp"
#include "aio/combinators/detail/wait_operation.hpp"
#include "aio/combinators/shield.hpp"
#include "aio/detail/join_operation.hpp"
#include "aio/detail/task_header.hpp"
#include "aio/sync/detail/waiter.hpp"
#include "symbolize.hpp"
#include "task_snapshot.hpp"

namespace aio {

namespace {

using detail::task_header;

// The promise of every aio coroutine sits right after the frame's two function pointers (checked by
// promise<T>::get_return_object); the first of them is the resume function.
constexpr std::ptrdiff_t k_promise_offset = 2 * sizeof(void*);
constexpr std::size_t k_max_depth = 4096;  // a corrupt chain must not loop forever

task_header* header_of(std::coroutine_handle<> h) noexcept {
  return reinterpret_cast<task_header*>(static_cast<char*>(h.address()) + k_promise_offset);
}

const void* resume_function(std::coroutine_handle<> h) noexcept {
  return *static_cast<void* const*>(h.address());
}

// The resume functions of the coroutines from `h` up to the task's root frame, innermost first.
std::vector<const void*> stack_addresses(task_header* t, std::coroutine_handle<> h) {
  std::vector<const void*> out;
  const std::coroutine_handle<> root = t->frame();
  for (std::size_t depth = 0; depth < k_max_depth; ++depth) {
    h = detail::recheck_target(t, h);
    if (!h) break;
    out.push_back(resume_function(h));
    if (h == root) break;
    h = header_of(h)->m_resume;  // an inline coroutine's m_resume is the coroutine awaiting it
  }
  return out;
}

std::vector<call_stack_entry> stack_from(task_header* t, std::coroutine_handle<> h) {
  std::vector<call_stack_entry> out;
  for (const void* address : stack_addresses(t, h)) {
    call_stack_entry e;
    e.address = address;
    e.function = detail::symbolize(address);
    out.push_back(std::move(e));
  }
  return out;
}

// Where a task will go on: its innermost coroutine (the root before the first step).
std::coroutine_handle<> resume_point(task_header* t) noexcept {
  if (t->has(task_header::flag_done) || t->has(task_header::flag_future)) return nullptr;
  return t->m_resume;
}

call_graph graph_of(task_header* t, std::coroutine_handle<> start, std::vector<task_header*>& path);

// Calls `fn(waiter, via)` for each task waiting for `t` directly.
template <class F>
void for_each_waiter(task_header* t, F fn) {
  if (detail::group_waiter* grp = t->m_waiters.group()) {
    if (task_header* w = detail::gather_core::awaiting_task(grp)) {
      fn(w, "gather");
    } else if (task_header* wt = detail::wait_core::awaiting_task(grp)) {
      fn(wt, "wait");
    }
  }
  for (detail::wait_node* n = t->m_waiters.front(); n != nullptr; n = detail::task_wait_list::next(n)) {
    if (task_header* w = detail::join_operation::awaiting_task(n)) {
      fn(w, "await");
    } else if (task_header* s = detail::shield_core::awaiting_task(n)) {
      fn(s, "shield");
    } else if (task_header* ga = detail::gather_core::awaiting_task(n)) {
      fn(ga, "gather");
    } else if (task_header* wt = detail::wait_core::awaiting_task(n)) {
      fn(wt, "wait");
    } else if (task_header* tg = detail::task_group_child::awaiting_task(n)) {
      fn(tg, "task_group");
    }
  }
}

void add_waiter(call_graph& g, task_header* waiter, const char* via, std::vector<task_header*>& path) {
  if (waiter == nullptr) return;
  call_graph child = graph_of(waiter, resume_point(waiter), path);
  child.via = via;
  g.awaited_by.push_back(std::move(child));
}

call_graph graph_of(task_header* t, std::coroutine_handle<> start, std::vector<task_header*>& path) {
  call_graph g;
  g.task = task_handle(t);
  g.name = t->name();
  if (start) g.call_stack = stack_from(t, start);
  if (std::find(path.begin(), path.end(), t) != path.end()) return g;  // a cycle of awaits
  path.push_back(t);
  for_each_waiter(t, [&](task_header* w, const char* via) { add_waiter(g, w, via, path); });
  path.pop_back();
  return g;
}

call_graph capture_from(task_header* t, std::coroutine_handle<> start) {
  std::vector<task_header*> path;
  return graph_of(t, start, path);
}

// `star` indents the task's line, `indent` the lines under it (asyncio nests a waiter 3 columns right of
// its child's body, and the waiter's body 3 more).
void format_into(std::ostream& out, const call_graph& g, int limit, const std::string& star,
                 const std::string& indent) {
  char id[32];
  std::snprintf(id, sizeof id, "%p", static_cast<const void*>(g.task.header()));
  const bool is_future = g.task.header()->has(task_header::flag_future);
  out << star << "* " << (is_future ? "Future(" : "Task(name='" + g.name + "', ") << "id=" << id << ")";
  if (!g.via.empty() && g.via != "await") out << " via " << g.via;
  out << '\n';
  std::size_t first = 0;
  std::size_t last = g.call_stack.size();
  if (limit != k_no_limit) {
    const std::size_t keep = static_cast<std::size_t>(limit < 0 ? -static_cast<long>(limit) : limit);
    if (limit >= 0) {
      last = std::min(last, keep);  // the innermost entries, closest to where the task waits
    } else if (keep < last) {
      first = last - keep;  // the outermost
    }
  }
  if (first < last) {
    out << indent << "+ Call stack:\n";
    for (std::size_t i = first; i < last; ++i) {
      const call_stack_entry& e = g.call_stack[i];
      out << indent << "|   ";
      if (!e.file.empty()) out << "File '" << e.file << "', line " << e.line << ", ";
      out << "in async " << e.function << '\n';
    }
  }
  if (!g.awaited_by.empty()) {
    out << indent << "+ Awaited by:\n";
    for (const call_graph& w : g.awaited_by) format_into(out, w, limit, indent + "   ", indent + "      ");
  }
}

}  // namespace

call_graph capture_call_graph(const task_handle& t) {
  task_header* h = t.header();
  if (h == nullptr) return {};
  return capture_from(h, resume_point(h));
}

std::string format_call_graph(const call_graph& g, int limit) {
  if (!g) return {};
  std::ostringstream out;
  format_into(out, g, limit, "", "");
  return out.str();
}

std::string format_call_graph(const task_handle& t, int limit) {
  return format_call_graph(capture_call_graph(t), limit);
}

void print_call_graph(const task_handle& t) { print_call_graph(t, std::cout); }

void print_call_graph(const task_handle& t, std::ostream& out, int limit) {
  out << format_call_graph(t, limit) << std::flush;
}

detail::task_snapshot detail::snapshot_task(task_header* t) {
  task_snapshot out;
  out.task = t;
  out.name = t->name();
  if (std::coroutine_handle<> start = resume_point(t)) out.stack = stack_addresses(t, start);
  for_each_waiter(t, [&out](task_header* w, const char* via) { out.awaited_by.push_back({w, via}); });
  return out;
}

bool detail::current_call_graph_awaiter::await_suspend(std::coroutine_handle<> h) {
  if (task_header* t = current_task_header()) m_graph = capture_from(t, h);
  return false;  // never suspends
}

}  // namespace aio
