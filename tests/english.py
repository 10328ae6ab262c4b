"""Find English words a user would see on a page: visible text and user-facing attributes."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_WORD = re.compile(r"[A-Za-z][A-Za-z']+")
_HIDDEN_TAGS = {"script", "style", "noscript", "template"}
_TEXT_ATTRS = {"title", "placeholder", "alt", "aria-label", "data-original-title"}
# Words that are data or proper names, not interface text.
ALLOWED = {"suqiu", "local", "demo", "admin"}
# File formats and size units Chinese interfaces write in Latin letters too.
ALLOWED |= {"pdf", "jpg", "jpeg", "png", "mp", "wav", "amr", "m", "kb", "mb"}
ALLOWED |= {"excel", "xlsx", "xls", "csv"}  # 从 Excel 导入, Excel 文件（.xlsx）


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hidden_depth = 0
        self.chunks: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _HIDDEN_TAGS:
            self.hidden_depth += 1
        attrs = dict(attrs)
        if attrs.get("type") == "hidden":
            return
        for name in _TEXT_ATTRS:
            if attrs.get(name):
                self.chunks.append(attrs[name])
        if (
            tag == "input"
            and attrs.get("type") in ("submit", "button", "reset")
            and attrs.get("value")
        ):
            self.chunks.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in _HIDDEN_TAGS and self.hidden_depth:
            self.hidden_depth -= 1

    def handle_data(self, data):
        if not self.hidden_depth:
            self.chunks.append(data)


def english_words(html: str, allowed: set[str] = frozenset()) -> set[str]:
    parser = _VisibleText()
    parser.feed(html)
    words = set()
    for chunk in parser.chunks:
        for word in _WORD.findall(chunk):
            if word.lower() not in ALLOWED and word not in allowed:
                words.add(word)
    return words
