"""The day and the month of a stored time, as text, in SQL on SQLite and PostgreSQL alike.

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
