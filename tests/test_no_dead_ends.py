"""Art.19/21/36, design §2 "no state is without an actor": every non-final state a case can
reach, on every channel category, has someone who can move it on (voiding aside).

The test explores the lifecycle through the real services: it registers cases the ways people
do, then tries every action any demo user is offered, with every callback result, depth
first; each state is reached through the services, so no state is invented."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.domain.lifecycle import OPEN_STATUSES, TRANSITIONS, Action, CaseStatus
from app.models import Case, SuqiuUser
from app.services.case_permissions import load_visible_case
from app.services.case_registration import Registration, register_case
from app.services.case_workflow import available_actions, perform
from app.services.errors import OutOfScopeError
from app.services.uow import caller_owns_transaction
from tests.case_helpers import T0, actor, branch_id, channel_id, kind_id

USERS = (
    "csd",
    "agent",
    "liaison_hankou",
    "handler_hankou",
    "head_hankou",
    "leader",
    "committee",
)
# How cases come in: (who registers, channel, what else the form says).
STARTS = {
    "government": ("csd", "citizen_hotline", {}),
    "online": ("csd", "hubei_gov_service", {}),
    "company by CSD": ("csd", "hotline_96511", {}),
    "company by an agent": ("agent", "hotline_96511", {}),
    "resolved on the spot": (
        "agent",
        "hotline_96511",
        {"resolve_on_spot": True, "result": "已答复"},
    ),
    "branch counter, own unit": ("liaison_hankou", "service_window", {"to_own_unit": True}),
    "branch counter, to CSD": ("handler_hankou", "service_window", {}),
}
# Actions that keep the status (or end the case by decision rather than work) do not count as
# moving a case on.
NOT_A_MOVE = {
    Action.VOID,
    Action.REMIND,
    Action.SUPERVISE,
    Action.PROGRESS,
    Action.REQUEST_EXTENSION,
    Action.DECIDE_EXTENSION,
    Action.ASSIGN,
}
MOVES = {a for (_s, a), target in TRANSITIONS.items() if target is not None} - NOT_A_MOVE


def variants(session, action: Action) -> list[dict]:
    """The inputs a person would give for ``action`` (every callback result)."""
    hankou = branch_id(session, "hankou")
    handler = session.scalar(select(SuqiuUser.id).where(SuqiuUser.username == "handler_hankou"))
    return {
        Action.DISPATCH: [{"branch_id": hankou}],
        Action.ASSIGN: [{"handler_id": handler}],
        Action.REPLY: [{"result": "已处理"}],
        Action.RETURN_CASE: [{"reason": "不属本单位"}],
        Action.REJECT: [{"reason": "回复不完整"}],
        Action.ANSWER_GOVERNMENT: [{"note": "已答复"}],
        Action.CALLBACK: [
            {"result": "satisfied"},
            {"result": "dissatisfied", "note": "仍未解决"},
            {"result": "unreachable"},
        ],
    }.get(action, [{}])


def register(session, start: str) -> Case:
    username, channel, extra = STARTS[start]
    return register_case(
        session,
        actor(session, username),
        Registration(
            channel_id=channel_id(session, channel),
            kind_id=kind_id(session, "business"),
            customer_name="王先生",
            content="燃气表异常。",
            received_at=T0,
            **extra,
        ),
        now=T0,
    )


def offered(session, username: str, case: Case) -> list[Action]:
    who = actor(session, username)
    try:
        load_visible_case(session, who, case.id)
    except OutOfScopeError:
        return []
    return available_actions(who, case)


def state_of(case: Case) -> tuple:
    return (
        case.status,
        case.branch_id is not None,
        case.handler_id is not None,
        case.rehandle_count,
        case.unreachable_attempts,
    )


class Exploration:
    """Depth first through the real services; each alternative runs in a savepoint that is
    rolled back before the next, so every state is reached the way people reach it."""

    def __init__(self, session):
        self.session = session
        self.dead_ends: list = []
        self.reached: dict[str, set[CaseStatus]] = {}

    def run(self, start: str) -> None:
        with caller_owns_transaction(self.session):
            case = register(self.session, start)
            self._visit(start, case.id, [], set())
        self.session.rollback()

    def _visit(self, start, case_id, path, seen) -> None:
        self.session.expire_all()
        case = self.session.get(Case, case_id)
        if state_of(case) in seen:
            return
        seen.add(state_of(case))
        status = CaseStatus(case.status)
        self.reached.setdefault(start, set()).add(status)
        if status not in OPEN_STATUSES:
            return
        menu = {u: offered(self.session, u, case) for u in USERS}
        if not any(set(actions) & MOVES for actions in menu.values()):
            self.dead_ends.append((start, status.value, path))
            return
        tried = set()  # one person per action: the next state depends on what is done
        for username, actions in menu.items():
            for action in actions:
                if action in NOT_A_MOVE - {Action.ASSIGN} or action in tried:
                    continue
                tried.add(action)
                for inputs in variants(self.session, action):
                    savepoint = self.session.begin_nested()
                    perform(
                        self.session,
                        actor(self.session, username),
                        case_id,
                        action,
                        version=None,
                        now=T0 + timedelta(hours=3 * (len(path) + 1)),  # Art.20 spacing
                        **inputs,
                    )
                    self._visit(start, case_id, [*path, action.value], seen)
                    savepoint.rollback()
                    self.session.expire_all()


def test_every_reachable_open_state_has_someone_who_moves_it_on(app, db_session):
    exploration = Exploration(db_session)
    for start in STARTS:
        exploration.run(start)
    assert exploration.dead_ends == [], exploration.dead_ends
    reached = exploration.reached
    # The exploration really went through the lifecycle (design §2).
    assert CaseStatus.PENDING_GOVERNMENT_REPLY in reached["government"]
    assert CaseStatus.REHANDLING in reached["government"]
    assert CaseStatus.CLOSED_DISSATISFIED in reached["online"]
    assert CaseStatus.PENDING_DISPATCH in reached["resolved on the spot"]
    assert CaseStatus.CLOSED_DISSATISFIED in reached["resolved on the spot"]
    assert CaseStatus.PENDING_SIGN in reached["branch counter, own unit"]
