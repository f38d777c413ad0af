#!/usr/bin/env python3
"""Markdown table of aio_micro_combinators' JSON output (--benchmark_format=json, any repetitions):
medians per benchmark of ns/child (thread CPU), bytes/child, and both over one_by_one at the same N.
usage: combinators_table.py RESULT.json [RESULT.json ...]   (several files: the medians of all runs)"""
import json
import statistics
import sys
from collections import defaultdict

runs = defaultdict(list)
for path in sys.argv[1:]:
    for b in json.load(open(path))["benchmarks"]:
        if b.get("run_type") == "aggregate" or "error_occurred" in b:
            continue
        name, n = b["run_name"].rsplit("/", 1)
        runs[(name, int(n))].append(b)


def med(key, name, n):
    return statistics.median(b[key] for b in runs[(name, n)])


print("| combinator | N | ns/child | × one by one | B_alloc/child | + over one by one | B_peak/child "
      "| + over one by one | heap allocs/child | runs |")
print("|---|---|---|---|---|---|---|---|---|---|")
names = list(dict.fromkeys(name for name, _ in runs))
for name in names:
    for n in sorted(n for nm, n in runs if nm == name):
        ns, alloc, peak = (med(k, name, n) for k in ("ns", "B_alloc", "B_peak"))
        base = ("one_by_one", n)
        ratio = f"{ns / med('ns', *base):.2f}" if base in runs else "-"
        extra = f"{alloc - med('B_alloc', *base):+.1f}" if base in runs else "-"
        extra_peak = f"{peak - med('B_peak', *base):+.1f}" if base in runs else "-"
        print(f"| {name} | {n:,} | {ns:.1f} | {ratio} | {alloc:.1f} | {extra} | {peak:.1f} | {extra_peak} "
              f"| {med('heap', name, n):.3f} | {len(runs[(name, n)])} |")
