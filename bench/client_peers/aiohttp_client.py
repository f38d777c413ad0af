#!/usr/bin/python3
"""HTTP client workload peer: aiohttp on uvloop.

Usage: aiohttp_client.py URL N CONCURRENCY
Sends N GET requests to URL through one ClientSession with at most CONCURRENCY in flight, reads every
body, and prints `elapsed_s=<secs> requests=<n> errors=<n>` (the same as bench/workloads/http_client.cpp).
Uses the system python3 (Debian's python3-aiohttp and python3-uvloop).
"""

import asyncio
import sys
import time

import aiohttp

try:
    import uvloop
except ImportError:  # still runs, on the default loop, if uvloop is missing
    uvloop = None


async def main(url: str, n: int, concurrency: int) -> None:
    done = {"next": 0, "ok": 0, "errors": 0}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            while done["next"] < n:
                done["next"] += 1
                try:
                    async with session.get(url) as resp:
                        await resp.read()
                        if resp.status < 400:
                            done["ok"] += 1
                        else:
                            done["errors"] += 1
                except Exception as e:  # noqa: BLE001 - count every failure, report the first
                    if done["errors"] == 0:
                        print(f"first error: {e!r}", file=sys.stderr)
                    done["errors"] += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    print(f"elapsed_s={elapsed:.3f} requests={done['ok']} errors={done['errors']}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: aiohttp_client.py URL N CONCURRENCY")
    if uvloop is not None:
        uvloop.install()
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
