#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""An HTTP/1.1 proxy on loopback that injects network and server faults.

    fault-proxy.py --upstream 127.0.0.1:PORT --mode-file FILE [--log FILE]

It prints its port (on 127.0.0.1) on stdout once it accepts connections.
Each request goes upstream on a new connection; the answer comes back with a
Content-Length. The mode file is read again for every request; its first
line is a fault and optional key=value words:

    pass                   forward (also when the file is missing or empty)
    http500                answer 500 {"code": "internal", ...}, not forwarded
    http503 retry_after=N  answer 503 with `Retry-After: N` (1), not forwarded
    reset                  read the request, then reset the connection (RST)
    refuse                 reset every connection at once: the network is gone
    timeout                read the request, never answer (not forwarded)
    hold                   forward (the upstream applies it), never answer
    gate                   hold the request (not forwarded) until the mode file
                           says something else, then do what that says
    truncate               forward, then send half of the body and close
    malformed              forward, then answer the status with invalid JSON
    slow delay=S           forward, then send the answer a byte every S s (2)

    count=N                only the next N matching requests, then pass
    path=PREFIX            only requests whose path starts with PREFIX

Write it atomically (a new file renamed over the old one): each new file is
a new mode, whose count starts again. Requests are logged to --log (stderr).
"""

import argparse
import os
import socket
import struct
import sys
import threading
import time

lock = threading.Lock()
counted = {"key": None, "used": 0}
log_file = sys.stderr
BAD_JSON = b'{"results": [{"op_id": tru'
CANNED = {
    "http500": (b"HTTP/1.1 500 Injected", b'{"code": "internal", "message": "Injected fault."}'),
    "http503": (b"HTTP/1.1 503 Injected", b'{"code": "unavailable", "message": "Injected fault: try again later."}'),
}


def log(text):
    with lock:
        log_file.write("fault-proxy: %s\n" % text)
        log_file.flush()


def current_mode(mode_file, path, count=True):
    """(fault, options) for one request, counted against count=N."""
    try:
        with open(mode_file, "rb") as f:
            st = os.fstat(f.fileno())
            text = f.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return "pass", {}
    words = (text.splitlines() or [""])[0].split() or ["pass"]
    fault, opts = words[0], dict(w.split("=", 1) for w in words[1:] if "=" in w)
    if fault == "pass" or not path.startswith(opts.get("path", "")):
        return "pass", opts
    with lock:
        key = (st.st_ino, st.st_mtime_ns, text)
        if counted["key"] != key:
            counted["key"], counted["used"] = key, 0
        if "count" in opts and count and counted["used"] >= int(opts["count"]):
            return "pass", opts
        counted["used"] += 1 if count else 0
    return fault, opts


class Reader:
    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError()
        self.buf += data

    def line(self):
        while b"\r\n" not in self.buf:
            self.fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def exact(self, n):
        while len(self.buf) < n:
            self.fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def head(self):
        first, headers = self.line(), []
        while True:
            line = self.line()
            if not line:
                return first, headers
            name, _, value = line.partition(b":")
            headers.append((name.strip().decode("latin-1"), value.strip().decode("latin-1")))

    def body(self, headers, until_close=False):
        if header(headers, "transfer-encoding").lower() == "chunked":
            body = b""
            while True:
                size = int(self.line().split(b";")[0], 16)
                if size == 0:
                    while self.line():
                        pass
                    return body
                body += self.exact(size)
                self.exact(2)
        if header(headers, "content-length"):
            return self.exact(int(header(headers, "content-length")))
        try:
            while until_close:
                self.fill()
        except EOFError:
            pass
        data, self.buf = self.buf, b""
        return data


def header(headers, name):
    return next((v for k, v in headers if k.lower() == name), "")


def message(first, headers, body, length=None, close=False):
    skip = ("connection", "keep-alive", "expect", "transfer-encoding", "content-length")
    out = [first] + [("%s: %s" % (k, v)).encode("latin-1") for k, v in headers if k.lower() not in skip]
    out += [b"Connection: close"] if close else []
    out += [b"Content-Length: %d" % (len(body) if length is None else length), b"", b""]
    return b"\r\n".join(out) + body


def reset(sock):
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
    return False


def wait_for_close(sock):
    """Holds the connection until the client gives up."""
    while sock.recv(65536):
        pass


def forward(upstream, request_line, headers, body):
    """The request on a new upstream connection: (status line, headers, body)."""
    host, port = upstream.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=120) as up:
        up.sendall(message(request_line, headers, body, close=True))
        reader = Reader(up)
        status, rheaders = reader.head()
        empty = int(status.split()[1]) in (204, 304) or request_line.startswith(b"HEAD ")
        return status, rheaders, b"" if empty else reader.body(rheaders, until_close=True)


def serve_one(sock, reader, args):
    """One request of a client connection; False when the connection is done."""
    request_line, headers = reader.head()
    method, path = (w.decode("latin-1") for w in request_line.split()[:2])
    what = "%s %s" % (method, path)
    fault, opts = current_mode(args.mode_file, path)
    if fault == "refuse":
        log("%s: refuse" % what)
        return reset(sock)
    if header(headers, "expect").lower() == "100-continue":
        sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
    body = reader.body(headers)
    if fault == "gate":
        log("%s: gate (held)" % what)
        while fault == "gate":
            time.sleep(0.05)
            fault, opts = current_mode(args.mode_file, path, count=False)
        log("%s: gate opened, %s" % (what, fault))
    if fault in CANNED:
        log("%s: %s" % (what, fault))
        extra = [("Retry-After", opts.get("retry_after", "1"))] if fault == "http503" else []
        sock.sendall(message(CANNED[fault][0], [("Content-Type", "application/json")] + extra, CANNED[fault][1]))
        return True
    if fault in ("reset", "timeout"):
        log("%s: %s (not forwarded)" % (what, fault))
        (reset if fault == "reset" else wait_for_close)(sock)
        return False
    try:
        status, rheaders, rbody = forward(args.upstream, request_line, headers, body)
    except (OSError, EOFError, ValueError, IndexError) as e:
        log("%s: upstream failed (%s), reset" % (what, e))
        return reset(sock)
    log("%s: %s, %s" % (what, fault, status.decode("latin-1")))
    if fault == "hold":
        wait_for_close(sock)
        return False
    if fault == "truncate" and rbody:
        sock.sendall(message(status, rheaders, rbody[: len(rbody) // 2], len(rbody)))
        sock.close()
        return False
    if fault == "malformed" and rbody:
        rheaders = [(k, v) for k, v in rheaders if k.lower() != "content-encoding"]
        rbody = BAD_JSON
    data = message(status, rheaders, rbody)
    if fault == "slow":
        for i in range(len(data)):
            sock.sendall(data[i : i + 1])
            time.sleep(float(opts.get("delay", "2")))
        return True
    sock.sendall(data)
    return header(headers, "connection").lower() != "close"


def client_thread(sock, args):
    reader = Reader(sock)
    try:
        while serve_one(sock, reader, args):
            pass
    except (EOFError, OSError):
        pass
    finally:
        sock.close()


def main():
    global log_file
    parser = argparse.ArgumentParser(description="HTTP proxy that injects faults")
    parser.add_argument("--upstream", required=True, help="HOST:PORT")
    parser.add_argument("--mode-file", required=True)
    parser.add_argument("--log")
    args = parser.parse_args()
    if args.log:
        log_file = open(args.log, "a", encoding="utf-8")
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print(listener.getsockname()[1], flush=True)
    while True:
        sock, _ = listener.accept()
        threading.Thread(target=client_thread, args=(sock, args), daemon=True).start()


if __name__ == "__main__":
    main()
