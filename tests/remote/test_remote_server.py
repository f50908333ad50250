"""`pianokpm serve` as players, viewers and intruders reach it on 127.0.0.1 over TLS."""
import json
import os
import secrets
import socket
import ssl
import subprocess
import sys
import threading
import time

import pytest

from remote_fixture import PASSWORD, Server, add_user, rows, run, same_rows


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("serve")
    for name, role in [("ada", "player"), ("bo", "player"), ("teacher", "viewer"), ("stranger", "viewer"),
                       ("root", "admin")]:
        add_user(data, name, role)
    s = Server(data)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def ada_session(server):
    token = server.login("ada")
    status, _, body = server.request("POST", "/api/grants", {"viewer": "teacher"}, token=token)
    assert status == 200 and body["viewers"] == ["teacher"]
    status, _, session = server.request("POST", "/api/sessions", {"client_id": "ada-1", "title": "scales",
                                                                  "rate_hz": 1024, "channels": list("ABCDEF")},
                                        token=token)
    assert status == 200, session
    status, _, body = server.request("POST", f"/api/sessions/{session['id']}/rows",
                                     {"first_seq": 0, "rows": rows(0, 64)}, token=token)
    assert status == 200 and body["next_seq"] == 64
    return session["id"], token


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the TLS 1.0/1.1 client is meant to be old
def test_the_certificate_verifies_and_only_tls_12_or_newer_is_spoken(server):
    status, headers, _ = server.request("GET", "/")
    assert status == 200 and "Strict-Transport-Security" in headers
    # Plain HTTP on the same port gets no HTTP answer.
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as plain:
        plain.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        try:
            reply = plain.recv(100)
        except (ConnectionResetError, socket.timeout):
            reply = b""
        assert not reply.startswith(b"HTTP/")
    # A client that offers TLS 1.1 at most (its own floor lowered, so the refusal is the server's).
    old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    old.check_hostname, old.verify_mode = False, ssl.CERT_NONE
    old.set_ciphers("DEFAULT:@SECLEVEL=0")
    old.minimum_version = ssl.TLSVersion.TLSv1
    old.maximum_version = ssl.TLSVersion.TLSv1_1
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw:
        with pytest.raises(ssl.SSLError) as refused:
            old.wrap_socket(raw).do_handshake()
    assert "ALERT_PROTOCOL_VERSION" in str(refused.value) or "UNSUPPORTED_PROTOCOL" in str(refused.value).upper()
    # A client that trusts nothing but the system's store refuses the self-signed certificate.
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw:
        with pytest.raises(ssl.SSLCertVerificationError):
            ssl.create_default_context().wrap_socket(raw, server_hostname="127.0.0.1")


@pytest.mark.parametrize("method,path", [("GET", "/api/me"), ("GET", "/api/sessions"),
                                         ("POST", "/api/sessions"), ("POST", "/api/sessions/1/rows"),
                                         ("GET", "/api/sessions/1/rows"), ("GET", "/api/sessions/1/live"),
                                         ("POST", "/api/grants"), ("POST", "/api/sessions/1/end")])
def test_no_token_a_forged_or_malformed_one_is_401(server, ada_session, method, path):
    body = {} if method == "POST" else None
    for token in [None, secrets.token_hex(32), "x" * 64, "../../etc/passwd", secrets.token_hex(32).upper()]:
        status, _, reply = server.request(method, path, body, token=token)
        assert status == 401, (token, reply)
    status, _, _ = server.request(method, path, body, headers={"Cookie": "pianokpm_token=" + secrets.token_hex(32)})
    assert status == 401


def test_wrong_password_and_unknown_user_are_the_same_401(server):
    for user, password in [("ada", PASSWORD + "x"), ("nobody", PASSWORD), ("ada", "")]:
        status, _, body = server.request("POST", "/api/login", {"user": user, "password": password})
        assert status == 401 and body["error"] == "wrong user name or password"
    assert server.request("POST", "/api/login", raw=b"user=ada&password=x")[0] == 400
    assert server.request("POST", "/api/login", {"user": 7, "password": ["x"]})[0] == 400


def test_sessions_are_seen_only_by_their_player_granted_viewers_and_admins(server, ada_session):
    session, ada = ada_session
    for who, visible in [("ada", True), ("teacher", True), ("root", True), ("bo", False), ("stranger", False)]:
        token = server.login(who)
        listed = [s["id"] for s in server.request("GET", "/api/sessions", token=token)[2]["sessions"]]
        assert (session in listed) == visible, who
        status, _, body = server.request("GET", f"/api/sessions/{session}/rows?from=0&max=64", token=token)
        assert status == (200 if visible else 404), (who, body)
        if visible:
            assert same_rows(body["rows"], rows(0, 64))
    # Nobody but the player pushes or ends; a viewer opens nothing and grants nothing.
    for who in ["teacher", "root", "bo", "stranger"]:
        token = server.login(who)
        status, _, _ = server.request("POST", f"/api/sessions/{session}/rows", {"first_seq": 64, "rows": rows(64, 1)},
                                      token=token)
        assert status in (403, 404), who
        assert server.request("POST", f"/api/sessions/{session}/end", {}, token=token)[0] in (403, 404)
    teacher = server.login("teacher")
    assert server.request("POST", "/api/sessions", {"client_id": "t", "rate_hz": 1024, "channels": ["A"]},
                          token=teacher)[0] == 403
    assert server.request("POST", "/api/grants", {"viewer": "stranger"}, token=teacher)[0] == 403
    # A player grants only viewers.
    assert server.request("POST", "/api/grants", {"viewer": "bo"}, token=ada)[0] == 400
    assert server.request("GET", "/api/sessions/99999/rows", token=ada)[0] == 404


def test_path_tricks_find_nothing(server, ada_session):
    _, ada = ada_session
    for path in ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/api/../../etc/passwd", "/static/../sessions.db",
                 "/sessions.db", "/tls/key.pem", "/api/sessions/1/../../../tls/key.pem", "/api/sessions/-1/rows",
                 "/api/sessions/1abc/rows", "/api/sessions/99999999999999999999/rows", "//etc/passwd",
                 "/api/sessions/1/rows/../../../../serve.log"]:
        status, _, body = server.request("GET", path, token=ada)
        assert status in (400, 404), (path, status)
        assert "BEGIN" not in str(body) and "SQLite" not in str(body)


def test_oversized_and_malformed_requests_are_refused(server, ada_session):
    session, ada = ada_session
    url = f"/api/sessions/{session}/rows"
    assert server.request("POST", url, raw=b"[" + b"0," * (1 << 20) + b"0]", token=ada)[0] == 413
    assert server.request("POST", url, raw=b"{not json", token=ada)[0] == 400
    assert server.request("POST", url, raw=b'{"first_seq": 64, "rows": [[NaN, 0, 0, 0, 0, 0]]}', token=ada)[0] == 400
    for body in [{"first_seq": 64, "rows": [[1, 2, 3]]}, {"first_seq": 64, "rows": []},
                 {"first_seq": -1, "rows": rows(0, 1)}, {"first_seq": "64", "rows": rows(64, 1)},
                 {"first_seq": 64, "rows": [[1e400, 0, 0, 0, 0, 0]]}, {"first_seq": 64, "rows": [["a"] * 6]},
                 {"rows": rows(64, 1)}, {"first_seq": 64, "rows": rows(64, 8193)}, [1, 2]]:
        status, _, reply = server.request("POST", url, body, token=ada)
        assert status == 400, (str(body)[:80], reply)
    assert server.request("POST", "/api/sessions", {"client_id": "", "rate_hz": 1024, "channels": ["A"]}, token=ada)[0] == 400
    assert server.request("POST", "/api/sessions", {"client_id": "x", "rate_hz": -1, "channels": ["A"]}, token=ada)[0] == 400
    assert server.request("GET", f"{url}?from=-5", token=ada)[0] == 400
    assert server.request("GET", f"{url}?max=abc", token=ada)[0] == 400
    status, _, _ = server.request("GET", "/api/me", token=ada, headers={"X-Big": "a" * 20000})
    assert status in (400, 413, 431)
    assert server.request("DELETE", "/api/me", token=ada)[0] in (404, 405)
    # The store is as it was: 64 rows.
    assert server.request("GET", url, token=ada)[2]["next_seq"] == 64


def test_rows_sent_again_are_not_doubled_and_a_gap_is_409_with_where_to_resume(server):
    ada = server.login("ada")
    _, _, s = server.request("POST", "/api/sessions", {"client_id": "ada-resume", "rate_hz": 1024,
                                                       "channels": list("ABCDEF")}, token=ada)
    url = f"/api/sessions/{s['id']}/rows"
    assert server.request("POST", url, {"first_seq": 0, "rows": rows(0, 10)}, token=ada)[2]["next_seq"] == 10
    _, _, again = server.request("POST", url, {"first_seq": 0, "rows": rows(0, 10)}, token=ada)
    assert again == {"next_seq": 10, "stored_rows": 0}
    status, _, gap = server.request("POST", url, {"first_seq": 15, "rows": rows(15, 5)}, token=ada)
    assert status == 409 and gap["next_seq"] == 10
    assert server.request("POST", url, {"first_seq": 5, "rows": rows(5, 15)}, token=ada)[2]["next_seq"] == 20
    stored = server.request("GET", url + "?from=0&max=100", token=ada)[2]
    assert same_rows(stored["rows"], rows(0, 20)) and len(stored["rows"]) == 20
    # Opening the same client_id again resumes at the next row.
    _, _, resumed = server.request("POST", "/api/sessions", {"client_id": "ada-resume", "rate_hz": 1024,
                                                             "channels": list("ABCDEF")}, token=ada)
    assert resumed["id"] == s["id"] and resumed["rows"] == 20
    status, _, _ = server.request("POST", "/api/sessions", {"client_id": "ada-resume", "rate_hz": 2048,
                                                            "channels": list("ABCDEF")}, token=ada)
    assert status == 409


def test_logout_ends_the_token(server):
    token = server.login("bo")
    assert server.request("GET", "/api/me", token=token)[0] == 200
    assert server.request("POST", "/api/logout", {}, token=token)[0] == 200
    assert server.request("GET", "/api/me", token=token)[0] == 401


def test_a_token_expires(tmp_path):
    add_user(tmp_path, "ada", "player")
    s = Server(tmp_path, "--token-hours", "0.0004")  # 1.44 s
    try:
        token = s.login("ada")
        assert s.request("GET", "/api/me", token=token)[0] == 200
        time.sleep(2)
        assert s.request("GET", "/api/me", token=token)[0] == 401
    finally:
        s.stop()


def test_password_guessing_is_slowed_per_address(tmp_path):
    add_user(tmp_path, "ada", "player")
    s = Server(tmp_path)
    try:
        for _ in range(5):
            assert s.request("POST", "/api/login", {"user": "ada", "password": "guess-guess-guess"})[0] == 401
        status, headers, _ = s.request("POST", "/api/login", {"user": "ada", "password": PASSWORD})
        assert status == 429 and 1 <= int(headers["Retry-After"]) <= 60
        status, _, _ = s.request("POST", "/api/login", {"user": "someone-else", "password": PASSWORD})
        assert status == 429  # the address is held, whatever name it tries
    finally:
        s.stop()


def test_kill_9_keeps_every_stored_chunk_and_the_session_resumes(tmp_path):
    add_user(tmp_path, "ada", "player")
    s = Server(tmp_path)
    try:
        token = s.login("ada")
        _, _, session = s.request("POST", "/api/sessions", {"client_id": "k", "rate_hz": 1024,
                                                            "channels": list("ABCDEF")}, token=token)
        url = f"/api/sessions/{session['id']}/rows"
        for first in range(0, 3400, 34):
            assert s.request("POST", url, {"first_seq": first, "rows": rows(first, 34)}, token=token)[0] == 200
        s.kill()  # SIGKILL: no chance to flush or close anything
        s.start()
        stored = s.request("GET", url + "?from=0&max=65536", token=token)[2]  # the token survives the restart
        assert stored["next_seq"] == 3400 and same_rows(stored["rows"], rows(0, 3400))
        _, _, resumed = s.request("POST", "/api/sessions", {"client_id": "k", "rate_hz": 1024,
                                                            "channels": list("ABCDEF")}, token=token)
        assert resumed["rows"] == 3400
        assert s.request("POST", url, {"first_seq": 3400, "rows": rows(3400, 34)}, token=token)[2]["next_seq"] == 3434
        check = subprocess.run([sys.executable, "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]);"
                                "print(c.execute('PRAGMA integrity_check').fetchone()[0])", str(tmp_path / "sessions.db")],
                               capture_output=True, text=True)
        assert check.stdout.strip() == "ok"
    finally:
        s.stop()


def test_account_commands_refuse_bad_input_with_one_line(tmp_path):
    add_user(tmp_path, "ada", "player")
    for args, env, needle in [(["--add-user", "ada", "--role", "player"], {"PIANOKPM_PASSWORD": PASSWORD}, "already exists"),
                              (["--add-user", "eve", "--role", "root"], {"PIANOKPM_PASSWORD": PASSWORD}, "--role"),
                              (["--add-user", "eve"], {"PIANOKPM_PASSWORD": "short"}, "at least 10"),
                              (["--grant", "ada"], {}, "PLAYER:VIEWER"),
                              (["--grant", "ada:nobody"], {}, "no viewer nobody")]:
        r = run("serve", "--data", str(tmp_path), *args, env=env, check=False)
        assert r.returncode == 2 and needle in r.stderr and r.stderr.count("\n") == 1, r.stderr
    listed = run("serve", "--data", str(tmp_path), "--list-users").stdout
    assert listed.strip() == "ada\tplayer\tviewers:"


def test_each_session_has_its_report_for_those_who_may_see_it(server, ada_session):
    session, ada = ada_session
    status, headers, page = server.request("GET", f"/api/sessions/{session}/report", token=server.login("teacher"))
    assert status == 200 and headers["Content-Type"].startswith("text/html"), page
    assert "ada: scales" in page and "pushed to this server" in page
    assert server.request("GET", f"/api/sessions/{session}/report", token=server.login("bo"))[0] == 404
    # A title is the player's text: shown, never run.
    _, _, s = server.request("POST", "/api/sessions", {"client_id": "xss", "title": "<script>alert(1)</script>",
                                                       "rate_hz": 1024, "channels": ["ADM", "PB", "1DI", "2DI", "3DI", "4DI"],
                                                       "details": {"model": "<img src=x onerror=alert(1)>"}}, token=ada)
    server.request("POST", f"/api/sessions/{s['id']}/rows", {"first_seq": 0, "rows": rows(0, 2048)}, token=ada)
    _, _, page = server.request("GET", f"/api/sessions/{s['id']}/report", token=ada)
    assert "<script>alert(1)" not in page and "<img src=x" not in page and "&lt;script&gt;" in page


def _jpeg():
    """A tiny real JPEG (8x8 grey), written once by ffmpeg."""
    out = subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=gray:s=8x8", "-frames:v", "1",
                          "-f", "mjpeg", "-"], capture_output=True, check=True).stdout
    assert out[:2] == b"\xff\xd8"
    return out


def test_pictures_go_to_those_who_may_see_the_session_and_nothing_else_passes_as_one(server, ada_session):
    session, ada = ada_session
    url = f"/api/sessions/{session}/frame"
    jpeg = _jpeg()
    assert server.request("POST", url, raw=jpeg, token=ada, headers={"Content-Type": "image/jpeg"})[0] == 200
    for raw in [b"not a picture", jpeg[:-2], b"\xff\xd8\xff" + b"\x00" * 600_000 + b"\xff\xd9"]:
        status, _, _ = server.request("POST", url, raw=raw, token=ada, headers={"Content-Type": "image/jpeg"})
        assert status in (400, 413), len(raw)
    for who in ["bo", "teacher", "stranger"]:
        assert server.request("POST", url, raw=jpeg, token=server.login(who))[0] in (403, 404), who
    assert server.request("GET", f"/api/sessions/{session}/video.mjpg", token=server.login("stranger"))[0] == 404
    # A viewer who may see it gets the newest picture as the first part of the stream.
    ctx = server.context()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
            s.sendall(f"GET /api/sessions/{session}/video.mjpg HTTP/1.1\r\nHost: x\r\n"
                      f"Authorization: Bearer {server.login('teacher')}\r\n\r\n".encode())
            got = b""
            while jpeg not in got and len(got) < 100_000:
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
    assert b"multipart/x-mixed-replace" in got and jpeg in got
