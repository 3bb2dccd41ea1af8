"""The platform as a partner sees it: gunicorn serving the Django app on a free port.

`start_platform()` makes a fresh database (a temp SQLite file, or, when DATABASE_URL names
a PostgreSQL server, a new database on that server dropped afterwards, so parallel runs
never share one), runs `migrate` and `manage.py seed --json` (whose output gives the demo
credentials), then serves the WSGI app with gunicorn on 127.0.0.1:<free port> until
`stop()`. Nothing of the platform is mocked: tests talk real HTTP to it.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SDK_PYTHON_SRC = ROOT / "sdk" / "python" / "src"
SDK_TS = ROOT / "sdk" / "typescript"

# Variables of the test process that must not leak into the server (it runs on its own
# database, local-memory cache and eager Celery).
_DROP = ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "DJANGO_SETTINGS_MODULE", "PYTEST_XDIST_WORKER")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LivePlatform:
    url: str
    seed: dict[str, Any]
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    workdir: Path
    log_path: Path
    _cleanup: list[Any] = field(default_factory=list)

    # convenient views of the seed output
    @property
    def third_party(self) -> dict[str, str]:
        return self.seed["clients"]["third_party"]

    def customer(self, username: str = "wei.zhang") -> dict[str, Any]:
        return next(c for c in self.seed["customers"] if c["username"] == username)

    def manage(self, *args: str) -> str:
        """Run a management command against the server's database; returns stdout."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        for fn in reversed(self._cleanup):
            fn()


def _database(workdir: Path) -> tuple[str, Any]:
    """A database URL of our own, and how to drop it."""
    configured = os.environ.get("DATABASE_URL", "")
    if configured.startswith(("postgres://", "postgresql://")):
        import psycopg

        parsed = urllib.parse.urlsplit(configured)
        name = f"{(parsed.path.lstrip('/') or 'openbank')}_sdk_{os.getpid()}_{int(time.time())}"[:63]
        admin = parsed._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')

        def drop() -> None:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        return parsed._replace(path="/" + name).geturl(), drop
    return f"sqlite:///{workdir / 'db.sqlite3'}", lambda: None


def start_platform(*, workers: int = 1, threads: int = 8, extra_env: dict[str, str] | None = None) -> LivePlatform:
    workdir = Path(tempfile.mkdtemp(prefix="openbank-live-"))
    database_url, drop_database = _database(workdir)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in _DROP}
    env.update(
        {
            "DATABASE_URL": database_url,
            "VAR_DIR": str(workdir),
            "PUBLIC_BASE_URL": url,
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "API_RATE_LIMIT": "100000/min",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PYTHONPATH": f"{ROOT / 'platform'}{os.pathsep}{ROOT}",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra_env or {})
    cleanup: list[Any] = [lambda: shutil.rmtree(workdir, ignore_errors=True), drop_database]

    def run(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    try:
        run("migrate", "--no-input", "-v", "0")
        seed = json.loads(run("seed", "--json"))
        log_path = workdir / "server.log"
        log = log_path.open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
             "--timeout", "60", "--access-logfile", "-", "--error-logfile", "-"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        cleanup.insert(0, log.close)
        live = LivePlatform(url=url, seed=seed, env=env, process=process, workdir=workdir, log_path=log_path,
                            _cleanup=cleanup)
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with {process.returncode}:\n{live.log()}")
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                live.stop()
                raise RuntimeError(f"the server did not answer /healthz within 60 s:\n{live.log()}")
            time.sleep(0.2)
        return live
    except BaseException:
        for fn in reversed(cleanup):
            try:
                fn()
            except Exception:  # noqa: BLE001, S110
                pass
        raise


def node_available() -> str | None:
    """Why the TypeScript SDK cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed (the TypeScript SDK needs Node 20+)"
    if shutil.which("npm") is None:
        return "npm is not installed"
    if not (SDK_TS / "node_modules" / ".bin" / "tsc").exists():
        return "sdk/typescript/node_modules is missing: run `npm ci` in sdk/typescript"
    return None


def build_typescript() -> Path:
    """Compile the SDK (dist/) and the e2e programs (dist-e2e/); returns dist-e2e."""
    for script in ("build", "build:e2e"):
        result = subprocess.run(["npm", "run", "--silent", script], cwd=SDK_TS, capture_output=True, text=True,
                                timeout=300)
        if result.returncode != 0:
            raise RuntimeError(f"npm run {script} failed:\n{result.stdout}\n{result.stderr}")
    return SDK_TS / "dist-e2e"


def run_node(script: Path, live: LivePlatform, *, env: dict[str, str] | None = None,
             timeout: float = 180) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ)
    full_env.update({"OPENBANK_URL": live.url, "OPENBANK_SEED": json.dumps(live.seed)})
    full_env.update(env or {})
    return subprocess.run(["node", str(script)], cwd=SDK_TS, env=full_env, capture_output=True, text=True,
                          timeout=timeout)
