"""A real HTTP server (http.server in a thread, 127.0.0.1, random port) imitating the
platform's conventions: OAuth token endpoint, problem+json errors, X-Request-ID,
idempotency keys, cursor pagination, throttling."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

CLIENT_ID = "partner-client"
CLIENT_SECRET = "s3cret/with+chars"
PUBLIC_CLIENT_ID = "third-party-app"
ISSUER_PATH = ""  # issuer == base URL


@dataclass
class Req:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def bearer(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth[7:] if auth.startswith("Bearer ") else None


Resp = tuple[int, dict[str, str], Any]
Handler = Callable[[Req], Resp]

_ids = itertools.count(1)


def problem(status: int, code: str, detail: str = "", *, errors: list[dict[str, str]] | None = None,
            headers: dict[str, str] | None = None, title: str | None = None) -> Resp:
    rid = f"req_{next(_ids)}"
    body = {
        "type": f"https://docs.openbank.test/problems/{code}",
        "title": title or code.replace("_", " ").capitalize(),
        "status": status,
        "detail": detail,
        "code": code,
        "request_id": rid,
        "errors": errors or [],
    }
    h = {"Content-Type": "application/problem+json", "X-Request-ID": rid}
    h.update(headers or {})
    return status, h, body


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@dataclass
class Platform:
    url: str = ""
    routes: dict[tuple[str, str], Handler] = field(default_factory=dict)
    requests: list[Req] = field(default_factory=list)
    token_requests: list[Req] = field(default_factory=list)
    expires_in: int = 600
    token_delay: float = 0.0
    valid_tokens: set[str] = field(default_factory=set)
    refresh_tokens: set[str] = field(default_factory=set)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)  # code -> {challenge, redirect_uri}
    revoked: list[str] = field(default_factory=list)
    token_failures: list[Resp] = field(default_factory=list)  # served before real answers
    lock: threading.Lock = field(default_factory=threading.Lock)
    _counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def route(self, method: str, path: str) -> Callable[[Handler], Handler]:
        def deco(fn: Handler) -> Handler:
            self.routes[(method, path)] = fn
            return fn
        return deco

    def api(self, path: str) -> list[Req]:
        return [r for r in self.requests if r.path == path]

    def issue(self, with_refresh: bool = False) -> dict[str, Any]:
        n = next(self._counter)
        token = f"tok-{n}"
        self.valid_tokens.add(token)
        body: dict[str, Any] = {"access_token": token, "token_type": "Bearer",
                                "expires_in": self.expires_in, "scope": "accounts:read"}
        if with_refresh:
            rt = f"rt-{n}"
            self.refresh_tokens.add(rt)
            body["refresh_token"] = rt
        return body

    # -- OAuth ---------------------------------------------------------------
    def _client(self, req: Req) -> str | None:
        auth = req.headers.get("authorization", "")
        if auth.startswith("Basic "):
            cid, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            cid, secret = unquote(cid), unquote(secret)
            return cid if (cid, secret) == (CLIENT_ID, CLIENT_SECRET) else None
        form = req.form
        if form.get("client_id") == CLIENT_ID and form.get("client_secret") == CLIENT_SECRET:
            return CLIENT_ID
        if form.get("client_id") == PUBLIC_CLIENT_ID and "client_secret" not in form:
            return PUBLIC_CLIENT_ID
        return None

    def token_endpoint(self, req: Req) -> Resp:
        self.token_requests.append(req)
        if self.token_delay:
            time.sleep(self.token_delay)
        if self.token_failures:
            return self.token_failures.pop(0)
        json_h = {"Content-Type": "application/json", "Cache-Control": "no-store"}
        client = self._client(req)
        if client is None:
            return 401, json_h, {"error": "invalid_client", "error_description": "bad client"}
        form = req.form
        grant = form.get("grant_type")
        with self.lock:
            if grant == "client_credentials" and client == CLIENT_ID:
                return 200, json_h, self.issue()
            if grant == "refresh_token":
                rt = form.get("refresh_token", "")
                if rt not in self.refresh_tokens:
                    return 400, json_h, {"error": "invalid_grant", "error_description": "bad refresh token"}
                self.refresh_tokens.discard(rt)  # rotation
                return 200, json_h, self.issue(with_refresh=True)
            if grant == "authorization_code":
                info = self.codes.pop(form.get("code", ""), None)
                if (info is None or info["redirect_uri"] != form.get("redirect_uri")
                        or s256(form.get("code_verifier", "")) != info["challenge"]):
                    return 400, json_h, {"error": "invalid_grant", "error_description": "bad code"}
                return 200, json_h, self.issue(with_refresh=True)
        return 400, json_h, {"error": "unsupported_grant_type"}

    def dispatch(self, req: Req) -> Resp:
        if req.path == "/oauth/token/" and req.method == "POST":
            return self.token_endpoint(req)
        if req.path == "/oauth/revoke_token/" and req.method == "POST":
            self.revoked.append(req.form.get("token", ""))
            return 200, {}, b""
        if req.path == "/.well-known/oauth-authorization-server":
            return 200, {"Content-Type": "application/json"}, {
                "issuer": self.url, "token_endpoint": self.url + "/oauth/token/",
                "authorization_endpoint": self.url + "/oauth/authorize/",
                "code_challenge_methods_supported": ["S256"]}
        self.requests.append(req)
        handler = self.routes.get((req.method, req.path))
        if handler is None:
            return problem(404, "not_found", f"no route {req.method} {req.path}")
        if req.bearer not in self.valid_tokens and not getattr(handler, "public", False):
            return problem(401, "not_authenticated", "invalid or expired token",
                           headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        return handler(req)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, format: str, *args: Any) -> None:  # silence
        pass

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        req = Req(
            method=self.command,
            path=parts.path,
            query={k: v[0] for k, v in parse_qs(parts.query).items()},
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        status, headers, payload = self.server.platform.dispatch(req)
        if status == -1:  # drop the connection without answering
            self.close_connection = True
            return
        if isinstance(payload, (dict, list)):
            data = json.dumps(payload).encode()
            headers = {"Content-Type": "application/json", **headers}
        else:
            data = payload or b""
        self.send_response(status)
        headers.setdefault("X-Request-ID", f"req_{next(_ids)}")
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    platform: Platform


@pytest.fixture
def platform() -> Iterator[Platform]:
    server = _Server(("127.0.0.1", 0), _Handler)
    plat = Platform()
    server.platform = plat
    plat.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield plat
    finally:
        server.shutdown()
        server.server_close()


class FakeClock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class SleepRecorder:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)

    async def async_sleep(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


def public(fn: Handler) -> Handler:
    fn.public = True  # type: ignore[attr-defined]
    return fn
