#!/usr/bin/env python3
"""Checks that README.md's first ```cpp block is a real example: every line of the block must appear in
the example file, in order (the file may have more lines: its header comment and the AIO_TOUR guard).

Usage: check_readme.py README.md examples/gather.cpp
"""
import sys


def main(readme_path: str, example_path: str) -> int:
    with open(readme_path, encoding="utf-8") as f:
        readme = f.read().splitlines()
    with open(example_path, encoding="utf-8") as f:
        example = f.read().splitlines()
    try:
        start = readme.index("```cpp") + 1
        end = readme.index("```", start)
    except ValueError:
        print(f"{readme_path}: no ```cpp block")
        return 1
    block = readme[start:end]
    i = 0
    for line in block:
        while i < len(example) and example[i] != line:
            i += 1
        if i == len(example):
            print(f"{readme_path}'s example has drifted from {example_path}; not found (in order):\n{line}")
            return 1
        i += 1
    print(f"{readme_path}'s example ({len(block)} lines) matches {example_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
