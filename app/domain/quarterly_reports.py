"""季度分析报告 (Art.39) and 服务例会 (Art.40): the rules, pure.

A report is generated for a quarter that has ended, from the figures frozen at generation; CSD
writes its analysis and improvement measures, submits it to the committee (leaders and the
committee add 批示) and distributes it to the branches. Every unit with valid complaints approved
in the quarter answers with its handling opinion within 5 working days of the distribution on
the official calendar (Art.39); an answer after the deadline is accepted and flagged late, an
answer still missing after it is flagged missing. A service meeting's measures each have an
owner unit and a due date (Art.40) and are tracked to done.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from app.domain import kpis
from app.domain.calendar import WorkCalendar
from app.domain.deadlines import Deadline, LimitUnit, deadline_for
from app.domain.errors import DomainError
from app.domain.i18n import _l

ANSWER_WORKING_DAYS = 5  # Art.39: the handling opinion within 5 working days of the notice
TOP_COUNT = 5  # the business categories and complaint causes a report ranks
MAX_TEXT = 20_000


class ReportError(DomainError):
    """A report action the rules do not allow; the message says why in Chinese."""


# -- Quarters ---------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @property
    def period(self) -> kpis.Period:
        return kpis.quarter(self.year, self.number)

    @property
    def token(self) -> str:
        return f"{self.year}-Q{self.number}"

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)

    def year_before(self) -> Quarter:
        return Quarter(self.year - 1, self.number)

    def has_ended(self, now: datetime) -> bool:
        """Art.39 reports on a whole quarter: from the midnight after its last day on."""
        return now >= self.period.end


def quarter_of(day: date | datetime) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def last_ended(now: datetime) -> Quarter:
    """The latest quarter that has ended at ``now``: the one a report is usually made for."""
    return quarter_of(now).previous()


def parse_quarter(text: str | None) -> Quarter:
    """``2026-Q3`` (also 2026Q3, 2026-q3); anything else a ReportError in Chinese."""
    raw = (text or "").strip().upper().replace(" ", "")
    head, sep, tail = raw.partition("Q")
    head = head.rstrip("-")
    if not sep or not head.isdigit() or tail not in ("1", "2", "3", "4") or len(head) != 4:
        raise ReportError(_l("Please choose a quarter such as 2026-Q3."))
    year = int(head)
    if not 2000 <= year <= 2099:
        raise ReportError(_l("Please choose a year from 2000 to 2099."))
    return Quarter(year, int(tail))


def ensure_ended(quarter: Quarter, now: datetime) -> None:
    if not quarter.has_ended(now):
        raise ReportError(
            _l(
                "%(quarter)s has not ended yet: a quarterly report can only be generated after "
                "the quarter's last day.",
                quarter=quarter.token,
            )
        )


# -- The report's states ----------------------------------------------------------------------


class ReportStatus(StrEnum):
    DRAFT = "draft"  # 草稿: CSD writes the analysis and measures
    SUBMITTED = "submitted"  # 已报送: with the committee, leaders add 批示
    DISTRIBUTED = "distributed"  # 已下发: the units answer


class ReportAction(StrEnum):
    EDIT = "edit"
    SUBMIT = "submit"
    COMMENT = "comment"
    DISTRIBUTE = "distribute"
    ANSWER = "answer"


RS, RA = ReportStatus, ReportAction
REPORT_TRANSITIONS: dict[tuple[ReportStatus, ReportAction], ReportStatus] = {
    (RS.DRAFT, RA.EDIT): RS.DRAFT,
    (RS.DRAFT, RA.SUBMIT): RS.SUBMITTED,
    (RS.SUBMITTED, RA.COMMENT): RS.SUBMITTED,
    (RS.SUBMITTED, RA.DISTRIBUTE): RS.DISTRIBUTED,
    (RS.DISTRIBUTED, RA.COMMENT): RS.DISTRIBUTED,
    (RS.DISTRIBUTED, RA.ANSWER): RS.DISTRIBUTED,
}
STATUS_LABELS = {
    RS.DRAFT: _l("Draft"),
    RS.SUBMITTED: _l("Submitted to the committee"),
    RS.DISTRIBUTED: _l("Distributed to the units"),
}
_REFUSALS = {
    RA.EDIT: _l("The report has been submitted: its analysis and measures can no longer change."),
    RA.SUBMIT: _l("The report has already been submitted."),
    RA.COMMENT: _l("Instructions are given on a submitted report."),
    RA.DISTRIBUTE: _l("Only a report submitted to the committee and not yet distributed can be "
                      "distributed."),
    RA.ANSWER: _l("The report has not been distributed to the units yet."),
}  # fmt: skip


def transition(status: ReportStatus | str, action: ReportAction) -> ReportStatus:
    """The status after ``action``, or a ReportError saying why it is not allowed now."""
    target = REPORT_TRANSITIONS.get((ReportStatus(status), action))
    if target is None:
        raise ReportError(_REFUSALS[action])
    return target


def visible_to_units(status: ReportStatus | str) -> bool:
    """Units read a report (the company-wide figures and 批示) once it is distributed to them."""
    return ReportStatus(status) is RS.DISTRIBUTED


def clean_text(text: str | None, message) -> str:
    value = (text or "").strip()
    if not value:
        raise ReportError(message)
    if len(value) > MAX_TEXT:
        raise ReportError(_l("The text is too long (at most 20000 characters)."))
    return value


def check_submittable(analysis: str | None, measures: str | None) -> None:
    """Art.39: the report goes to the committee with CSD's analysis and improvement measures."""
    if not (analysis or "").strip() or not (measures or "").strip():
        raise ReportError(
            _l("Write the analysis and the improvement measures before submitting the report.")
        )


# -- Who answers, by when ---------------------------------------------------------------------


def answering_units(valid_by_unit: Mapping[int | None, int]) -> dict[int, int]:
    """Art.39: the units with valid complaints in the quarter, each with its count (a complaint
    naming no unit obliges nobody)."""
    return {unit: n for unit, n in sorted(valid_by_unit.items(), key=lambda i: (i[0] or 0))
            if unit is not None and n > 0}  # fmt: skip


def answer_due(distributed_at: datetime, calendar: WorkCalendar) -> Deadline:
    """Art.39: 23:59:59 of the 5th working day after the distribution (its own day not
    counted), on the official calendar; a year not loaded gives a provisional deadline."""
    return deadline_for(distributed_at, ANSWER_WORKING_DAYS, LimitUnit.WORKING_DAYS, calendar)


class AnswerState(StrEnum):
    WAITING = "waiting"  # 待答复: within the deadline
    ANSWERED = "answered"  # 已按时答复
    LATE = "late"  # 逾期答复: answered after the deadline
    MISSING = "missing"  # 逾期未答复


ANSWER_STATE_LABELS = {
    AnswerState.WAITING: _l("Awaiting the answer"),
    AnswerState.ANSWERED: _l("Answered in time"),
    AnswerState.LATE: _l("Answered late"),
    AnswerState.MISSING: _l("Overdue, not answered"),
}


def answer_state(due: datetime, answered_at: datetime | None, now: datetime) -> AnswerState:
    if answered_at is not None:
        return AnswerState.LATE if answered_at > due else AnswerState.ANSWERED
    return AnswerState.MISSING if now > due else AnswerState.WAITING


def check_answer(
    *, status: ReportStatus | str, has_obligation: bool, answered: bool, opinion: str | None
) -> str:
    """A unit's handling opinion may be given once, on a distributed report, by a unit with
    valid complaints in the quarter; the cleaned text."""
    transition(status, RA.ANSWER)
    if not has_obligation:
        raise ReportError(
            _l("Your unit had no valid complaints in this quarter: it has no handling opinion "
               "to submit.")
        )  # fmt: skip
    if answered:
        raise ReportError(
            _l("Your unit has already submitted its handling opinion on this report.")
        )
    return clean_text(opinion, _l("Please write the handling opinion."))


# -- Comparisons ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """A figure now and before: a count's difference and its relative change (percent, one
    decimal, half up; None from zero), or a rate's difference in percentage points computed
    from the exact fractions (one decimal, half up; None when either side has no value)."""

    current: str
    before: str
    delta: Decimal | int | None
    relative: Decimal | None = None

    @property
    def shown(self) -> str:
        if self.delta is None:
            return kpis.NO_VALUE
        sign = "+" if self.delta > 0 else ""
        if isinstance(self.delta, int):
            relative = "" if self.relative is None else f"（{_signed(self.relative)}%）"
            return f"{sign}{self.delta}{relative}"
        return f"{sign}{self.delta}" + str(_l(" pp"))


def _signed(value: Decimal) -> str:
    return f"+{value}" if value > 0 else str(value)


_TENTH = Decimal("0.1")


def compare(figure: kpis.Figure, now: kpis.Tally, before: kpis.Tally) -> Change:
    shown_now, shown_before = kpis.shown(figure, now), kpis.shown(figure, before)
    if figure.kind is kpis.FigureKind.COUNT:
        delta = now.denominator - before.denominator
        relative = None
        if before.denominator:
            exact = Decimal(delta * 100) / Decimal(before.denominator)
            relative = exact.quantize(_TENTH, rounding=ROUND_HALF_UP)
        return Change(shown_now, shown_before, delta, relative)
    if now.denominator == 0 or before.denominator == 0:
        return Change(shown_now, shown_before, None)
    exact = Decimal(now.numerator * 100) / Decimal(now.denominator) - Decimal(
        before.numerator * 100
    ) / Decimal(before.denominator)
    return Change(shown_now, shown_before, exact.quantize(_TENTH, rounding=ROUND_HALF_UP))


def share(part: int, whole: int) -> str:
    """``part`` of ``whole`` in percent, one decimal, half up; — of nothing."""
    if whole <= 0:
        return kpis.NO_VALUE
    exact = Decimal(part * 100) / Decimal(whole)
    return f"{exact.quantize(_TENTH, rounding=ROUND_HALF_UP)}%"


def top(counts: Iterable[tuple[object, int]], n: int = TOP_COUNT) -> list[tuple[object, int]]:
    """The ``n`` largest counts, ties by key order as given (stable), zeros left out."""
    ranked = sorted(((k, c) for k, c in counts if c > 0), key=lambda item: -item[1])
    return ranked[:n]


# -- Service meetings (Art.40) ----------------------------------------------------------------


class MeasureState(StrEnum):
    OPEN = "open"  # 进行中
    OVERDUE = "overdue"  # 已逾期
    DONE = "done"  # 已完成
    DONE_LATE = "done_late"  # 逾期完成


MEASURE_STATE_LABELS = {
    MeasureState.OPEN: _l("In progress"),
    MeasureState.OVERDUE: _l("Past its due date"),
    MeasureState.DONE: _l("Done"),
    MeasureState.DONE_LATE: _l("Done after its due date"),
}


def measure_state(due_on: date, done_at: datetime | None, now: datetime) -> MeasureState:
    """Art.40: a measure is due by the end of its due date."""
    if done_at is not None:
        return MeasureState.DONE_LATE if done_at.date() > due_on else MeasureState.DONE
    return MeasureState.OVERDUE if now.date() > due_on else MeasureState.OPEN


def check_measure(text: str | None, owner_id: int | None, due_on: date | None) -> str:
    value = clean_text(text, _l("Please describe the measure."))
    if owner_id is None:
        raise ReportError(_l("Please choose the unit responsible for the measure."))
    if due_on is None:
        raise ReportError(_l("Please give the measure's due date."))
    return value


def check_done(done_at: datetime | None, note: str | None) -> str:
    if done_at is not None:
        raise ReportError(_l("This measure has already been reported done."))
    return clean_text(note, _l("Please say what was done."))


def measures_for_report(
    measures: Iterable[tuple[date, datetime | None]], quarter: Quarter
) -> list[int]:
    """Art.40 → Art.39: the indexes of the measures a quarter's report shows, given each one's
    (meeting date, done at): decided by the quarter's end and not done before it began."""
    period = quarter.period
    return [
        index
        for index, (held_on, done_at) in enumerate(measures)
        if held_on <= period.last_day and (done_at is None or done_at >= period.start)
    ]


EVENT_LABELS = {
    "generated": _l("Generated"),
    "edited": _l("Analysis edited"),
    "submitted": _l("Submitted to the committee"),
    "comment": _l("Instruction"),
    "distributed": _l("Distributed to the units"),
    "answered": _l("Handling opinion submitted"),
    "answered_late": _l("Handling opinion submitted late"),
    "answer_due_moved": _l("Answer deadline moved with the working-day calendar"),
}
