"""Generated cases with the history the workflow would have left: for each case its row, its
events, its extension requests and the notifications it sent (``bench.timeline`` replays the
path), in receipt order, with readable numbers continuing the per-day counters.

``generate(world, count, now=…)`` yields ``Batch`` objects of ``BATCH`` cases; nothing else is
kept in memory. Columns are listed in ``CASE_COLUMNS`` etc.; columns not listed keep the
database's default."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.domain.channels import ChannelCategoryCode
from app.domain.time_limit_rules import CaseFacts, case_deadlines, choose_rules
from bench import shape, timeline
from bench.texts import CONTENT, DISTRICTS, FAMILY, GIVEN, STREETS
from bench.world import World

BATCH = 20_000


def _columns(names: str) -> tuple[str, ...]:
    return tuple(names.split())


CASE_COLUMNS = _columns(
    "id number channel_id channel_category_code kind_id business_category_id customer_name "
    "customer_phone customer_address gas_account content external_ref urgent media_involved "
    "adverse_impact major_interest property_loss casualties status first_contact_id branch_id "
    "department_id handler_id received_at sign_due finish_due due_provisional dispatched_at "
    "signed_at replied_at closed_at result callback_result rehandle_count return_count "
    "unreachable_attempts last_unreachable_at extension_count sign_overdue finish_overdue "
    "due_soon_notified version"
)
EVENT_COLUMNS = _columns("id case_id action actor_id at from_status to_status note detail")
NOTIFICATION_COLUMNS = _columns("id recipient_id category title body link created_at read_at")
EXTENSION_COLUMNS = _columns(
    "id case_id requested_by_id requested_at reason old_due requested_due status "
    "decided_by_id decided_at decision_note"
)


@dataclass
class Batch:
    cases: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    notifications: list[tuple] = field(default_factory=list)
    extensions: list[tuple] = field(default_factory=list)


@dataclass
class Ids:
    """The next id of each table (rows get explicit ids so that children can point at them)."""

    case: int
    event: int
    notification: int
    extension: int
    owed: float = 0.0  # notifications owed to the average (bench.timeline)


def receipt_times(rng: random.Random, count: int, now: datetime, years: float) -> list[float]:
    """Seconds before ``now`` at which each case was received, oldest first."""
    span = int(years * 365 * 86400)
    return sorted((rng.randrange(60, span) for _ in range(count)), reverse=True)


def open_probability(years: float) -> float:
    """P(still open) for a case older than a month, so that OPEN_SHARE of all are open."""
    days = years * 365
    recent = shape.RECENT_DAYS / days * shape.RECENT_OPEN
    month = (shape.MONTH_DAYS - shape.RECENT_DAYS) / days * shape.MONTH_OPEN
    rest = 1 - shape.MONTH_DAYS / days
    return max(0.0, (shape.OPEN_SHARE - recent - month) / rest)


class Deadlines:
    """The time-limit rules of the database on its calendar, as registration computes them;
    cached per rule set and receipt day when both limits are counted in days."""

    def __init__(self, world: World):
        self.world = world
        self.choices: dict = {}
        self.by_day: dict = {}

    def __call__(self, category_id, kind_id, urgent, business, received):
        key = (category_id, kind_id, urgent, business)
        choice = self.choices.get(key)
        if choice is None:
            facts = CaseFacts(category_id, kind_id, urgent, business)
            choice = self.choices[key] = choose_rules(self.world.rules, facts)
        rules = [r for r in (choice.urgent, choice.normal) if r is not None]
        daily = all(r.sign.unit.endswith("days") and r.finish.unit.endswith("days") for r in rules)
        day_key = (key, received.date()) if daily else None
        if day_key is not None and day_key in self.by_day:
            return self.by_day[day_key]
        due = case_deadlines(choice, received, self.world.calendar)
        result = (
            due.sign.due,
            due.finish.due,
            due.sign.provisional or due.finish.provisional,
            choice.note,
        )
        if day_key is not None:
            self.by_day[day_key] = result
        return result


def generate(
    world: World, count: int, *, now: datetime, ids: Ids, years: float = 2, seed: int = 7
) -> Iterator[Batch]:
    rng = random.Random(seed)
    choosers = shape.path_choosers()
    deadlines = Deadlines(world)
    old_open = open_probability(years)
    batch = Batch()
    for age in receipt_times(rng, count, now, years):
        received = now - timedelta(seconds=age)
        days = age / 86400
        p_open = (
            shape.RECENT_OPEN
            if days < shape.RECENT_DAYS
            else shape.MONTH_OPEN
            if days < shape.MONTH_DAYS
            else old_open
        )
        _one_case(world, rng, choosers, deadlines, batch, ids, received, now, rng.random() < p_open)
        if len(batch.cases) >= BATCH:
            yield batch
            batch = Batch()
    if batch.cases:
        yield batch


def _registrar(world: World, rng: random.Random, category: str):
    """(user id, their unit when they work in one, may resolve on the spot)."""
    if category != ChannelCategoryCode.COMPANY:
        return rng.choice(world.csd), None, False
    roll = rng.random()
    if roll < 0.65:
        return rng.choice(world.agents), None, True
    if roll < 0.85:
        return rng.choice(world.csd), None, False
    unit = world.units.pick(rng)
    return rng.choice(unit.staff), unit, False


def _one_case(world, rng, choosers, deadlines, batch, ids, received, now, is_open) -> None:
    channel_id, channel_code, category, category_id = world.channels.pick(rng)
    kind_id, kind_code = world.kinds.pick(rng)
    business = rng.choice(world.businesses)
    flags = {name: rng.random() < share for name, share in shape.FLAG_SHARES.items()}
    registrar, own_unit, on_spot = _registrar(world, rng, category)
    path = choosers[(category, on_spot, is_open)].pick(rng)
    sign_due, finish_due, provisional, note = deadlines(
        category_id, kind_id, flags["urgent"], business[1] if business else None, received
    )
    day = f"{received.year:04d}{received.month:02d}{received.day:02d}"
    sequence = world.counters.get(day, 0) + 1
    world.counters[day] = sequence
    case_id = ids.case
    ids.case += 1
    row = {
        "id": case_id,
        "number": f"SQ{day}{sequence:04d}",
        "channel_id": channel_id,
        "channel_category_code": category,
        "kind_id": kind_id,
        "business_category_id": business[0] if business else None,
        "customer_name": rng.choice(FAMILY) + rng.choice(GIVEN),
        "customer_phone": f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
        "customer_address": f"{rng.choice(DISTRICTS)}{rng.choice(STREETS)}{rng.randrange(999)}号",
        "gas_account": f"027{rng.randrange(10**8):08d}",
        "content": CONTENT.get(kind_code, "客户反映燃气使用问题。"),
        "external_ref": f"ZW{day}{rng.randrange(10**6):06d}"
        if category == ChannelCategoryCode.GOVERNMENT
        else None,
        **flags,
        "first_contact_id": registrar,
        "received_at": received,
        "sign_due": sign_due,
        "finish_due": finish_due,
        "due_provisional": provisional,
    }
    timeline.play(
        world,
        rng,
        row,
        path,
        batch,
        ids,
        now=now,
        own_unit=own_unit,
        rule_note=note,
    )
    batch.cases.append(tuple(row.get(column) for column in CASE_COLUMNS))
