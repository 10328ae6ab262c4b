"""Search filters for our lists in place of FAB's defaults (``search_filter_classes``).

FAB offers English-named operations, ``ilike '%…%'`` on text (a function on the column: no index
at a million cases), and a related-row lookup that compares with NULL when the id is unknown.
These compare the column itself (or its foreign key) with a typed value; a value that cannot be
read leaves the list unfiltered, as if the filter had not been sent. They only ever add a
condition: the branch scope (``ScopedInterface``) is applied to the same query regardless.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.filters import BaseFilter
from sqlalchemy import and_, false, or_, true
from wtforms import SelectChoice, SelectField

from app.domain.i18n import _l
from app.views.list_params import whole_number

YES, NO = "y", "n"


class ClauseFilter(BaseFilter):
    """``clause(value)`` gives the SQL condition, or None to ignore an unreadable value."""

    def clause(self, value):
        raise NotImplementedError

    @property
    def column(self):
        return getattr(self.model, self.column_name)

    def apply(self, query, value):
        condition = self.clause(value if isinstance(value, str) else None)
        return query if condition is None else query.filter(condition)


class EqualTo(ClauseFilter):
    name = _l("Equal to")
    arg_name = "eq"

    def clause(self, value):
        value = (value or "").strip()
        return self.column == value if value else None


class NotEqualTo(ClauseFilter):
    name = _l("Not equal to")
    arg_name = "neq"

    def clause(self, value):
        value = (value or "").strip()
        return or_(self.column.is_(None), self.column != value) if value else None


class StartsWith(ClauseFilter):
    """``LIKE 'abc%'``: a btree index serves it (PostgreSQL with the C collation)."""

    name = _l("Starts with")
    arg_name = "sw"

    def clause(self, value):
        value = (value or "").strip()
        return self.column.startswith(value, autoescape=True) if value else None


class UpperStartsWith(StartsWith):
    """For codes stored in capitals and digits (case numbers): the value is upper-cased, not the
    column, and the prefix is also given as a range, ``number >= 'SQ2026' AND number <
    'SQ2027'``, which the column's unique index serves on both databases (issue 12: ``LIKE``
    with an ESCAPE clause is never an index search on SQLite, nor under a non-C collation on
    PostgreSQL; the LIKE stays, so the range only narrows the rows it reads)."""

    def clause(self, value):
        value = (value or "").strip().upper()
        like = super().clause(value)
        if like is None or not (value.isascii() and value.isalnum()):
            return like  # no case number has other characters: nothing to narrow
        following = value[:-1] + chr(ord(value[-1]) + 1)
        return and_(self.column >= value, self.column < following, like)


class UpperEqualTo(EqualTo):
    def clause(self, value):
        return super().clause((value or "").upper())


def _foreign_key(model, relation: str):
    (column,) = model.__mapper__.relationships[relation].local_columns
    return getattr(model, column.key)


BLANK = "__None"  # the value of FAB's blank choice, shown as （无）


class RelatedIs(ClauseFilter):
    """A many-to-one relation by its foreign key (``branch`` → ``branch_id = 3``); the blank
    choice means none."""

    name = _l("Equal to")
    arg_name = "rel_eq"

    def clause(self, value):
        key = _foreign_key(self.model, self.column_name)
        if value == BLANK:
            return key.is_(None)
        related_id = whole_number(value)
        return None if related_id is None else key == related_id


class RelatedIsNot(ClauseFilter):
    name = _l("Not equal to")
    arg_name = "rel_neq"

    def clause(self, value):
        key = _foreign_key(self.model, self.column_name)
        if value == BLANK:
            return key.is_not(None)
        related_id = whole_number(value)
        return None if related_id is None else or_(key.is_(None), key != related_id)


# FAB's many-to-one filters ("关联"/"不关联", a lookup that compares with NULL when the id is
# unknown) become these on every list (SuqiuModelView).
RELATION_FILTERS = [RelatedIs, RelatedIsNot]


def yes_no_field(label):
    """A 是/否 choice for a yes/no filter (FAB offers a check box, which cannot say 否)."""
    return SelectField(
        label,
        choices=lambda: [SelectChoice(YES, str(_l("Yes"))), SelectChoice(NO, str(_l("No")))],
        widget=Select2Widget(),
        validate_choice=False,
    )


class FlagIs(ClauseFilter):
    """A yes/no column: 是 or 否."""

    name = _l("Is")
    arg_name = "flag"

    def clause(self, value):
        # "= true", not "IS true": PostgreSQL can use an index for the first only.
        if value == YES:
            return self.column == true()
        if value == NO:
            return self.column == false()
        return None


def _day(value) -> date | None:
    try:
        return date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None


class OnOrAfter(ClauseFilter):
    """From the start of the day chosen in the date picker."""

    name = _l("On or after")
    arg_name = "from"

    def clause(self, value):
        day = _day(value)
        return None if day is None else self.column >= datetime.combine(day, datetime.min.time())


class OnOrBefore(ClauseFilter):
    """Up to the end of the day chosen (before the next day's midnight)."""

    name = _l("On or before")
    arg_name = "to"

    def clause(self, value):
        day = _day(value)
        if day is None:
            return None
        if day == date.max:
            return self.column.is_not(None)
        return self.column < datetime.combine(day + timedelta(days=1), datetime.min.time())
