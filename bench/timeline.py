"""One case's history replayed: the times and actors of each step of its path, the columns the
workflow services set on the way (app/services/case_workflow.py ``_bookkeeping`` and the
handlers, app/services/extensions.py), the flags the overdue sweep would have set while it was
open (app/services/sweep.py), its events, extension requests and notifications."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from app.domain.channels import BRANCH_CALLBACK_CATEGORIES
from app.domain.deadlines import END_OF_DAY, FINISH_OPEN, SIGN_OPEN, latest_extension_request
from app.domain.lifecycle import CallbackResult, CaseStatus
from app.services.sweep import DUE_SOON
from bench.shape import NOTIFICATIONS_PER_CASE
from bench.texts import NOTES, TITLES

HOUR = 3600
# Hours after the previous step: (shortest, longest); a share of sign-fors and replies is late.
DELAYS = {
    "dispatch": (0.05, 3),
    "return_case": (1, 8),
    "sign_for": (0.2, 8),
    "assign": (0.1, 4),
    "progress": (2, 40),
    "reply": (6, 60),
    "approve": (0.5, 20),
    "reject": (0.5, 20),
    "answer_government": (1, 20),
    "callback": (12, 60),
    "remind": (12, 40),
    "supervise": (20, 60),
    "request_extension": (0.5, 4),
    "decide_extension": (1, 12),
    "void": (0.1, 6),
    "resolve_on_spot": (0, 0),
}
LATE = {"sign_for": (0.08, 6), "reply": (0.1, 4)}  # (share, factor)
FINISHING = {CaseStatus.CLOSED, CaseStatus.CLOSED_DISSATISFIED, CaseStatus.VOIDED}


_JSON: dict[tuple, str] = {}


def _json(detail: dict) -> str:
    """json.dumps, remembered: the same few details recur millions of times."""
    key = tuple(detail.items())
    text = _JSON.get(key)
    if text is None:
        text = _JSON[key] = json.dumps(detail, ensure_ascii=False)
    return text


def _times(rng, path, received: datetime, now: datetime) -> list[datetime]:
    offsets, total = [], 0.0
    for step in path.steps:
        low, high = DELAYS[step.action]
        hours = rng.uniform(low, high)
        late = LATE.get(step.action)
        if late and rng.random() < late[0]:
            hours *= late[1]
        total += hours * HOUR
        offsets.append(total)
    room = (now - received).total_seconds() - 60
    scale = room / total if total > room and total else 1.0
    return [received + timedelta(seconds=int(offset * scale)) for offset in offsets]


class Replay:
    """One case walked along its path. Each action's method sets what the service would and
    returns the event's (actor, note, detail), or None when the step cannot happen (an extension
    asked too late, Art.30: it and its decision are left out)."""

    def __init__(self, world, rng, row, batch, ids, now, own_unit):
        self.world, self.rng, self.row, self.batch, self.ids = world, rng, row, batch, ids
        self.now, self.own_unit = now, own_unit
        self.registrar, self.category = row["first_contact_id"], row["channel_category_code"]
        self.sign_due, self.finish_due = row["sign_due"], row["finish_due"]
        self.status, self.last = CaseStatus.PENDING_DISPATCH, row["received_at"]
        self.unit, self.handler, self.department, self.liaisons = None, None, None, []
        self.flags = {"sign_overdue": False, "finish_overdue": False, "due_soon_notified": False}
        self.state = dict(dispatched_at=None, signed_at=None, replied_at=None, closed_at=None,
                          result=None, callback_result=None, rehandle_count=0, return_count=0,
                          unreachable_attempts=0, last_unreachable_at=None,
                          extension_count=0)  # fmt: skip
        self.extension, self.skip_decision, self.candidates = None, False, []

    def notify(self, recipients, category, at, body=None) -> None:
        self.candidates += [(recipient, category, at, body) for recipient in recipients]

    def sweep_until(self, moment: datetime) -> None:
        """What the scheduled sweep flagged while the case sat in its status until ``moment``."""
        flags, due = self.flags, self.finish_due
        if self.status in SIGN_OPEN and moment > self.sign_due:
            flags["sign_overdue"] = True
        if self.status not in FINISH_OPEN:
            return
        if not flags["due_soon_notified"] and self.last < due and moment > due - DUE_SOON:
            flags["due_soon_notified"] = True
            self.notify(self.liaisons, "due_soon", max(self.last, due - DUE_SOON))
        if not flags["finish_overdue"] and moment > due:
            flags["finish_overdue"] = True
            self.notify(self.liaisons, "overdue", max(self.last, due))

    def dispatch(self, step, at, csd):
        first = self.unit is None and self.state["return_count"] == 0
        own = first and self.own_unit is not None  # Art.18/27: kept in the registrar's unit
        self.unit = self.own_unit if own else self.world.units.pick(self.rng)
        self.liaisons = self.unit.liaisons
        self.department = (
            self.rng.choice(self.unit.departments) if self.rng.random() < 0.6 else None
        )
        self.state["dispatched_at"] = at
        self.notify(self.liaisons, "dispatched", at, self.row["content"])
        actor = self.registrar if own or (first and self.registrar in self.world.agents) else csd
        name = self.department[1] if self.department else None
        return actor, None, {"branch": self.unit.name, "department": name}

    def return_case(self, step, at, csd):
        actor, unit = self.rng.choice(self.liaisons), self.unit
        self.state["return_count"] += 1
        if self.extension is not None:  # the unit's pending request leaves with it
            self.extension[7], self.extension[9], self.extension = "cancelled", at, None
        self.unit, self.handler, self.department, self.liaisons = None, None, None, []
        self.notify(self.world.csd, "returned", at, NOTES["return_case"])
        return actor, NOTES["return_case"], {"branch": unit.name}

    def sign_for(self, step, at, csd):
        self.state["signed_at"] = at
        return self.rng.choice(self.liaisons), None, None

    def assign(self, step, at, csd):
        self.handler = self.rng.choice(self.unit.handlers)
        self.notify([self.handler], "assigned", at, self.row["content"])
        return self.rng.choice(self.liaisons), None, {"handler": self.world.names[self.handler]}

    def request_extension(self, step, at, csd):
        if at > latest_extension_request(self.finish_due):
            self.skip_decision = True
            return None
        actor, note = self.rng.choice(self.liaisons), NOTES["request_extension"]
        new_day = (self.finish_due + timedelta(days=self.rng.randint(2, 10))).date()
        new_due = datetime.combine(new_day, END_OF_DAY)
        self.extension = [self.ids.extension, self.row["id"], actor, at, note, self.finish_due,
                          new_due, "pending", None, None, None]  # fmt: skip
        self.ids.extension += 1
        self.batch.extensions.append(self.extension)
        self.notify(self.world.csd, "extension_requested", at, note)
        return actor, note, {"requested_due": f"{new_due:%Y-%m-%d %H:%M}"}

    def decide_extension(self, step, at, csd):
        if self.skip_decision:
            return None
        approve = step.value == "approve"
        note = None if approve else "理由不充分，请按期办结。"
        self.extension[7:11] = ["approved" if approve else "rejected", csd, at, note]
        if approve:
            self.finish_due, self.flags["finish_overdue"] = self.extension[6], False
            self.state["extension_count"] += 1
        self.notify([self.extension[2]], "extension_decided", at, note)
        self.extension = None
        return csd, note, {"approved": approve}

    def progress(self, step, at, csd):
        if step.action == "reply":
            self.state["result"], self.state["replied_at"] = NOTES["reply"], at
        return self.handler or self.rng.choice(self.liaisons), NOTES[step.action], None

    reply = progress

    def resolve_on_spot(self, step, at, csd):
        self.state["result"], self.state["replied_at"] = NOTES["resolve_on_spot"], at
        return self.registrar, NOTES["resolve_on_spot"], None

    def callback(self, step, at, csd):
        result, state = CallbackResult(step.value), self.state
        if self.category in BRANCH_CALLBACK_CATEGORIES:  # Art.35
            actor = self.rng.choice(self.liaisons)
        else:
            actor = self.registrar if self.registrar in self.world.agents else csd
        detail, note = {"result": result.value}, None
        state["callback_result"] = result.value
        if result is CallbackResult.UNREACHABLE:
            state["unreachable_attempts"] += 1
            detail["attempt"], state["last_unreachable_at"] = state["unreachable_attempts"], at
            if step.after is CaseStatus.CLOSED:
                self.notify([*self.world.csd, self.registrar], "closed_unreachable", at)
        if step.after in (CaseStatus.REHANDLING, CaseStatus.PENDING_DISPATCH):  # Art.21
            note = "客户对处理结果不满意。"
            state["rehandle_count"] += 1
            state["replied_at"] = None
            extra = self.world.csd if self.unit is None else []
            self.notify({*self.liaisons, self.registrar, *extra}, "rehandle", at, note)
        return actor, note, detail

    def by_csd(self, step, at, csd):
        """approve, reject, answer_government, remind, supervise, void."""
        note = NOTES.get(step.action)
        if step.action in ("remind", "supervise", "reject"):
            category = "rejected" if step.action == "reject" else step.action
            self.notify(self.liaisons, category, at, note)
        return csd, note, {"reply_due": None} if step.action == "supervise" else None

    approve = reject = answer_government = remind = supervise = void = by_csd

    def arrived(self, step, at) -> None:
        """Who hears that the case reached its new status (app/services/case_notify.py)."""
        after = step.after
        if after is step.before:
            return
        if after is CaseStatus.PENDING_REVIEW:
            self.notify(self.world.csd, "review_due", at, self.state["result"])
        elif after is CaseStatus.PENDING_GOVERNMENT_REPLY:
            self.notify(self.world.csd, "government_reply_due", at, self.state["result"])
        elif after is CaseStatus.PENDING_CALLBACK and self.category in BRANCH_CALLBACK_CATEGORIES:
            self.notify(self.liaisons, "callback_due", at)
        if after in FINISHING and self.state["closed_at"] is None:
            self.state["closed_at"] = at


def play(world, rng, row, path, batch, ids, *, now, own_unit, rule_note) -> None:
    """Replay ``path`` on the case ``row`` (filled in place); its events, extension requests and
    some of its notifications go into ``batch``."""
    replay, case_id = Replay(world, rng, row, batch, ids, now, own_unit), row["id"]
    events = batch.events
    events.append(
        (ids.event, case_id, "register", replay.registrar, row["received_at"], None,
         "pending_dispatch", None, _json({"rule": rule_note}))
    )  # fmt: skip
    ids.event += 1
    times, moves = _times(rng, path, row["received_at"], now), 0
    if own_unit is not None and path.steps and path.steps[0].action == "dispatch":
        times[0] = row["received_at"]  # dispatched within the registration
    for step, at in zip(path.steps, times, strict=True):
        replay.sweep_until(at)
        outcome = getattr(replay, step.action)(step, at, rng.choice(world.csd))
        if outcome is None:
            continue
        actor, note, detail = outcome
        replay.arrived(step, at)
        events.append(
            (ids.event, case_id, step.action, actor, at, step.before.value, step.after.value,
             note, _json(detail) if detail else None)
        )  # fmt: skip
        ids.event += 1
        replay.status, replay.last, moves = step.after, at, moves + 1
    if replay.status not in FINISHING:
        replay.sweep_until(now)
    unit, department = replay.unit, replay.department
    row.update(
        replay.state,
        **replay.flags,
        status=replay.status.value,
        branch_id=unit.id if unit else None,
        department_id=department[0] if department else None,
        handler_id=replay.handler,
        finish_due=replay.finish_due,
        version=1 + moves,  # one optimistic-locking bump per move
    )
    _keep_notifications(world, rng, replay.candidates, batch, ids, row, now)


def _keep_notifications(world, rng, candidates, batch, ids, row, now) -> None:
    """NOTIFICATIONS_PER_CASE of the notices on average (the rest read and archived long ago),
    read some time later unless recent or sent to the one heavy recipient who reads nothing."""
    ids.owed += NOTIFICATIONS_PER_CASE  # a case with no notice leaves its share to the next
    keep = min(len(candidates), int(ids.owed + rng.random()), 3)
    ids.owed -= keep
    for recipient, category, at, body in rng.sample(candidates, keep):
        read_at = None
        recent = (now - at).days < 3
        if rng.random() < (0.3 if recent else 0.93) and recipient != world.csd[-1]:
            read_at = min(at + timedelta(minutes=rng.randint(5, 2880)), now)
        batch.notifications.append(
            (ids.notification, recipient, category, f"{row['number']} {TITLES[category]}",
             body[:200] if body else None, f"/cases/show/{row['id']}", at, read_at)
        )  # fmt: skip
        ids.notification += 1
