#!/usr/bin/env python3
"""Each component's public headers include only what the component may use.

usage: layering_check.py <c++ compiler> <include dir>

For every public header, the compiler lists what it includes (-MM leaves out system headers; -M is used
for third-party ones). A header of component C may include the headers of C, of the components C builds
on, the standard and POSIX headers, and the third-party headers C declares: nlohmann-json for http
only. A failure names the header and the include that crosses a layer. See docs/design/components.md.
"""
import pathlib
import subprocess
import sys

# The include/aio folders (and top-level headers) of each component.
OWNERS = {
    "core": ["combinators", "debug", "detail", "executor", "io", "queue", "runtime", "sync", "task", "time",
             "errors.hpp", "optional_arg.hpp", "core.hpp"],
    "io": ["net", "tls", "process", "fs", "io.hpp"],
    "http": ["http", "http.hpp"],
    "pg": ["pg", "pg.hpp"],
    "sqlite": ["sqlite", "sqlite.hpp"],
    "aio": ["aio.hpp"],
}
BUILDS_ON = {
    "core": [],
    "io": ["core"],
    "http": ["io", "core"],
    "pg": ["core"],
    "sqlite": ["core"],
    "aio": ["core", "io", "http", "pg", "sqlite"],
}
THIRD_PARTY = {"http": ["/usr/include/nlohmann/"], "aio": ["/usr/include/nlohmann/"]}
# Standard C++, libc/POSIX and kernel UAPI headers: allowed everywhere.
SYSTEM = ["/usr/include/c++/", "/usr/include/x86_64-linux-gnu/", "/usr/include/linux/",
          "/usr/include/asm-generic/", "/usr/lib/gcc/", "/usr/lib/llvm"]


def component_of(rel):
    top = rel.split("/")[0]
    for comp, owned in OWNERS.items():
        if top in owned:
            return comp
    return None


def main():
    cxx, include = sys.argv[1], pathlib.Path(sys.argv[2]).resolve()
    failures = []
    headers = sorted(include.glob("aio/**/*.hpp"))
    for h in headers:
        rel = h.relative_to(include / "aio").as_posix()
        comp = component_of(rel)
        if comp is None:
            failures.append(f"aio/{rel}: in no component (add its folder to OWNERS and to CMakeLists.txt)")
            continue
        allowed = {comp, *BUILDS_ON[comp]}
        out = subprocess.run([cxx, "-std=c++20", "-M", "-I", str(include), "-x", "c++", str(h)],
                             capture_output=True, text=True, check=False)
        if out.returncode != 0:
            failures.append(f"aio/{rel}: does not preprocess:\n{out.stderr}")
            continue
        deps = out.stdout.replace("\\\n", " ").split()[2:]  # "<target>: <the header itself> ..."
        for raw in deps:
            # clang names headers through its own folder (/usr/bin/../lib/gcc/...): compare resolved paths.
            p = pathlib.Path(raw).resolve()
            d = p.as_posix()
            if p.is_relative_to(include / "aio"):
                other = component_of(p.relative_to(include / "aio").as_posix())
                if other not in allowed:
                    failures.append(f"aio/{rel} ({comp}) includes {p.relative_to(include)} ({other})")
            elif any(d.startswith(s) for s in SYSTEM) or (d.startswith("/usr/include/") and
                                                        d.count("/") == 3):
                continue  # <stdio.h>, <unistd.h>, ...: /usr/include/<name>.h
            elif not any(d.startswith(t) for t in THIRD_PARTY.get(comp, [])):
                failures.append(f"aio/{rel} ({comp}) includes the third-party header {d}")
    for f in failures:
        print(f)
    print(f"layering: {len(headers)} headers, {len(failures)} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
