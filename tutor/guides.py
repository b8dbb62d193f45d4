"""Guides served from the site itself, rendered from the repository's docs (one source: the Markdown file)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

CONTENT_FORMAT = "content-format.md"


@lru_cache(maxsize=4)
def guide_html(name: str) -> SafeString:
    """docs/``name`` as HTML. Raw HTML in the Markdown is escaped, not passed through (``html``: False), so
    the page holds only what Markdown itself makes."""
    text = (Path(settings.BASE_DIR) / "docs" / name).read_text(encoding="utf-8")
    renderer = MarkdownIt("commonmark", {"html": False}).enable("table")
    # A code block wider than the page scrolls: a keyboard user must be able to focus it to scroll it (WCAG 2.1.1).
    # Every "<pre>" here is Markdown's own, since raw HTML was escaped.
    html = renderer.render(text).replace("<pre>", '<pre tabindex="0">')
    return mark_safe(html)  # noqa: S308 (rendered with raw HTML disabled)
