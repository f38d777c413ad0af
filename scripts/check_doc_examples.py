#!/usr/bin/env python3
"""Checks that every ```cpp block of the docs is backed by a compiled source file.

Each ```cpp block in README.md and docs/guide/*.md must be preceded, on the line right before it, by

    <!-- example: docs/examples/streams.cpp -->

naming a file (relative to the repository root) that the build compiles and the tests run. Every
non-blank line of the block must appear in that file, in order; the file may hold more lines around
and between them (the includes, a main(), the checks), and may indent the whole block deeper (a
fragment that lives inside a function body), but by the same amount for every line of the block.

Usage: check_doc_examples.py [REPO_ROOT] [MARKDOWN...]   (default: the repository this script is in,
README.md and docs/guide/*.md). Exit status 1 on any untagged or drifted block.
"""
import pathlib
import re
import sys

TAG = re.compile(r"^<!-- example: (\S+) -->$")


def blocks(lines):
    """Yields (line number of the fence, tag line or None, block lines without the fence's own
    indentation) for each ```cpp block."""
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```cpp":
            start = i
            end = i + 1
            while end < len(lines) and lines[end].strip() != "```":
                end += 1
            tag = lines[start - 1] if start > 0 else None
            fence_indent = len(lines[i]) - len(lines[i].lstrip())  # a block inside a list item
            yield start + 1, tag, [line[fence_indent:] for line in lines[start + 1 : end]]
            i = end
        i += 1


def find_in_order(block, source):
    """Returns None when every non-blank block line is in `source` in order with one common extra
    indent, else the first block line that could not be placed (for the best starting point)."""
    wanted = [line.rstrip() for line in block if line.strip()]
    if not wanted:
        return None
    worst = wanted[0]
    best = -1
    for start, first in enumerate(source):
        if not first.endswith(wanted[0]) or first[: len(first) - len(wanted[0])].strip():
            continue
        indent = first[: len(first) - len(wanted[0])]
        i = start + 1
        matched = 1
        for line in wanted[1:]:
            while i < len(source) and source[i] != indent + line:
                i += 1
            if i == len(source):
                break
            matched += 1
            i += 1
        if matched == len(wanted):
            return None
        if matched > best:
            best, worst = matched, wanted[matched]
    return worst


def check(root, markdown_files):
    failures = 0
    count = 0
    for md in markdown_files:
        lines = md.read_text(encoding="utf-8").splitlines()
        name = md.relative_to(root)
        for fence_line, tag, block in blocks(lines):
            count += 1
            where = f"{name}:{fence_line}"
            m = TAG.match(tag.strip()) if tag is not None else None
            if not m:
                print(f"{where}: ```cpp block without an '<!-- example: FILE -->' line right before it")
                failures += 1
                continue
            source_path = root / m.group(1)
            if not source_path.is_file():
                print(f"{where}: the example file {m.group(1)} does not exist")
                failures += 1
                continue
            source = [line.rstrip() for line in source_path.read_text(encoding="utf-8").splitlines()]
            missing = find_in_order(block, source)
            if missing is not None:
                print(f"{where}: the block has drifted from {m.group(1)}; this line is not there (in order):")
                print(f"    {missing.strip()}")
                failures += 1
    print(f"check_doc_examples: {count} blocks in {len(markdown_files)} files, {failures} failed")
    return 1 if failures else 0


def main(argv):
    root = pathlib.Path(argv[1] if len(argv) > 1 else pathlib.Path(__file__).resolve().parent.parent).resolve()
    if len(argv) > 2:
        files = [pathlib.Path(p).resolve() for p in argv[2:]]
    else:
        files = [root / "README.md"] + sorted((root / "docs" / "guide").glob("*.md"))
    return check(root, files)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
