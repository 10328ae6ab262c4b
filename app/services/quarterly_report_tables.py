"""A quarterly report's tables (Art.39/40) from its frozen snapshot
(app.services.quarterly_report_figures): the key figures compared with the previous quarter and
the same quarter a year before, the KPIs by unit, channel and business category, the top
business categories and complaint causes, the valid complaints by unit, the meetings' measures.
What the page, the print and the .xlsx export show, every value a display string or a number."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.domain import kpis
from app.domain import quarterly_reports as qr
from app.domain.complaints import BREACH_CATEGORY_LABELS, Grade
from app.domain.i18n import _l
from app.domain.kpis import FIGURES, Tally
from app.services.quarterly_report_figures import NONE_KEY, sum_rows
from app.services.scope import Scope


@dataclass(frozen=True)
class Table:
    code: str
    title: str
    headers: list[str]
    rows: list[list[Any]]


def _tally(values) -> Tally:
    return Tally(int(values[0]), int(values[1]))


def _kpi_rows(
    rows: dict, names: dict[str, str], none_label: str, units: frozenset[str] | None = None
) -> list[list[Any]]:
    ordered = sorted(rows.items(), key=lambda item: -item[1]["intake"][1])
    if units is not None:
        ordered = [item for item in ordered if item[0] in units]
    return [
        [names.get(key, none_label) if key != NONE_KEY else none_label]
        + [kpis.shown(f, _tally(tallies[f.code])) for f in FIGURES]
        for key, tallies in ordered
    ]


def tables_for(data: dict, scope: Scope) -> list[Table]:
    """The report's tables as one reader may see them (design §1): CSD, leaders and the
    committee every row; a unit the rows of the units in its scope (its own and its
    sub-units') in the tables by unit and in the measures, and the company's totals and the
    company-wide figures by channel, business category and cause (they name no unit)."""
    if scope.all_branches:
        return tables(data)
    return tables(data, units=frozenset(str(b) for b in scope.branch_ids))


def _own_measure(measure: dict, units: frozenset[str], names: dict[str, str]) -> bool:
    unit_id = measure.get("unit_id")
    if unit_id is not None:
        return str(unit_id) in units
    # A snapshot taken before measures carried their unit's id: by the unit's name.
    return measure.get("unit") in {names.get(key) for key in units}


def tables(data: dict, units: frozenset[str] | None = None) -> list[Table]:
    """The report's tables in reading order, every value a display string or a whole number.
    ``units``: keep only these units' rows (the keys of the snapshot's by-unit figures) in the
    tables by unit and the measures; None keeps every row (``tables_for``)."""
    names = data["names"]
    figure_headers = [str(f.label) for f in FIGURES]
    total = sum_rows(data["branch"])
    previous, year_before = data["previous"], data["year_before"]
    prev_total, ly_total = sum_rows(previous["branch"]), sum_rows(year_before["branch"])
    result = []
    comparison = []
    for f in FIGURES:
        now_t = _tally(total[f.code])
        to_prev = qr.compare(f, now_t, _tally(prev_total[f.code]))
        to_ly = qr.compare(f, now_t, _tally(ly_total[f.code]))
        comparison.append(
            [
                str(f.label),
                to_prev.current,
                to_prev.before,
                to_prev.shown,
                to_ly.before,
                to_ly.shown,
            ]
        )
    result.append(
        Table(
            "comparison",
            str(_l("Key figures compared")),
            [
                str(_l("Figure")),
                data["quarter"],
                previous["quarter"],
                str(_l("Change on the previous quarter")),
                year_before["quarter"],
                str(_l("Change on the same quarter last year")),
            ],
            comparison,
        )
    )
    unit = str(_l("Handling unit"))
    not_dispatched = str(_l("Not dispatched yet"))
    none = str(_l("(none)"))
    total_row = [str(_l("Total"))] + [kpis.shown(f, _tally(total[f.code])) for f in FIGURES]
    result.append(
        Table(
            "branch",
            str(_l("Figures by unit")),
            [unit, *figure_headers],
            _kpi_rows(data["branch"], names["branch"], not_dispatched, units) + [total_row],
        )
    )
    intake_rows = []
    keys = set(data["branch"]) | set(previous["branch"]) | set(year_before["branch"])
    if units is not None:
        keys &= units
    for key in sorted(keys, key=lambda k: -data["branch"].get(k, {}).get("intake", [0, 0])[1]):
        counts = [
            src.get(key, {}).get("intake", [0, 0])[1]
            for src in (data["branch"], previous["branch"], year_before["branch"])
        ]
        label = names["branch"].get(key, not_dispatched) if key != NONE_KEY else not_dispatched
        intake = kpis.FIGURES_BY_CODE["intake"]
        to_prev = qr.compare(intake, Tally(0, counts[0]), Tally(0, counts[1]))
        to_ly = qr.compare(intake, Tally(0, counts[0]), Tally(0, counts[2]))
        intake_rows.append([label, counts[0], counts[1], to_prev.shown, counts[2], to_ly.shown])
    result.append(
        Table(
            "intake_compared",
            str(_l("Cases received by unit compared")),
            [
                unit,
                data["quarter"],
                previous["quarter"],
                str(_l("Change")),
                year_before["quarter"],
                str(_l("Change")),
            ],
            intake_rows,
        )
    )
    result.append(
        Table(
            "channel",
            str(_l("Figures by channel")),
            [str(_l("Channel")), *figure_headers],
            _kpi_rows(data["channel"], names["channel"], none),
        )
    )
    result.append(
        Table(
            "business",
            str(_l("Figures by business category")),
            [str(_l("Business category")), *figure_headers],
            _kpi_rows(data["business"], names["business"], none),
        )
    )
    whole = total["intake"][1]
    business = [(k, v["intake"][1]) for k, v in data["business"].items()]
    result.append(
        Table(
            "top_business",
            str(_l("Top business categories")),
            [str(_l("Rank")), str(_l("Business category")), str(_l("Cases")), str(_l("Share"))],
            [
                [
                    i,
                    names["business"].get(k, none) if k != NONE_KEY else none,
                    n,
                    qr.share(n, whole),
                ]
                for i, (k, n) in enumerate(qr.top(business), start=1)
            ],
        )
    )
    complaints = data["complaints"]
    valid = sum(complaints["causes"].values())
    causes = []
    cause_labels = {category.value: label for category, label in BREACH_CATEGORY_LABELS.items()}
    for i, (code, n) in enumerate(qr.top(complaints["causes"].items(), n=10), start=1):
        label = cause_labels.get(str(code))
        causes.append([i, str(label or none), n, qr.share(n, valid)])
    result.append(
        Table(
            "causes",
            str(_l("Top complaint causes")),
            [str(_l("Rank")), str(_l("Cause")), str(_l("Valid complaints")), str(_l("Share"))],
            causes,
        )
    )
    grades = complaints["grades"]
    result.append(
        Table(
            "complaints_by_unit",
            str(_l("Valid complaints by unit")),
            [unit, str(_l("Valid complaints"))],
            [
                [names["branch"].get(k, none) if k != NONE_KEY else none, n]
                for k, n in sorted(complaints["by_unit"].items(), key=lambda i: -i[1])
                if units is None or k in units
            ]
            + [
                [
                    str(
                        _l(
                            "Total (general %(general)d, major %(major)d)",
                            general=grades.get(Grade.GENERAL.value, 0),
                            major=grades.get(Grade.MAJOR.value, 0),
                        )
                    ),
                    valid,
                ]
            ],  # fmt: skip
        )
    )
    states = qr.MEASURE_STATE_LABELS
    result.append(
        Table(
            "measures",
            str(_l("Service meeting measures (Art.40)")),
            [
                str(_l("Meeting")),
                str(_l("Measure")),
                str(_l("Responsible unit")),
                str(_l("Due date")),
                str(_l("Status")),
                str(_l("Done note")),
            ],
            [
                [
                    f"{m['held_on']} {m['meeting']}",
                    m["text"],
                    m["unit"],
                    m["due_on"],
                    str(states[qr.MeasureState(m["state"])]),
                    m["done_note"] or "",
                ]
                for m in data["measures"]
                if units is None or _own_measure(m, units, names["branch"])
            ],
        )
    )
    return result
