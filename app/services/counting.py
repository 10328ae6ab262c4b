"""Counts that do not grow with the table (issue 12): a list or queue counts at most a cap of
rows, one LIMITed count instead of an exact count over everything in scope. Past the cap the
page says 超过 10,000 条 and the menu 999+; pages beyond still work."""

from __future__ import annotations

from app.domain.i18n import _l

COUNT_CAP = 10_000  # lists and queue pages
MENU_CAP = 999  # the queue counts in the menu, one capped count per queue


class CappedCount(int):
    """A row count that stopped at its cap: pagination computes with the number, the page shows
    超过 10,000 (FAB's list header prints the count with ``str``)."""

    def __str__(self) -> str:
        return str(_l("more than %(n)s", n=f"{int(self):,}"))

    def __html__(self) -> str:
        return str(self)


class MenuCount(int):
    """A queue count in the menu: 999+ past MENU_CAP."""

    capped: bool

    def __new__(cls, count: int) -> MenuCount:
        shown = super().__new__(cls, min(count, MENU_CAP))
        shown.capped = count > MENU_CAP
        return shown

    def __str__(self) -> str:
        return f"{int(self)}+" if self.capped else str(int(self))


def capped(count: int) -> int:
    return CappedCount(COUNT_CAP) if count > COUNT_CAP else count
