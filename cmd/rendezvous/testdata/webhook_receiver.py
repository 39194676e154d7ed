#!/usr/bin/env python3
"""A webhook receiver for the tests, verifying Standard Webhooks signatures
with Python's own hmac: an implementation independent of the Go code.

Usage: webhook_receiver.py --port N --secrets FILE --log FILE [--delay S]

Every POST is logged as one JSON line in --log: its webhook-id, timestamp,
path, the parsed body, how many signatures it carried and which secrets of
--secrets (one per line, re-read on every request) verified it. It answers
204 when a secret verified the signature and the timestamp is within five
minutes, 401 otherwise; a path ending in /fail always answers 500.
"""

import argparse
import base64
import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE = 300  # seconds, as the Standard Webhooks libraries


def keys(path):
    out = []
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith("whsec_"):
                    out.append(base64.b64decode(line[len("whsec_"):]))
    except FileNotFoundError:
        pass
    return out


def make_handler(args, lock):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            msg_id = self.headers.get("webhook-id", "")
            ts = self.headers.get("webhook-timestamp", "")
            sigs = [s.split(",", 1)[1] for s in self.headers.get("webhook-signature", "").split() if s.startswith("v1,")]
            signed = f"{msg_id}.{ts}.".encode() + body
            valid_with = []
            for i, key in enumerate(keys(args.secrets)):
                expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
                if any(hmac.compare_digest(expected, s) for s in sigs):
                    valid_with.append(i)
            fresh = ts.isdigit() and abs(time.time() - int(ts)) <= TOLERANCE
            if args.delay:
                time.sleep(args.delay)
            ok = bool(valid_with) and fresh and not self.path.endswith("/fail")
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
            entry = {"id": msg_id, "timestamp": ts, "path": self.path, "signatures": len(sigs),
                     "valid_with": valid_with, "fresh": fresh, "answered": 204 if ok else (500 if self.path.endswith("/fail") else 401),
                     "body": parsed}
            with lock:
                with open(args.log, "a") as f:
                    f.write(json.dumps(entry) + "\n")
            self.send_response(entry["answered"])
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


class Server(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A sender killed mid-request (the crash test) resets its
        # connection: that is expected, not a receiver fault.
        if not isinstance(sys.exc_info()[1], (ConnectionError, BrokenPipeError)):
            super().handle_error(request, client_address)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--secrets", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--delay", type=float, default=0)
    args = p.parse_args()
    server = Server(("127.0.0.1", args.port), make_handler(args, threading.Lock()))
    print(f"listening {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
