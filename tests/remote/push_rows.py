#!/usr/bin/env python3
"""Pushes synthetic EMG rows to `pianokpm serve` as a player would, in real time: one chunk of
1024/30 rows every 1/30 s, each stamped with the wall clock, for the browser test and the delay
benchmark. Row i, channel c holds 0.5 + 0.4 sin(2 pi (i / 1024) (c + 1) / 4).

usage: push_rows.py URL CERT USER PASSWORD SECONDS [TITLE [PICTURE.jpg]]
PICTURE.jpg, when given, is sent as the session's overlay picture once a second."""
import http.client
import json
import math
import ssl
import sys
import time
from urllib.parse import urlparse


def main():
    url, cert, user, password, seconds = sys.argv[1:6]
    title = sys.argv[6] if len(sys.argv) > 6 else "pushed rows"
    picture = open(sys.argv[7], "rb").read() if len(sys.argv) > 7 else None
    u = urlparse(url)
    conn = http.client.HTTPSConnection(u.hostname, u.port, context=ssl.create_default_context(cafile=cert), timeout=10)

    def call(path, body, token=None, content_type="application/json"):
        headers = {"Content-Type": content_type, **({"Authorization": "Bearer " + token} if token else {})}
        conn.request("POST", path, body=body if isinstance(body, bytes) else json.dumps(body), headers=headers)
        r = conn.getresponse()
        reply = json.loads(r.read())
        if r.status != 200:
            sys.exit(f"push_rows: {path}: HTTP {r.status} {reply}")
        return reply

    token = call("/api/login", {"user": user, "password": password})["token"]
    session = call("/api/sessions", {"client_id": f"push-{time.time()}", "title": title, "rate_hz": 1024,
                                     "channels": ["ADM", "PB", "1DI", "2DI", "3DI", "4DI"]}, token)
    start, sent, pictures = time.time(), 0, 0
    while time.time() - start < float(seconds):
        due = int((time.time() - start) * 1024)
        if due > sent:
            rows = [[0.5 + 0.4 * math.sin(2 * math.pi * (i / 1024) * (c + 1) / 4) for c in range(6)]
                    for i in range(sent, due)]
            call(f"/api/sessions/{session['id']}/rows", {"first_seq": sent, "emitted_ms": time.time() * 1000,
                                                         "latency_ms": 0, "rows": rows}, token)
            sent = due
        if picture and time.time() - start >= pictures:
            call(f"/api/sessions/{session['id']}/frame", picture, token, "image/jpeg")
            pictures += 1
        time.sleep(1 / 30)
    call(f"/api/sessions/{session['id']}/end", {}, token)
    print(f"pushed {sent} rows to session {session['id']}")


if __name__ == "__main__":
    main()
