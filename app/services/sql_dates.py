"""The day and the month of a stored time, as text, in SQL on SQLite and PostgreSQL alike, and
a grouping key that leaves the planner free to use the WHERE clause's indexes.

Times are stored naive, in Asia/Shanghai local time (app.domain.clock), so truncating the stored
value is truncating the local day: no zone conversion. ``day_of(col)`` gives 'YYYY-MM-DD' and
``month_of(col)`` 'YYYY-MM', the keys a GROUP BY of the dashboards uses (issue 9).
"""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


class _Truncated(FunctionElement):
    type = String()
    inherit_cache = True
    width = 0  # characters of the ISO text kept
    pattern = ""  # PostgreSQL's to_char pattern


class day_of(_Truncated):  # noqa: N801 - reads as a SQL function
    name = "day_of"
    inherit_cache = True
    width = 10
    pattern = "YYYY-MM-DD"


class month_of(_Truncated):  # noqa: N801
    name = "month_of"
    inherit_cache = True
    width = 7
    pattern = "YYYY-MM"


@compiles(_Truncated)
def _sqlite(element, compiler, **kw):
    # SQLite stores 'YYYY-MM-DD HH:MM:SS[.ffffff]': the prefix is the day (or month).
    (column,) = element.clauses
    return f"substr({compiler.process(column, **kw)}, 1, {element.width})"


@compiles(_Truncated, "postgresql")
def _postgresql(element, compiler, **kw):
    (column,) = element.clauses
    return f"to_char({compiler.process(column, **kw)}, '{element.pattern}')"


class unordered(FunctionElement):  # noqa: N801
    """A column to group by without walking its index: SQLite otherwise reads a whole index in
    the grouping's order (every case of every unit, 7 s at 1 M cases) rather than the few
    index ranges of the WHERE clause and a small sort; ``+col`` is its documented way to say
    so. PostgreSQL plans the grouping itself: the column as it is."""

    name = "unordered"
    inherit_cache = True


@compiles(unordered)
def _unordered_sqlite(element, compiler, **kw):
    (column,) = element.clauses
    return f"+{compiler.process(column, **kw)}"


@compiles(unordered, "postgresql")
def _unordered_postgresql(element, compiler, **kw):
    (column,) = element.clauses
    return compiler.process(column, **kw)
