"""重复诉求数 by channel category, channel, case kind and business category (issue 9, issue 11
item 4): the figure of app.domain.kpis ("repeats": the 关联单 received in the period) counted
with one GROUP BY per breakdown under the dashboard's restriction, each number with the drill
that lists exactly its cases (the KPI filter plus the group's value). By unit it is a column of
the scorecard; by period, the dashboard's period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.i18n import _l
from app.domain.kpis import FIGURES_BY_CODE
from app.models import BusinessCategory, Case, CaseKind, Channel, ChannelCategory
from app.services import kpi_queries
from app.services.dashboards import BLANK, Bar, Filters, Restriction, kpi_token

REPEATS = FIGURES_BY_CODE["repeats"]


@dataclass(frozen=True)
class Breakdown:
    code: str
    title: str
    bars: list[Bar]

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)


def repeat_breakdowns(
    session: Session, filters: Filters, base: Restriction, as_of: datetime
) -> list[Breakdown]:
    condition = kpi_queries.drill_down(REPEATS, "denominator", filters.period, as_of)
    if base.where is not None:
        condition = condition & base.where
    counted = base.drill + (
        ("drill", "kpi", kpi_token(REPEATS, "denominator", filters.token, as_of)),
    )
    result = []
    categories = dict(session.execute(select(ChannelCategory.code, ChannelCategory.name)).all())
    rows = _grouped(session, Case.channel_category_code, condition)
    result.append(
        Breakdown(
            "repeats_by_category",
            str(_l("By channel category")),
            [
                Bar(
                    code,
                    categories.get(code, code),
                    n,
                    counted + (("channel_category_code", "eq", code),),
                )
                for code, n in rows
            ],
        )
    )
    for code, title, column, model, relation in (
        ("repeats_by_channel", _l("By channel"), Case.channel_id, Channel, "channel"),
        ("repeats_by_kind", _l("By case kind"), Case.kind_id, CaseKind, "kind"),
        (
            "repeats_by_business",
            _l("By business category"),
            Case.business_category_id,
            BusinessCategory,
            "business_category",
        ),
    ):
        names = dict(session.execute(select(model.id, model.name)).all())
        bars = []
        for key, n in _grouped(session, column, condition):
            value = str(key) if key is not None else BLANK
            label = names.get(key, str(_l("(none)")))
            bars.append(Bar(value, label, n, counted + ((relation, "rel_eq", value),)))
        result.append(Breakdown(code, str(title), bars))
    return result


def _grouped(session: Session, key, condition) -> list[tuple]:
    query = (
        select(key, func.count())
        .select_from(Case)
        .where(condition)
        .group_by(key)
        .order_by(func.count().desc(), key)
    )
    return [(k, int(n)) for k, n in session.execute(query)]
