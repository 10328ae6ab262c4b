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
    """The four breakdowns from one GROUP BY (channel, kind and business category, with their
    names; a channel belongs to one channel category), added up per breakdown here: a few
    dozen groups, never cases."""
    condition = kpi_queries.drill_down(REPEATS, "denominator", filters.period, as_of)
    if base.where is not None:
        condition = condition & base.where
    counted = base.drill + (
        ("drill", "kpi", kpi_token(REPEATS, "denominator", filters.token, as_of)),
    )
    keys = (
        Case.channel_category_code,
        ChannelCategory.name,
        Case.channel_id,
        Channel.name,
        Case.kind_id,
        CaseKind.name,
        Case.business_category_id,
        BusinessCategory.name,
    )
    query = (
        select(*keys, func.count())
        .select_from(Case)
        .outerjoin(ChannelCategory, ChannelCategory.code == Case.channel_category_code)
        .outerjoin(Channel, Channel.id == Case.channel_id)
        .outerjoin(CaseKind, CaseKind.id == Case.kind_id)
        .outerjoin(BusinessCategory, BusinessCategory.id == Case.business_category_id)
        .where(condition)
        .group_by(*keys)
    )
    parts = (
        ("repeats_by_category", _l("By channel category"), "channel_category_code", "eq"),
        ("repeats_by_channel", _l("By channel"), "channel", "rel_eq"),
        ("repeats_by_kind", _l("By case kind"), "kind", "rel_eq"),
        ("repeats_by_business", _l("By business category"), "business_category", "rel_eq"),
    )
    sums: list[dict[tuple[str, str], int]] = [{} for _ in parts]
    for row in session.execute(query):
        *pairs, count = row
        for index in range(len(parts)):
            key, name = pairs[2 * index], pairs[2 * index + 1]
            value = str(key) if key is not None else BLANK
            label = str(name) if name is not None else str(_l("(none)"))
            sums[index][(value, label)] = sums[index].get((value, label), 0) + int(count)
    return [
        Breakdown(
            code,
            str(title),
            [
                Bar(value, label, n, counted + ((column, arg, value),))
                for (value, label), n in sorted(found.items(), key=lambda i: (-i[1], i[0][1]))
            ],
        )
        for (code, title, column, arg), found in zip(parts, sums, strict=True)
    ]
