#include "symbolize.hpp"

#include <cxxabi.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

namespace aio::detail {

namespace {

// The function symbols of one ELF file, sorted by address (relative to the load bias).
struct symbol_table {
  struct entry {
    std::uintptr_t start;
    std::uintptr_t size;
    std::uint32_t name;  // offset in `names`
  };
  std::vector<entry> entries;
  std::string names;

  [[nodiscard]] const char* find(std::uintptr_t offset) const noexcept {
    auto it = std::upper_bound(entries.begin(), entries.end(), offset,
                               [](std::uintptr_t v, const entry& e) { return v < e.start; });
    if (it == entries.begin()) return nullptr;
    --it;
    if (it->size != 0 && offset >= it->start + it->size) return nullptr;
    return names.c_str() + it->name;
  }
};

// Maps the file and reads its symbols; an empty table when it is not a readable 64-bit ELF file.
std::unique_ptr<symbol_table> load_table(const std::string& path) {
  auto table = std::make_unique<symbol_table>();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return table;
  struct stat st {};
  void* map = MAP_FAILED;
  if (::fstat(fd, &st) == 0 && st.st_size > static_cast<off_t>(sizeof(Elf64_Ehdr))) {
    map = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  }
  ::close(fd);
  if (map == MAP_FAILED) return table;
  const auto size = static_cast<std::size_t>(st.st_size);
  const auto* base = static_cast<const unsigned char*>(map);
  const auto* eh = reinterpret_cast<const Elf64_Ehdr*>(base);
  const bool elf64 = std::memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 && eh->e_ident[EI_CLASS] == ELFCLASS64;
  if (elf64 && eh->e_shoff != 0 && eh->e_shoff + eh->e_shnum * sizeof(Elf64_Shdr) <= size) {
    const auto* sh = reinterpret_cast<const Elf64_Shdr*>(base + eh->e_shoff);
    // .symtab has every function (local ones too, which coroutine bodies are); .dynsym when stripped.
    const Elf64_Shdr* symtab = nullptr;
    for (unsigned kind : {unsigned{SHT_SYMTAB}, unsigned{SHT_DYNSYM}}) {
      for (unsigned i = 0; i < eh->e_shnum && symtab == nullptr; ++i) {
        if (sh[i].sh_type == kind) symtab = &sh[i];
      }
      if (symtab != nullptr) break;
    }
    if (symtab != nullptr && symtab->sh_link < eh->e_shnum) {
      const Elf64_Shdr& strtab = sh[symtab->sh_link];
      if (symtab->sh_offset + symtab->sh_size <= size && strtab.sh_offset + strtab.sh_size <= size) {
        table->names.assign(reinterpret_cast<const char*>(base + strtab.sh_offset), strtab.sh_size);
        const auto* syms = reinterpret_cast<const Elf64_Sym*>(base + symtab->sh_offset);
        const std::size_t n = symtab->sh_size / sizeof(Elf64_Sym);
        for (std::size_t i = 0; i < n; ++i) {
          const Elf64_Sym& s = syms[i];
          const unsigned type = ELF64_ST_TYPE(s.st_info);
          if ((type != STT_FUNC && type != STT_GNU_IFUNC) || s.st_value == 0 || s.st_shndx == SHN_UNDEF ||
              s.st_name >= strtab.sh_size) {
            continue;
          }
          table->entries.push_back({s.st_value, s.st_size, s.st_name});
        }
        std::sort(table->entries.begin(), table->entries.end(),
                  [](const auto& a, const auto& b) { return a.start < b.start; });
      }
    }
  }
  ::munmap(map, size);
  return table;
}

struct object_hit {
  std::uintptr_t address = 0;
  std::uintptr_t bias = 0;
  std::string path;
  bool found = false;
};

int find_object(dl_phdr_info* info, std::size_t /*size*/, void* data) {
  auto* hit = static_cast<object_hit*>(data);
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD) continue;
    const std::uintptr_t lo = info->dlpi_addr + ph.p_vaddr;
    if (hit->address >= lo && hit->address < lo + ph.p_memsz) {
      hit->bias = info->dlpi_addr;
      hit->path =
          info->dlpi_name != nullptr && info->dlpi_name[0] != '\0' ? info->dlpi_name : "/proc/self/exe";
      hit->found = true;
      return 1;
    }
  }
  return 0;
}

std::mutex g_tables_mutex;
std::map<std::string, std::unique_ptr<symbol_table>>& tables() {
  static auto* t = new std::map<std::string, std::unique_ptr<symbol_table>>();  // never destroyed
  return *t;
}

// g++ names a coroutine's resume function after its frame type, `<outer>.Frame.actor`, and the frame
// type after the coroutine: `...E<len>_Z<coroutine>.Frame.actor`, where <len> counts `_Z<coroutine>.Frame`.
// Returns the coroutine's own mangled name, or an empty view.
std::string_view gcc_coroutine_name(std::string_view s) {
  const std::size_t frame = s.find(".Frame.");
  if (frame == std::string_view::npos) return {};
  const std::size_t end = frame + std::string_view(".Frame").size();
  for (std::size_t i = s.rfind("_Z", frame); i != std::string_view::npos && i > 0; i = s.rfind("_Z", i - 1)) {
    std::size_t j = i;
    while (j > 0 && std::isdigit(static_cast<unsigned char>(s[j - 1])) != 0) --j;
    if (j == i) continue;
    std::size_t len = 0;
    for (std::size_t k = j; k < i; ++k) len = len * 10 + static_cast<std::size_t>(s[k] - '0');
    if (len == end - i) return s.substr(i, frame - i);
  }
  return {};
}

}  // namespace

std::string demangle_symbol(const std::string& mangled) {
  std::string_view name = gcc_coroutine_name(mangled);
  if (name.empty()) {
    // Clone and outlined-part suffixes (`.resume`, `.destroy`, `.cold`, `.constprop.0`, `.isra.0`).
    name = mangled;
    if (name.substr(0, 2) == "_Z") name = name.substr(0, name.find('.'));
  }
  std::string plain(name);
  int status = 0;
  char* out = abi::__cxa_demangle(plain.c_str(), nullptr, nullptr, &status);
  if (out == nullptr) return plain;
  std::string result(out);
  std::free(out);  // NOLINT(cppcoreguidelines-no-malloc): __cxa_demangle's buffer
  // ABI tags (`fetch[abi:cxx11](int)`, clang's spelling for a function returning std::string) say
  // nothing a reader of a task list needs, and make the same function read differently per compiler.
  for (std::size_t at = result.find("[abi:"); at != std::string::npos; at = result.find("[abi:", at)) {
    const std::size_t end = result.find(']', at);
    if (end == std::string::npos) break;
    result.erase(at, end + 1 - at);
  }
  return result;
}

std::string symbolize(const void* address) {
  if (address == nullptr) return "?";
  object_hit hit;
  hit.address = reinterpret_cast<std::uintptr_t>(address);
  dl_iterate_phdr(&find_object, &hit);
  if (!hit.found) return "?";
  std::string mangled;
  {
    std::lock_guard<std::mutex> lock(g_tables_mutex);
    auto& table = tables()[hit.path];
    if (!table) table = load_table(hit.path);
    const char* name = table->find(hit.address - hit.bias);
    if (name == nullptr) return "?";
    mangled = name;
  }
  return demangle_symbol(mangled);
}

}  // namespace aio::detail
