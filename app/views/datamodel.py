"""FAB's SQLAlchemy interface with the branch scope applied to every read and every write.

FAB calls ``_apply_inner_all`` for lists, counts, ``get`` (show, edit, delete, actions, API) and the
choice lists of related fields (``get_related_interface`` returns this class too), so one override
closes every read path; add, edit and delete go through ``app.services.masterdata``.
"""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.domain.i18n import _l
from app.extensions import db
from app.services import masterdata
from app.services.actor import current_actor
from app.views.list_params import valid_id

# Lists count at most this many rows (issue 12: FAB's exact count read every row in scope, the
# whole table for company-wide roles, on every page view).
COUNT_CAP = 10_000


class CappedCount(int):
    """A list's row count that stopped at COUNT_CAP: pagination computes with the number, the
    page shows 超过 10,000 (FAB's list header prints the count with ``str``)."""

    def __str__(self) -> str:
        return str(_l("more than %(n)s", n=f"{COUNT_CAP:,}"))

    def __html__(self) -> str:
        return str(self)


def capped(count: int) -> int:
    return CappedCount(COUNT_CAP) if count > COUNT_CAP else count


class ScopedInterface(SQLAInterface):
    def __init__(self, obj, session=None):
        super().__init__(obj, session or db.session)

    def _apply_inner_all(self, query, filters=None, *args, **kwargs):
        query = current_actor().scope.apply(query, self.obj)
        return super()._apply_inner_all(query, filters, *args, **kwargs)

    def query_count(self, query, filters=None, select_columns=None):
        inner = self._apply_inner_all(
            query, filters, select_columns=select_columns, aliases_mapping={}
        )
        return capped(inner.limit(COUNT_CAP + 1).count())

    def get(self, id, filters=None, *args, **kwargs):
        # A key that is no integer, or beyond 64 bits, names no row: asking the database would
        # fail (SQLite overflow, PostgreSQL out of range) and give a 500 on every route using it.
        if not self.is_pk_composite() and self.is_integer(self.get_pk_name()) and not valid_id(id):
            return None
        return super().get(id, filters, *args, **kwargs)

    def get_related_obj(self, col_name, value):
        return self.get_related_interface(col_name).get(value)

    def add(self, item, commit=True):
        masterdata.save(self.session, current_actor(), item, is_new=True)

    def edit(self, item, commit=True):
        masterdata.save(self.session, current_actor(), item, is_new=False)

    def delete(self, item, commit=True):
        masterdata.delete(self.session, current_actor(), item)

    def delete_all(self, items):
        for item in items:
            self.delete(item)
