"""The reference data a registration reads — channels with their category, kinds, business
categories, the time-limit rules and the calendar — kept per process between registrations
(issue 12: loading them was five statements and a third of a registration's time).

``ReferenceVersion`` holds a number that every flush writing one of those tables changes (the
listener below, installed by create_app). A registration reads the number with its case
number (``next_case_number``), in the same statement, and reloads the data when it moved; the
data is kept per database, so two databases in one process never share it."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import chain

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from app.domain.calendar import WorkCalendar
from app.domain.time_limit_rules import Rule
from app.models import (
    BusinessCategory,
    CalendarDay,
    CalendarYear,
    CaseKind,
    Channel,
    ChannelCategory,
    ReferenceVersion,
    TimeLimitRule,
)
from app.services.calendar import load_calendar
from app.services.time_limits import load_rules

REFERENCE_MODELS = (
    Channel,
    ChannelCategory,
    CaseKind,
    BusinessCategory,
    TimeLimitRule,
    CalendarDay,
    CalendarYear,
)


@dataclass(frozen=True)
class ChannelRef:
    category_id: int
    category_code: str


@dataclass(frozen=True)
class Reference:
    version: int
    channels: Mapping[int, ChannelRef]
    kinds: frozenset[int]
    business_codes: Mapping[int, str]
    rules: tuple[Rule, ...]
    calendar: WorkCalendar
    # By code, for callers naming them so (/api/v1): channel id and whether it is active.
    channel_codes: Mapping[str, tuple[int, bool]] = field(default_factory=dict)
    kind_codes: Mapping[str, int] = field(default_factory=dict)
    business_ids: Mapping[str, int] = field(default_factory=dict)


_kept: dict[str, Reference] = {}
_lock = threading.Lock()


def version_now():
    """The number, as a scalar subquery (read in the counter's upsert)."""
    return select(ReferenceVersion.version).where(ReferenceVersion.id == 1).scalar_subquery()


def current(session: Session, version: int | None) -> Reference:
    """The reference data of ``version`` (as read in this transaction): kept, or loaded now."""
    bind = session.get_bind()
    key = str(bind.engine.url)
    kept = _kept.get(key)
    if kept is not None and version is not None and kept.version == version:
        return kept
    loaded = _load(session, version)
    with _lock:
        _kept[key] = loaded
    return loaded


def _load(session: Session, version: int | None) -> Reference:
    rows = session.execute(
        select(
            Channel.id, Channel.category_id, ChannelCategory.code, Channel.code, Channel.active
        ).join(ChannelCategory, Channel.category_id == ChannelCategory.id)
    ).all()
    channels = {row[0]: ChannelRef(row[1], row[2]) for row in rows}
    kind_codes = dict(session.execute(select(CaseKind.code, CaseKind.id)).all())
    business_codes = dict(session.execute(select(BusinessCategory.id, BusinessCategory.code)).all())
    return Reference(
        version=-1 if version is None else version,  # unknown: never matched, always reloaded
        channels=channels,
        kinds=frozenset(kind_codes.values()),
        business_codes=business_codes,
        rules=tuple(load_rules(session)),
        calendar=load_calendar(session),
        channel_codes={row[3]: (row[0], bool(row[4])) for row in rows},
        kind_codes=kind_codes,
        business_ids={code: id_ for id_, code in business_codes.items()},
    )


def _raise_version(session: Session, flush_context, instances) -> None:
    """Before a flush that writes reference data: a new number (random, not counted up, so that
    a database recreated under the same address never meets numbers another one used)."""
    touched = chain(session.new, session.dirty, session.deleted)
    if any(isinstance(item, REFERENCE_MODELS) for item in touched):
        session.execute(
            update(ReferenceVersion)
            .where(ReferenceVersion.id == 1)
            .values(version=secrets.randbits(31))
            .execution_options(synchronize_session=False)
        )


def install() -> None:
    if not event.contains(Session, "before_flush", _raise_version):
        event.listen(Session, "before_flush", _raise_version)
