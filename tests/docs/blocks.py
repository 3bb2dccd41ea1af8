"""Code blocks of the partner documentation, found by language tag.

Markdown: fenced blocks (```lang). HTML (/developers, as served): `<pre><code class="language-lang">`.
A block a reader cannot run as written (it regenerates the checkout, starts a server that never
returns, is an answer rather than a command) is preceded by `<!-- not-run: reason -->`; the reason
is required and the tests count these blocks, so none goes unrun silently.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

RUNNABLE = {"bash": "bash", "sh": "bash", "shell": "bash", "python": "python", "py": "python",
            "ts": "ts", "typescript": "ts", "js": "ts", "javascript": "ts"}
# Shown answers, not commands: they are never run and need no marker.
OUTPUT = {"json", "http", "text"}

_NOT_RUN = re.compile(r"<!--\s*not-run:\s*(?P<reason>.*?)\s*-->\s*$", re.S)
_FENCE = re.compile(r"^```(?P<lang>[^\s`]*)[^\n]*\n(?P<body>.*?)^```\s*$", re.M | re.S)
_PRE = re.compile(r"<pre><code(?: class=\"language-(?P<lang>[\w-]+)\")?>(?P<body>.*?)</code></pre>", re.S)


@dataclass
class Block:
    source: str
    index: int
    lang: str  # the tag as written ("" when none)
    code: str
    not_run: str | None  # the reason, when marked

    @property
    def kind(self) -> str:
        """bash, python or ts for runnable languages; "output" for shown answers; "" untagged."""
        if self.lang in RUNNABLE:
            return RUNNABLE[self.lang]
        return "output" if self.lang in OUTPUT else ""

    @property
    def runs(self) -> bool:
        return self.kind in {"bash", "python", "ts"} and self.not_run is None

    def __str__(self) -> str:
        return f"{self.source} block {self.index} ({self.lang or 'untagged'})"


def _marker_before(text: str, start: int) -> str | None:
    match = _NOT_RUN.search(text[:start].rstrip() + "\n", max(0, start - 400))
    if match is None:
        return None
    return match.group("reason") or ""


def markdown_blocks(path: Path) -> list[Block]:
    text = path.read_text()
    return [Block("/".join(path.parts[-3:]), i, m.group("lang"), m.group("body"), _marker_before(text, m.start()))
            for i, m in enumerate(_FENCE.finditer(text))]


def html_blocks(page: str, source: str = "/developers") -> list[Block]:
    return [Block(source, i, m.group("lang") or "", html.unescape(m.group("body")), _marker_before(page, m.start()))
            for i, m in enumerate(_PRE.finditer(page))]
