"""The first hour of a new partner developer: what `make run` prints and what the browser opens.

- /api/docs/ and /api/redoc/ load every script, style sheet and icon from the platform
  (no CDN: they work offline), and the schema they show names the server actually serving it;
- `/` is a landing page with links that answer, `/favicon.ico` an icon;
- `make run | jq` parses: only the seed JSON on stdout, with the account numbers a payment's
  creditor needs;
- a development server on PostgreSQL leaves no database connection behind per request.
"""
from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from config.settings import database_conn_max_age
from django.conf import settings
from django.db import connection
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


class _References(HTMLParser):
    """Every URL a page makes the browser load or offers as a link."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[str] = []  # <script src>, <link href>, <img src>
        self.links: list[str] = []  # <a href>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in {"script", "img"} and values.get("src"):
            self.loaded.append(str(values["src"]))
        elif tag == "link" and values.get("href"):
            self.loaded.append(str(values["href"]))
        elif tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))


def _references(html: str) -> _References:
    parser = _References()
    parser.feed(html)
    return parser


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else bytes(response.content)


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_api_docs_load_every_asset_from_the_platform(page: str) -> None:
    client = Client()
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    # Nothing outside the platform: no CDN script, no web font, no online validator.
    assert re.findall(r"https?://", html) == [], "the docs page references another site"
    assets = _references(html).loaded
    assert any(a.endswith(".js") for a in assets), assets
    for asset in assets:
        assert asset.startswith("/"), asset
        fetched = client.get(asset)
        assert fetched.status_code == 200, asset
        assert len(_body(fetched)) > 0, asset


def test_swagger_ui_bundle_is_the_real_one() -> None:
    client = Client()
    html = client.get("/api/docs/").content.decode()
    bundle = next(a for a in _references(html).loaded if a.endswith("swagger-ui-bundle.js"))
    assert b"SwaggerUIBundle" in _body(client.get(bundle))


def _served_schema(**headers: str) -> dict[str, Any]:
    response = Client().get("/api/schema/", **headers)
    assert response.status_code == 200
    return dict(yaml.safe_load(response.content))


def test_served_schema_names_the_host_and_port_it_was_fetched_from() -> None:
    schema = _served_schema(HTTP_HOST="localhost:8123")
    assert schema["servers"] == [{"url": "http://localhost:8123", "description": "This server"}]


@pytest.mark.django_db
def test_served_schema_names_public_base_url_when_set(settings: Any) -> None:
    settings.PUBLIC_BASE_URL = "https://sandbox.bank.example/"
    schema = _served_schema(HTTP_HOST="localhost:8123")
    assert [s["url"] for s in schema["servers"]] == ["https://sandbox.bank.example"]


def test_committed_schema_keeps_the_sandbox_server() -> None:
    """The file is generated without a request: it must not depend on who generated it."""
    committed = yaml.safe_load((ROOT / "openapi" / "openapi.yaml").read_text())
    assert committed["servers"] == settings.SPECTACULAR_SETTINGS["SERVERS"]


def test_landing_page_links_to_everything_a_newcomer_opens() -> None:
    client = Client()
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    refs = _references(response.content.decode())
    for expected in ["/developers", "/api/docs/", "/api/redoc/", "/api/schema/", "/admin/", "/bank/login/", "/bank/connected-apps/"]:
        assert expected in refs.links, expected
    assert "/favicon.ico" in refs.loaded
    for link in refs.links:
        if link.startswith("/"):
            # The connected apps and the admin send a signed-out visitor to sign in.
            assert client.get(link).status_code in {200, 302}, link


def test_favicon_is_an_icon_and_the_bank_pages_name_it() -> None:
    client = Client()
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # ICO header: reserved 0, type 1 (icon)
    assert 'rel="icon" href="/favicon.ico"' in client.get("/bank/login/").content.decode()


def test_root_under_debug_is_the_landing_page_not_the_debug_url_list(settings: Any) -> None:
    settings.DEBUG = True  # as under `make run`, where a missing route lists every URL pattern
    response = Client().get("/")
    assert response.status_code == 200
    assert b"URLconf" not in response.content
    assert b"OpenBank sandbox" in response.content


# --- database connections -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "environ", "expected"),
    [
        (["manage.py", "runserver"], {}, 0),
        (["manage.py", "runserver", "127.0.0.1:8000"], {"DB_CONN_MAX_AGE": "60"}, 0),
        (["/venv/lib/python3.11/site-packages/django/__main__.py", "runserver"], {}, 0),
        (["gunicorn", "config.wsgi"], {}, 60),
        (["gunicorn", "config.wsgi"], {"DB_CONN_MAX_AGE": "600"}, 600),
        (["manage.py", "migrate"], {"DB_CONN_MAX_AGE": "0"}, 0),
    ],
)
def test_conn_max_age_is_zero_under_runserver_only(argv: list[str], environ: dict[str, str], expected: int) -> None:
    assert database_conn_max_age(argv, environ) == expected


def _settings_as_seen_by(argv: list[str], **env: str) -> dict[str, Any]:
    """The database settings a process started as `argv` gets (settings read sys.argv)."""
    code = (
        "import json, sys; sys.argv = json.loads(sys.argv[1]); sys.path[:0] = ['platform', '.'];"
        "from config import settings as s; d = s.DATABASES['default'];"
        "print(json.dumps({'age': d['CONN_MAX_AGE'], 'checks': d['CONN_HEALTH_CHECKS']}))"
    )
    environ = {**os.environ, **env}
    result = subprocess.run(
        [sys.executable, "-c", code, json.dumps(argv)], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_settings_on_postgres_close_connections_under_runserver_and_check_kept_ones() -> None:
    pg = "postgres://postgres@127.0.0.1:5432/example"
    assert _settings_as_seen_by(["manage.py", "runserver"], DATABASE_URL=pg, DB_CONN_MAX_AGE="60") == {"age": 0, "checks": True}
    assert _settings_as_seen_by(["gunicorn"], DATABASE_URL=pg) == {"age": 60, "checks": True}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, process: _Started, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {seconds}s")


class _Started:
    """A process started in its own group, its output in files (a full pipe would block it)."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.out, self.err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
        self.process = subprocess.Popen(args, cwd=cwd, env=env, stdout=self.out, stderr=self.err, start_new_session=True)

    def poll(self) -> int | None:
        return self.process.poll()

    @property
    def returncode(self) -> int | None:
        return self.process.returncode

    def output(self) -> tuple[str, str]:
        texts = []
        for f in (self.out, self.err):
            f.seek(0)
            texts.append(f.read().decode())
        return texts[0], texts[1]


@contextmanager
def _started(args: list[str], env: dict[str, str], cwd: Path = ROOT) -> Iterator[_Started]:
    """Start `args` and end its whole process group afterwards (make, runserver, its reloader)."""
    started = _Started(args, env, cwd)
    process = started.process
    try:
        yield started
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)
        started.out.close()
        started.err.close()


@pytest.mark.postgres
@pytest.mark.live
@pytest.mark.django_db
def test_runserver_on_postgres_keeps_no_connection_per_request() -> None:
    """runserver serves each client connection on a thread of its own; a kept database
    connection would stay open with every such thread (an SDK's keep-alive pool holds them)."""
    name = f"first-hour-{uuid.uuid4().hex[:12]}"
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    port = _free_port()
    # DB_CONN_MAX_AGE as a production environment sets it: runserver must still close.
    env = {**os.environ, "DATABASE_URL": url, "PGAPPNAME": name, "DB_CONN_MAX_AGE": "60", "DEBUG": "0"}
    env.pop("ROOT_URLCONF", None)
    clients = 20
    with _started([sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"], env) as server:
        _wait_for(f"http://127.0.0.1:{port}/healthz", server)
        pool = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(clients)]
        try:
            for client in pool:  # /healthz runs SELECT 1; each keep-alive connection is one server thread
                client.request("GET", "/healthz")
                response = client.getresponse()
                response.read()
                assert response.status == 200
                assert response.getheader("Connection") != "close"  # the thread stays for the next request
            time.sleep(0.5)
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [name])
                (open_connections,) = cursor.fetchone()
        finally:
            for client in pool:
                client.close()
    assert open_connections == 0, f"{open_connections} database connections held after {clients} finished requests"


# --- make run ---------------------------------------------------------------------------------


@pytest.mark.live
def test_make_run_prints_only_the_seed_json_on_stdout(tmp_path: Path) -> None:
    """`make run | jq` parses; the install, migrate and server lines go to stderr."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / ".runtime").touch()  # the installed-runtime stamp, newer than requirements.txt: no pip run
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "ROOT_URLCONF", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    env["VAR_DIR"] = str(tmp_path / "var")  # a fresh SQLite file: what a new clone gets
    args = ["make", "run", f"VENV={venv}", f"PY={sys.executable}", "HOST=127.0.0.1", f"PORT={port}"]
    base = f"http://127.0.0.1:{port}"
    with _started(args, env) as process:
        _wait_for(f"{base}/healthz", process, seconds=240)
        # What the browser then opens: the docs and every asset they load, over real HTTP,
        # and a schema whose server is the port `make run` was given (where "Try it out" goes).
        with urllib.request.urlopen(f"{base}/api/docs/", timeout=10) as response:
            assets = _references(response.read().decode()).loaded
        for asset in assets:
            with urllib.request.urlopen(f"{base}{asset}", timeout=30) as response:
                assert response.status == 200 and response.read(), asset
        with urllib.request.urlopen(f"{base}/api/schema/", timeout=30) as response:
            assert yaml.safe_load(response.read())["servers"][0]["url"] == base
        time.sleep(1)  # runserver's banner, written before it answered, is in its file by now
        stdout, stderr = process.output()
    data = json.loads(stdout)  # fails on any line other than the seed's JSON
    assert "Serving on" in stderr
    assert "Starting development server" in stderr
    customers = data["customers"]
    assert customers and all(c["deposit_accounts"] for c in customers)
    numbers = [a["account_number"] for c in customers for a in c["deposit_accounts"]]
    assert all(re.fullmatch(r"\d{12,34}", n) for n in numbers), numbers
    for customer in customers:
        assert [a["id"] for a in customer["deposit_accounts"]] == customer["accounts"]
        assert customer["display_name"]


def test_production_serves_the_docs_assets_it_collected(tmp_path: Path) -> None:
    """The image runs collectstatic and nothing else serves files: the web process must."""
    environ = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "WHITENOISE_USE_FINDERS"}}
    environ.update(DJANGO_ENV="production", SECRET_KEY="k" * 50, ALLOWED_HOSTS="testserver", VAR_DIR=str(tmp_path))
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input"], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
    )
    assert collected.returncode == 0, collected.stderr
    code = (
        "import sys; sys.path[:0] = ['platform', '.']; import os;"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); import django; django.setup();"
        "from django.test import Client; c = Client();"
        "print(' '.join(str(c.get(u).status_code) for u in sys.argv[1:]))"
    )
    assets = ["/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js", "/static/admin/css/base.css"]
    fetched = subprocess.run([sys.executable, "-c", code, *assets], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120)
    assert fetched.returncode == 0, fetched.stderr
    assert fetched.stdout.split() == ["200", "200"]
