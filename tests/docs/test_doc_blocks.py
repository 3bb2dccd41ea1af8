"""Every code block of the partner docs runs as written against a live, seeded sandbox.

The inventory test (in `make test`) checks every block is tagged and either runs or says why
not (`<!-- not-run: reason -->`), and counts them per document so a block cannot stop running
unnoticed. The live tests (`-m sdk`) pack both SDKs (`make sdk-pack`), install them by path in a
partner's project outside the checkout and run each document's blocks there (tests/docs/runner.py).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs import runner
from tests.docs.blocks import Block, html_blocks, markdown_blocks
from tests.sdk.live_server import ROOT, LivePlatform

DOCS = {
    "python-readme": ROOT / "sdk" / "python" / "README.md",
    "typescript-readme": ROOT / "sdk" / "typescript" / "README.md",
    "sdks": ROOT / "docs" / "sdks.md",
    "oauth": ROOT / "docs" / "oauth.md",
}
# (blocks that run, blocks marked not-run): change it together with the document.
INVENTORY = {
    "python-readme": (8, 3),
    "oauth": (15, 0),
    "typescript-readme": (7, 3),
    "sdks": (1, 2),
    "developers": (4, 2),
}


def _blocks(name: str, page: str | None = None) -> list[Block]:
    if name == "developers":
        if page is None:
            from django.test import Client

            response = Client().get("/developers")
            assert response.status_code == 200
            page = response.content.decode()
        return html_blocks(page)
    return markdown_blocks(DOCS[name])


@pytest.mark.parametrize("name", sorted(INVENTORY))
def test_every_block_is_tagged_and_runs_or_says_why_not(name: str) -> None:
    blocks = _blocks(name)
    untagged = [str(b) for b in blocks if not b.kind]
    assert not untagged, f"tag these blocks (bash, python, ts, or json/http/text for answers): {untagged}"
    unexplained = [str(b) for b in blocks if b.not_run is not None and not b.not_run.strip()]
    assert not unexplained, f"a not-run marker needs a reason: {unexplained}"
    runnable = [b for b in blocks if b.kind in {"bash", "python", "ts"}]
    counts = (sum(b.runs for b in runnable), sum(not b.runs for b in runnable))
    assert counts == INVENTORY[name], f"{name}: {counts[0]} blocks run, {counts[1]} marked not-run"


def _run(blocks: list[Block], *, project: Path, env: dict[str, str], live: LivePlatform) -> int:
    """Each language's session of the document, bash first (the install blocks); returns sign-ins."""
    kw = {"cwd": project, "env": env, "live": live, "redirect_uri": live.third_party["redirect_uri"]}
    signins = 0
    for kind in ("bash", "python", "ts"):
        session = [b for b in blocks if b.runs and b.kind == kind]
        if not session:
            continue
        if kind == "bash":
            result = runner.bash_session(session, **kw)
        elif kind == "python":
            python = project / ".venv" / "bin" / "python"
            assert python.exists(), "the document's install block must create the project's .venv"
            result = runner.python_session(session, python=python, **kw)
        else:
            result = runner.ts_session(session, **kw)
        assert result.returncode == 0, result.explain(session)
        ran = result.stdout.count(runner.MARK)
        assert ran == len(session), f"{ran} of {len(session)} blocks ran:\n{result.explain(session)}"
        signins += result.authorizations
    return signins


@pytest.mark.sdk
def test_python_readme_runs_in_a_partners_project(live: LivePlatform, project: Path, doc_env: dict[str, str]) -> None:
    signins = _run(_blocks("python-readme"), project=project, env=doc_env, live=live)
    assert signins == 2  # the account-access consent and the payment consent


@pytest.mark.sdk
def test_oauth_walk_through_completes_against_the_sandbox(live: LivePlatform, project: Path,
                                                          doc_env: dict[str, str]) -> None:
    """Consent, sign-in, code exchange, reads, refresh, revocation, then a payment booked and read back."""
    signins = _run(_blocks("oauth"), project=project, env=doc_env, live=live)
    assert signins == 2


@pytest.mark.sdk
def test_typescript_readme_runs_on_node_from_the_tarball(live: LivePlatform, project: Path,
                                                          doc_env: dict[str, str]) -> None:
    """Installed by path, compiled against the shipped .d.ts, run by Node as ESM."""
    signins = _run(_blocks("typescript-readme"), project=project, env=doc_env, live=live)
    assert signins == 1
    installed = project / "node_modules" / "@openbank" / "sdk"
    assert (installed / "dist" / "index.d.ts").exists() and not (installed / "src").exists()


@pytest.mark.sdk
def test_sdks_md_install_by_path_works(live: LivePlatform, project: Path, doc_env: dict[str, str]) -> None:
    _run(_blocks("sdks"), project=project, env=doc_env, live=live)


@pytest.mark.sdk
def test_developer_page_blocks_run_as_served(live: LivePlatform, project: Path, doc_env: dict[str, str]) -> None:
    """The page as the live server renders it (its base URL in the curl lines), quickstarts included."""
    import httpx

    page = httpx.get(live.url + "/developers", timeout=30).text
    _run(_blocks("developers", page), project=project, env=doc_env, live=live)
