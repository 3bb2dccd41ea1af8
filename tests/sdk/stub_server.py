"""A tiny scripted HTTP server for what the platform should never do on purpose.

Used only for the SDK's retry behaviour (503 then 200, 429 with Retry-After): it tests
the SDKs, not the platform, so a stub is the honest tool here. Each route answers from a
queue of scripted responses, the last one repeating; every request is recorded.
"""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Scripted = tuple[int, dict[str, str], Any]

CONSENT = {
    "id": "cns_01M8STUB000000000000000000",
    "kind": "account_access",
    "status": "awaiting_authorisation",
    "permissions": ["read_accounts"],
    "expires_at": "2030-01-01T00:00:00Z",
    "created_at": "2026-01-01T00:00:00Z",
    "status_changed_at": "2026-01-01T00:00:00Z",
    "authorised_at": None,
    "account_ids": [],
    "revoked_by": None,
    "payment": None,
}


def problem(status: int, code: str, headers: dict[str, str] | None = None) -> Scripted:
    body = {"type": f"/developers#error-{code}", "title": code, "status": status, "detail": code, "code": code,
            "request_id": "req_stub", "errors": []}
    return status, {"Content-Type": "application/problem+json", **(headers or {})}, body


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class StubServer:
    url: str = ""
    routes: dict[tuple[str, str], list[Scripted]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)

    def script(self, method: str, path: str, *responses: Scripted) -> None:
        self.routes[(method, path)] = list(responses)

    def to(self, method: str, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path.split("?")[0] == path]


@contextmanager
def stub_server() -> Iterator[StubServer]:
    stub = StubServer()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # one small response per request: no 40 ms delayed-ACK stall

        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with lock:
                stub.requests.append(Recorded(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                                              body))
                queue = stub.routes.get((self.command, self.path.split("?")[0]))
                if not queue:
                    status, headers, payload = problem(404, "not_found")
                else:
                    status, headers, payload = queue.pop(0) if len(queue) > 1 else queue[0]
            data = json.dumps(payload).encode() if payload is not None else b""
            self.send_response(status)
            headers = {"Content-Type": "application/json", **headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = do_PATCH = _answer

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()


def script_retry_scenario(stub: StubServer) -> None:
    """GET consents: 503 then 200; POST consents: 429 (Retry-After: 1) then 201."""
    stub.script("GET", "/api/v1/consents", problem(503, "unavailable"),
                (200, {}, {"data": [CONSENT], "has_more": False, "next_cursor": None}))
    stub.script("POST", "/api/v1/consents", problem(429, "rate_limited", {"Retry-After": "1"}), (201, {}, CONSENT))
