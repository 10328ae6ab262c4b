"""Every case action takes exactly its own inputs: a mistyped or foreign name (``resaon=``) is
refused with a Chinese message and changes nothing, instead of being silently dropped (issue 7)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.domain.lifecycle import Action, CaseStatus
from app.models import Case, CaseEvent, SuqiuUser
from app.services.case_workflow import ACTION_INPUTS, UnknownInputError
from tests.case_helpers import act, branch_id, gen_case, to_callback
from tests.conftest import csrf_token

S = CaseStatus

# A government case (Art.13-2) brought to the status where the action is possible.
_STEPS = {
    S.PENDING_DISPATCH: [],
    S.PENDING_SIGN: [("csd", "dispatch", {"branch_id": "hankou"})],
    S.IN_PROGRESS: [
        ("csd", "dispatch", {"branch_id": "hankou"}),
        ("liaison_hankou", "sign_for", {}),
    ],
    S.PENDING_REVIEW: [
        ("csd", "dispatch", {"branch_id": "hankou"}),
        ("liaison_hankou", "sign_for", {}),
        ("liaison_hankou", "reply", {"result": "已办"}),
    ],
    S.PENDING_GOVERNMENT_REPLY: [
        ("csd", "dispatch", {"branch_id": "hankou"}),
        ("liaison_hankou", "sign_for", {}),
        ("liaison_hankou", "reply", {"result": "已办"}),
        ("csd", "approve", {}),
    ],
}

# action: (status it is taken in, who takes it, valid inputs)
SCENARIOS = {
    Action.DISPATCH: (S.PENDING_DISPATCH, "csd", {"branch_id": "hankou", "note": "请办理"}),
    Action.RETURN_CASE: (S.PENDING_SIGN, "liaison_hankou", {"reason": "不属本单位辖区"}),
    Action.SIGN_FOR: (S.PENDING_SIGN, "liaison_hankou", {}),
    Action.ASSIGN: (S.IN_PROGRESS, "liaison_hankou", {"handler_id": "handler_hankou"}),
    Action.PROGRESS: (S.IN_PROGRESS, "liaison_hankou", {"note": "已联系客户"}),
    Action.REPLY: (S.IN_PROGRESS, "liaison_hankou", {"result": "已修复"}),
    Action.APPROVE: (S.PENDING_REVIEW, "csd", {"note": "同意"}),
    Action.REJECT: (S.PENDING_REVIEW, "csd", {"reason": "结果不完整"}),
    Action.ANSWER_GOVERNMENT: (S.PENDING_GOVERNMENT_REPLY, "csd", {"note": "已回复"}),
    Action.CALLBACK: (S.PENDING_CALLBACK, "liaison_hankou", {"result": "satisfied"}),
    Action.REMIND: (S.IN_PROGRESS, "csd", {"note": "请尽快办理"}),
    Action.SUPERVISE: (S.IN_PROGRESS, "csd", {"note": "督办"}),
    Action.VOID: (S.PENDING_DISPATCH, "csd", {"reason": "重复登记"}),
}


def _resolve(session, inputs: dict) -> dict:
    """Unit and user codes of the table to their ids."""
    resolved = dict(inputs)
    if "branch_id" in resolved:
        resolved["branch_id"] = branch_id(session, resolved["branch_id"])
    if "handler_id" in resolved:
        resolved["handler_id"] = session.scalar(
            select(SuqiuUser.id).where(SuqiuUser.username == resolved["handler_id"])
        )
    return resolved


def _case_in(session, status: CaseStatus) -> Case:
    case = gen_case(session)  # 市民热线: a government-channel case
    if status is S.PENDING_CALLBACK:
        return to_callback(session, case)
    for username, action, inputs in _STEPS[status]:
        act(session, username, case, action, **_resolve(session, inputs))
    return case


def _state(session, case: Case) -> tuple:
    session.expire_all()
    current = session.get(Case, case.id)
    events = session.scalar(
        select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case.id)
    )
    return current.status, current.version, events


def test_every_action_of_the_table_has_a_scenario_here():
    assert set(SCENARIOS) == set(ACTION_INPUTS)


@pytest.mark.parametrize("action", sorted(ACTION_INPUTS))
def test_a_mistyped_input_name_is_refused_and_changes_nothing(app, db_session, action):
    status, username, inputs = SCENARIOS[action]
    case = _case_in(db_session, status)
    assert _state(db_session, case)[0] == status
    inputs = _resolve(db_session, inputs)
    before = _state(db_session, case)
    with pytest.raises(UnknownInputError) as refused:
        act(db_session, username, case, action, **inputs, resaon="笔误的字段名")
    assert str(refused.value) == "此操作不接受以下字段：resaon。"
    assert _state(db_session, case) == before
    # The same call without the mistyped name goes through: the name alone was refused.
    act(db_session, username, case, action, **inputs)
    assert _state(db_session, case)[2] == before[2] + 1  # its event


@pytest.mark.parametrize("action", sorted(ACTION_INPUTS))
def test_an_input_of_another_action_is_refused_too(app, db_session, action):
    """A foreign name that is valid for some other action (e.g. ``reason`` on sign-for)."""
    status, username, inputs = SCENARIOS[action]
    foreign = sorted(set().union(*ACTION_INPUTS.values()) - ACTION_INPUTS[action])
    case = _case_in(db_session, status)
    before = _state(db_session, case)
    with pytest.raises(UnknownInputError) as refused:
        act(
            db_session,
            username,
            case,
            action,
            **_resolve(db_session, inputs),
            **dict.fromkeys(foreign, "x"),
        )
    for name in foreign:
        assert name in str(refused.value)
    assert _state(db_session, case) == before


def test_the_inputs_of_each_action_are_those_of_its_form():
    """The action table as the forms of the case page (app/templates/suqiu/case.html) send it;
    ``target`` of the dispatch form becomes branch_id and department_id."""
    assert {
        Action.DISPATCH: {"branch_id", "department_id", "note"},
        Action.RETURN_CASE: {"reason"},
        Action.SIGN_FOR: set(),
        Action.ASSIGN: {"handler_id", "department_id", "note"},
        Action.PROGRESS: {"note"},
        Action.REPLY: {"result"},
        Action.APPROVE: {"note"},
        Action.REJECT: {"reason"},
        Action.ANSWER_GOVERNMENT: {"note"},
        Action.CALLBACK: {"result", "note"},
        Action.REMIND: {"note"},
        Action.SUPERVISE: {"note", "reply_due"},
        Action.VOID: {"reason"},
    } == ACTION_INPUTS


@pytest.mark.parametrize(
    ("action", "field"),
    [("sign_for", "reason"), ("return_case", "resaon")],
    ids=["another-actions-field", "mistyped"],
)
def test_the_case_page_refuses_a_field_the_action_does_not_take(
    app, db_session, login_as, action, field
):
    """A field of another action, or a mistyped 退回 reason ("resaon", which the view used to
    drop before the service saw it), is refused with a message; the case stays as it was."""
    case = _case_in(db_session, S.PENDING_SIGN)
    before = _state(db_session, case)
    client = login_as("liaison_hankou")
    token = csrf_token(client, f"/cases/show/{case.id}")
    page = client.post(
        f"/cases/act/{case.id}/{action}",
        data={"csrf_token": token, "version": str(before[1]), field: "不属本单位辖区"},
        follow_redirects=True,
    )
    assert f"此操作不接受以下字段：{field}。" in page.get_data(as_text=True)
    assert _state(db_session, case) == before
