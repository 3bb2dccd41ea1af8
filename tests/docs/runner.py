"""Run documentation blocks the way a partner would: in a project of their own, against a live server.

Blocks of one language in one document form a session, in page order (bash: one shell, so
variables carry over; python: one interpreter namespace; TypeScript: each block is its own
module, compiled by the project's `tsc` and run by `node`). When a block prints the bank's
`/oauth/authorize/` URL and waits for the address the browser was sent back to (as the docs tell
a developer to paste it), the customer signs in and allows the consent here, on the bank's real
pages (tests.sdk.conftest.authorize_in_browser), and the redirect is written to the block's stdin.
"""
from __future__ import annotations

import json
import re
import subprocess
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.docs.blocks import Block
from tests.sdk.conftest import authorize_in_browser
from tests.sdk.live_server import LivePlatform

_AUTHORIZE = re.compile(r"(https?://\S+/oauth/authorize/\?\S+)")
MARK = "::docblock "

# One namespace for every block of a document, like pasting them into one REPL in order.
_PY_RUNNER = r'''
import json, sys, traceback
blocks = json.load(open(sys.argv[1]))
namespace = {"__name__": "__main__"}
for index, code in blocks:
    print("::docblock %d" % index, flush=True)
    try:
        exec(compile(code, "<block %d>" % index, "exec"), namespace)
    except BaseException:
        traceback.print_exc()
        print("::docblock-failed %d" % index, file=sys.stderr, flush=True)
        sys.exit(1)
    sys.stdout.flush()
'''


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str
    authorizations: int

    def explain(self, blocks: Sequence[Block]) -> str:
        ran = [int(m) for m in re.findall(r"^::docblock (\d+)$", self.stdout, re.M)]
        where = f"{blocks[0].source} block {ran[-1]}" if ran else "before the first block"
        return f"exit {self.returncode} in {where}\n--- stdout\n{self.stdout[-4000:]}\n--- stderr\n{self.stderr[-4000:]}"


def run_interactive(cmd: list[str], *, cwd: Path, env: dict[str, str], live: LivePlatform,
                    redirect_uri: str, timeout: float = 300) -> Result:
    process = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, bufsize=1)
    assert process.stdout and process.stdin and process.stderr
    out: list[str] = []
    err: list[str] = []
    authorizations = 0
    errors: list[BaseException] = []
    reader = threading.Thread(target=lambda: err.extend(process.stderr), daemon=True)  # type: ignore[arg-type]
    reader.start()
    timer = threading.Timer(timeout, process.kill)
    timer.start()
    try:
        for line in process.stdout:
            out.append(line)
            match = _AUTHORIZE.search(line)
            if match and not errors:
                try:
                    redirect = authorize_in_browser(live, match.group(1), redirect_uri)
                    authorizations += 1
                    process.stdin.write(redirect + "\n")
                    process.stdin.flush()
                except BaseException as exc:  # noqa: BLE001 - reported with the block's output
                    errors.append(exc)
                    process.kill()
        process.wait()
    finally:
        timer.cancel()
        reader.join(timeout=10)
    stderr = "".join(err) + "".join(f"\n[harness] signing in failed: {e!r}" for e in errors)
    return Result(process.returncode if not errors else 99, "".join(out), stderr, authorizations)


def _stem(block: Block) -> str:
    return re.sub(r"\W", "_", block.source).strip("_")


def bash_session(blocks: Sequence[Block], **kw) -> Result:
    # -e/-u/pipefail: a failing command or an undefined variable stops the walk-through.
    script = ["set -euo pipefail"]
    for block in blocks:
        script += [f"echo '{MARK}{block.index}'", block.code]
    path = kw["cwd"] / f"doc_{_stem(blocks[0])}.sh"
    path.write_text("\n".join(script) + "\n")
    return run_interactive(["bash", str(path)], **kw)


def python_session(blocks: Sequence[Block], *, python: Path, **kw) -> Result:
    runner = kw["cwd"] / "docblocks_runner.py"
    runner.write_text(_PY_RUNNER)
    data = kw["cwd"] / f"doc_{_stem(blocks[0])}.py.json"
    data.write_text(json.dumps([[b.index, b.code] for b in blocks]))
    return run_interactive([str(python), "-u", str(runner), str(data)], **kw)


def ts_session(blocks: Sequence[Block], **kw) -> Result:
    cwd: Path = kw["cwd"]
    stem = _stem(blocks[0])
    files = []
    for block in blocks:
        path = cwd / f"doc_{stem}_{block.index}.ts"
        path.write_text(block.code)
        files.append(path)
    tsc = cwd / "node_modules" / ".bin" / "tsc"
    if not tsc.exists():
        return Result(98, "", f"{tsc} is missing: the document's install block must install typescript", 0)
    # The compile line the docs give partners (Node 20 runs the emitted ESM .js).
    compile_ = subprocess.run(
        [str(tsc), "--module", "nodenext", "--target", "es2022", "--strict", "--types", "node",
         *[p.name for p in files]], cwd=cwd, env=kw["env"], capture_output=True, text=True, timeout=300)
    if compile_.returncode != 0:
        return Result(compile_.returncode, compile_.stdout, "tsc failed:\n" + compile_.stderr, 0)
    out, err, authorizations = [], [], 0
    for block, path in zip(blocks, files, strict=True):
        result = run_interactive(["node", path.with_suffix(".js").name], **kw)
        out.append(f"{MARK}{block.index}\n{result.stdout}")
        err.append(result.stderr)
        authorizations += result.authorizations
        if result.returncode != 0:
            return Result(result.returncode, "".join(out), "".join(err), authorizations)
    return Result(0, "".join(out), "".join(err), authorizations)
