#!/usr/bin/env python3
"""Runs docs/guide/http_server.md's program (it serves on port 8080 until SIGTERM), checks its routes
over real HTTP, then stops it with SIGTERM and expects a clean exit (graceful shutdown).

Usage: run_server_program.py PROGRAM. Exit 77 (skipped) when port 8080 is already taken.
"""
import http.client
import json
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PORT = 8080


def port_taken():
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", PORT)) == 0


def request(method, path, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    conn.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
    resp = conn.getresponse()
    data = resp.read().decode()
    conn.close()
    return resp.status, dict(resp.getheaders()), data


def expect(what, got, wanted):
    if got != wanted:
        raise AssertionError(f"{what}: got {got!r}, wanted {wanted!r}")


def check_routes():
    status, headers, body = request("GET", "/?name=Ada")
    expect("GET /?name=Ada", (status, body), (200, "Hello, Ada!"))
    expect("the middleware's header", headers.get("X-Powered-By"), "aio")
    expect("GET /", request("GET", "/")[2], "Hello, World!")
    expect("GET /users/7", json.loads(request("GET", "/users/7")[2]), {"id": "7"})
    status, _, body = request("POST", "/users", json.dumps({"name": "Ada"}))
    expect("POST /users", (status, json.loads(body)), (201, {"name": "Ada", "id": 42}))
    expect("POST /users without a name", request("POST", "/users", "{}")[0], 422)
    expect("GET /ticks", request("GET", "/ticks")[2], "tick 0\ntick 1\ntick 2\n")
    status, headers, _ = request("GET", "/static/no-such-file.txt")
    expect("GET /static/no-such-file.txt", (status, headers.get("X-Powered-By")), (404, "aio"))
    expect("GET /static/hello.txt", request("GET", "/static/hello.txt")[:3:2], (200, "hello from www\n"))
    for path in ("/static/../secret.txt", "/static/%2e%2e/secret.txt", "/static/..%2fsecret.txt",
                 "/static/hello.txt%00.png"):
        status, _, body = request("GET", path)
        expect(f"GET {path}", status, 404)
        if "secret" in body or "hello" in body:
            raise AssertionError(f"GET {path} sent a file: {body!r}")
    expect("DELETE / (no such method)", request("DELETE", "/")[0], 405)


def main(program):
    if port_taken():
        print(f"port {PORT} is taken: skipped")
        return 77
    # The program serves ./www: run it in a directory with www/ and a file next to it that must stay private.
    tmp = tempfile.TemporaryDirectory()
    (Path(tmp.name) / "www").mkdir()
    (Path(tmp.name) / "www" / "hello.txt").write_text("hello from www\n")
    (Path(tmp.name) / "secret.txt").write_text("secret\n")
    proc = subprocess.Popen([program], cwd=tmp.name)
    try:
        deadline = time.monotonic() + 20
        while not port_taken():
            if proc.poll() is not None or time.monotonic() > deadline:
                print("the program did not start serving on port 8080")
                return 1
            time.sleep(0.05)
        check_routes()
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=20)
        tmp.cleanup()
    expect("exit status after SIGTERM", code, 0)
    print("http_server.md's program served every route and stopped on SIGTERM")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
