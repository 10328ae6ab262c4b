"""FAB's list parameters read defensively (issue 6 item 2).

FAB's ``urltools`` turns ``page_<View>=abc`` into a 500 (bare ``int()``), honours any
``_oc_<View>`` column whether the view declares it or not (a hidden 举报 reporter could be
located by sorting on the customer's phone, Art.13), indexes its filter list with an unchecked
``_flt_<n>`` and caps no web page size. These functions never raise: an argument that cannot be
read is ignored, as if it had not been sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Row ids are BIGINT at most: a larger number names no record.
MAX_ID = 2**63 - 1
# A page past every row is just empty; a bound keeps OFFSET inside 64 bits.
MAX_PAGE = 10_000_000
MAX_PAGE_SIZE = 100  # as FAB_API_MAX_PAGE_SIZE
DIRECTIONS = ("asc", "desc")

_FILTER_ARG = re.compile(r"^_flt_(\d{1,3})_(.+)$")


def whole_number(raw) -> int | None:
    """A non-negative integer written in plain digits, else None (no "1.5", "-1", "1e3")."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 0 <= raw <= MAX_ID else None
    text = str(raw or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def valid_id(raw) -> bool:
    """Whether ``raw`` can be the integer primary key of a row."""
    return whole_number(raw) is not None


@dataclass(frozen=True)
class ListArgs:
    """What one list view may take from the query string."""

    page: int | None
    page_size: int | None
    order_column: str
    order_direction: str


def page_number(raw) -> int | None:
    number = whole_number(raw)
    return None if number is None else min(number, MAX_PAGE)


def page_size(raw, cap: int = MAX_PAGE_SIZE) -> int | None:
    """None (the view's default) when unreadable or zero; at most ``cap``."""
    number = whole_number(raw)
    return min(number, cap) if number else None


def checked_order(column, direction, allowed) -> tuple[str, str]:
    """(column, direction) when the view declares the column and the direction is known;
    ("", "") otherwise, which means the view's default order."""
    if column and column in (allowed or ()) and direction in DIRECTIONS:
        return column, direction
    return "", ""


def list_args(args, view_name: str, order_columns, cap: int = MAX_PAGE_SIZE) -> ListArgs:
    column, direction = checked_order(
        args.get(f"_oc_{view_name}"), args.get(f"_od_{view_name}"), order_columns
    )
    return ListArgs(
        page=page_number(args.get(f"page_{view_name}")),
        page_size=page_size(args.get(f"psize_{view_name}"), cap),
        order_column=column,
        order_direction=direction,
    )


def related_list_args(args, cap: int = MAX_PAGE_SIZE):
    """FAB's ``get_page_args``/``get_page_size_args``/``get_order_args`` for every view named
    in the query string (a show page's related lists), without its exceptions. Orders are
    checked against each related view's own columns later (``SuqiuModelView._get_list_widget``)."""
    pages, sizes, orders = {}, {}, {}
    for key in args:
        if key.startswith("page_") and (page := page_number(args.get(key))) is not None:
            pages[key[len("page_") :]] = page
        elif key.startswith("psize_") and (size := page_size(args.get(key), cap)) is not None:
            sizes[key[len("psize_") :]] = size
        elif key.startswith("_oc_"):
            name = key[len("_oc_") :]
            direction = args.get(f"_od_{name}")
            if direction in DIRECTIONS:
                orders[name] = (args.get(key), direction)
    return pages, sizes, orders


def fill_filters(filters, args, allowed_columns, candidates) -> None:
    """Set the ``_flt_<index>_<column>`` filters of the query string on ``filters`` (a
    per-request copy of the view's ``Filters``). ``candidates`` maps a column to the filter
    instances its index chooses from; a column not allowed, or an index it does not have, is
    ignored."""
    filters.clear_filters()
    for key in sorted(set(args)):
        match = _FILTER_ARG.match(key)
        if not match:
            continue
        index, column = int(match.group(1)), match.group(2)
        options = candidates.get(column) or []
        if column not in allowed_columns or index >= len(options):
            continue
        values = [value for value in args.getlist(key) if isinstance(value, str)]
        if values:
            filters._add_filter(options[index], values)
