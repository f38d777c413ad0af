#!/usr/bin/env python3
"""clang-tidy over every source of src/ and tools/, skipping a file whose result is already known.

A file's key is a SHA-256 over clang-tidy's version, the repository's .clang-tidy, the file's compile
command, and the bytes of the file and of every header it includes (the build's own dependency list,
`ninja -t deps`). A clean result is remembered under that key in AIO_TIDY_CACHE (default
~/.cache/aio-tidy, outside the clone); findings are never cached, so a failing file is checked again
every run. Files run in parallel (AIO_JOBS, default 2).

Usage: tidy_cached.py BUILD_DIR   (a configured and built Ninja build with compile_commands.json)
Exit status: 1 if clang-tidy reported anything for any file.
"""

import concurrent.futures
import hashlib
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path


def deps_of(build: Path, obj: str) -> list[str]:
    out = subprocess.run(["ninja", "-C", str(build), "-t", "deps", obj], capture_output=True, text=True).stdout
    return [line.strip() for line in out.splitlines()[1:] if line.startswith("    ")]


def output_of(entry: dict) -> str:
    # CMake 3.25 writes no "output" field; the object file is the command's -o argument.
    if "output" in entry:
        return entry["output"]
    words = shlex.split(entry["command"])
    return words[words.index("-o") + 1]


def key_of(build: Path, entry: dict, base: bytes, root: str) -> str | None:
    # The clone's own path is left out, so a fresh clone elsewhere finds the results of an earlier one.
    h = hashlib.sha256(base)
    h.update(entry["command"].replace(root, "@").encode())
    deps = deps_of(build, output_of(entry))
    if not deps:
        return None  # unknown dependencies: never trust a cached result
    for dep in deps:
        path = Path(dep) if os.path.isabs(dep) else build / dep
        try:
            h.update(dep.replace(root, "@").encode() + b"\0" + path.read_bytes())
        except OSError:
            return None
    return h.hexdigest()


def main() -> int:
    build = Path(sys.argv[1]).resolve()
    root = Path(__file__).resolve().parent.parent
    cache = Path(os.environ.get("AIO_TIDY_CACHE", Path.home() / ".cache" / "aio-tidy"))
    cache.mkdir(parents=True, exist_ok=True)
    jobs = int(os.environ.get("AIO_JOBS", "2"))
    version = subprocess.run(["clang-tidy", "--version"], capture_output=True, text=True).stdout
    base = version.encode() + (root / ".clang-tidy").read_bytes()
    dirs = tuple(str(root / d) + os.sep for d in ("src", "tools"))
    entries = [e for e in json.loads((build / "compile_commands.json").read_text())
               if e["file"].startswith(dirs) and e["file"].endswith(".cpp")]
    entries.sort(key=lambda e: e["file"])

    todo, keys, cached = [], {}, 0
    for e in entries:
        k = key_of(build, e, base, str(root))
        if k is not None and (cache / k).exists():
            cached += 1
            continue
        keys[e["file"]] = k
        todo.append(e["file"])

    def tidy(f: str) -> tuple[str, int, str]:
        r = subprocess.run(["clang-tidy", "--quiet", "--extra-arg=-Wno-unknown-warning-option", "-p", str(build), f],
                           capture_output=True, text=True)
        return f, r.returncode, r.stdout + r.stderr

    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for f, rc, out in pool.map(tidy, todo):
            findings = rc != 0 or "warning:" in out or "error:" in out
            if findings:
                failed += 1
                sys.stdout.write(out)
            elif keys[f] is not None:
                (cache / keys[f]).touch()
    print(f"clang-tidy: {len(entries)} files, {cached} unchanged since a clean run, {len(todo)} checked, "
          f"{failed} with findings")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
