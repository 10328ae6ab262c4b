"""Menu labels with a count of what awaits the signed-in user: "待审核通报（3）", "待认定（12）",
"重大事项（2）". One class for every such entry, so each reads its count the same way and caps
it the same way (999+: app.services.counting.MenuCount)."""

from __future__ import annotations

from collections.abc import Callable, Hashable

from flask import has_request_context

from app.services.counting import MenuCount


class CountedLabel:
    """A menu label read when the menu is drawn: ``label``, then ``count()`` for the signed-in
    user in full-width brackets. The bare label outside a request, for a reader who has no
    such count (``count()`` gives None) and, with ``hide_zero``, when nothing waits."""

    def __init__(
        self,
        key: Hashable,
        label: object,
        count: Callable[[], int | None],
        *,
        hide_zero: bool = False,
    ):
        self.key = key
        self.label = label
        self.count = count
        self.hide_zero = hide_zero

    def __str__(self) -> str:
        label = str(self.label)
        if not has_request_context():
            return label
        count = self.count()
        if count is None or (self.hide_zero and count == 0):
            return label
        shown = count if isinstance(count, MenuCount) else MenuCount(int(count))
        return f"{label}（{shown}）"

    __html__ = __str__

    def __hash__(self) -> int:
        return hash(("CountedLabel", self.key))

    def __eq__(self, other) -> bool:
        return isinstance(other, CountedLabel) and other.key == self.key
