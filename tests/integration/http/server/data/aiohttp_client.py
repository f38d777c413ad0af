# Drives aio's HTTP server with Python's aiohttp client (tests/integration/http/server/interop_test.cpp).
# Usage: aiohttp_client.py PORT. Prints "OK" when every check passed; fails with a traceback otherwise.
import asyncio
import sys

import aiohttp


async def main(port: int) -> None:
    base = f"http://127.0.0.1:{port}"
    conn = aiohttp.TCPConnector(limit=1)  # one connection: every request reuses it (keep-alive)
    async with aiohttp.ClientSession(connector=conn) as s:
        async with s.get(base + "/") as r:
            assert r.status == 200, r.status
            assert await r.text() == "Hello, World!"
        async with s.get(base + "/users/7", params={"q": "a b"}) as r:
            assert await r.json() == {"id": "7", "q": "a b"}
        async with s.post(base + "/echo", data=b"x" * 100000) as r:
            assert await r.read() == b"x" * 100000
        async def gen():
            for i in range(5):
                yield f"part{i};".encode()
        async with s.post(base + "/echo", data=gen()) as r:  # chunked upload
            assert await r.text() == "part0;part1;part2;part3;part4;"
        form = aiohttp.FormData()
        form.add_field("name", "ada")
        form.add_field("file", b"content", filename="f.bin")
        async with s.post(base + "/form", data=form) as r:
            assert await r.text() == "ada|f.bin:content", await r.text()
        async with s.get(base + "/stream") as r:
            assert await r.text() == "0\n1\n2\n"
        async with s.get(base + "/missing") as r:
            assert r.status == 404
        async with s.ws_connect(base + "/ws") as ws:
            await ws.send_str("hi")
            msg = await ws.receive()
            assert msg.type == aiohttp.WSMsgType.TEXT and msg.data == "echo: hi", msg
            await ws.close()
    print("OK")


asyncio.run(main(int(sys.argv[1])))
