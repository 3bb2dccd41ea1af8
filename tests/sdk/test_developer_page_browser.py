"""/developers on a phone: readable without sideways scrolling, anchors land on their entry.

Chromium is driven in a child process: Playwright's sync API owns an event loop, and other
browser suites keep one open for the whole session in this process.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.sdk.live_server import LivePlatform

pytestmark = pytest.mark.browser

CHECK = r'''
import json, sys
from playwright.sync_api import sync_playwright
chromium, url, width = sys.argv[1], sys.argv[2], int(sys.argv[3])
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.goto(url + "/developers#error-not_found")
    entry = page.locator("#error-not_found")
    print(json.dumps({
        "scroll_width": page.evaluate("document.documentElement.scrollWidth"),
        "entry_visible": entry.is_visible(),
        "entry_text": entry.inner_text(),
        "quickstart": page.locator("#quickstart-python pre").inner_text()[:20],
    }))
    browser.close()
'''


@pytest.fixture(scope="module")
def chromium() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        pytest.skip("no Chromium found: set CHROMIUM_PATH or install Debian's chromium (.ci/run does)")
    return path


@pytest.mark.parametrize("width", [360, 1200])
def test_developer_page_fits_the_screen(chromium: str, live: LivePlatform, width: int) -> None:
    result = subprocess.run([sys.executable, "-c", CHECK, chromium, live.url, str(width)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["scroll_width"] <= width
    assert seen["entry_visible"] and "HTTP 404" in seen["entry_text"]
    assert seen["quickstart"].startswith('"""Quickstart')
