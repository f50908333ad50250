"""A `pianokpm serve` on 127.0.0.1 for the remote tests: start, accounts, HTTPS requests, pushes."""
import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

BIN = os.environ.get("PIANOKPM_BIN", "pianokpm")
PASSWORD = "a long test password"


def run(*args, env=None, check=True, **kw):
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([BIN, *args], env=full_env, check=check, capture_output=True, text=True, **kw)


def add_user(data, name, role, password=PASSWORD):
    run("serve", "--data", str(data), "--add-user", name, "--role", role, env={"PIANOKPM_PASSWORD": password})


class Server:
    """One `pianokpm serve` process on a free loopback port; kill() and start() again for restarts."""

    def __init__(self, data, *extra):
        self.data = Path(data)
        self.extra = extra
        self.proc = None
        self.start()

    def start(self):
        ready = self.data / "ready.json"
        ready.unlink(missing_ok=True)
        self.log = open(self.data / "serve.log", "ab")
        port = getattr(self, "port", 0)
        self.proc = subprocess.Popen([BIN, "serve", "--data", str(self.data), "--listen", f"127.0.0.1:{port}",
                                      "--ready-file", str(ready), *self.extra],
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 30
        while not ready.exists():
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("serve did not start: " + (self.data / "serve.log").read_text())
            time.sleep(0.05)
        info = json.loads(ready.read_text())
        self.port, self.cert = info["port"], info["cert"]

    def context(self):
        ctx = ssl.create_default_context(cafile=self.cert)
        return ctx

    def request(self, method, path, body=None, token=None, headers=None, raw=None):
        """(status, headers, parsed JSON or text) of one request on a new connection."""
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context(), timeout=10)
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        if data is not None:
            h.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=data, headers=h)
        res = conn.getresponse()
        text = res.read().decode(errors="replace")
        conn.close()
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = text
        return res.status, dict(res.getheaders()), parsed

    def status_of(self, method, path, token=None):
        """The status of one request, read without its body (which may be an endless stream)."""
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context(), timeout=10)
        conn.request(method, path, headers={"Authorization": "Bearer " + token} if token else {})
        status = conn.getresponse().status
        conn.close()
        return status

    def login(self, user, password=PASSWORD):
        status, _, body = self.request("POST", "/api/login", {"user": user, "password": password})
        assert status == 200, body
        return body["token"]

    def rss_kb(self):
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def kill(self, sig=signal.SIGKILL):
        self.proc.send_signal(sig)
        self.proc.wait(timeout=30)
        self.log.close()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.kill(signal.SIGTERM)


def rows(first, n, channels=6):
    """Rows whose values say where they are: row i, channel c holds i + c / 10."""
    return [[float(i) + c / 10 for c in range(channels)] for i in range(first, first + n)]


def same_rows(got, expected):
    """Rows equal as the server stores them (float32), row for row."""
    import numpy as np
    return np.asarray(got, dtype=np.float32).shape == np.asarray(expected, dtype=np.float32).shape and \
        np.array_equal(np.asarray(got, dtype=np.float32), np.asarray(expected, dtype=np.float32))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
