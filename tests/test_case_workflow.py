"""A case's life through the services (design §2): every transition and guard, with the article
it comes from; forbidden moves change nothing."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.domain.lifecycle import CaseStatus, ForbiddenTransitionError
from app.models import Case, CaseEvent, Notification
from app.services.case_workflow import available_actions, perform, route_suggestion
from app.services.errors import (
    ConflictError,
    InvalidRecordError,
    OutOfScopeError,
    PermissionDeniedError,
)
from tests.case_helpers import T0, act, actor, branch_id, gen_case, to_callback

S = CaseStatus


def events(session, case) -> list[str]:
    return list(
        session.scalars(
            select(CaseEvent.action).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
        )
    )


def test_art18_registration_records_the_first_contact_number_and_deadlines(app, db_session):
    case = gen_case(db_session, by="csd", kind="consultation")
    assert case.number == "SQ202610120001"
    assert case.first_contact.username == "csd"
    assert case.status == S.PENDING_DISPATCH
    assert case.sign_due == datetime(2026, 10, 13, 23, 59, 59)  # 1 working day
    assert case.finish_due == datetime(2026, 10, 15, 23, 59, 59)  # consultation: 3 working days
    assert not case.due_provisional
    urgent = gen_case(db_session, by="csd", urgent=True)
    assert urgent.number == "SQ202610120002"
    assert urgent.sign_due == datetime(2026, 10, 12, 11, 0)  # urgent: 2 hours, 24x7


def test_art19_a_deadline_in_2027_is_provisional(app, db_session):
    case = gen_case(db_session, received=datetime(2026, 12, 28, 9), now=datetime(2026, 12, 28, 9))
    assert case.finish_due == datetime(2027, 1, 5, 23, 59, 59) and case.due_provisional


def test_art19_negotiated_deadline_before_receipt_is_refused(app, db_session):
    before = db_session.scalar(select(func.count()).select_from(Case))
    with pytest.raises(InvalidRecordError) as err:
        gen_case(db_session, negotiated_due=datetime(2026, 10, 11), negotiated_reason="客户要求")
    assert "之后" in str(err.value)
    assert db_session.scalar(select(func.count()).select_from(Case)) == before


def test_art13_government_case_from_registration_to_closed(app, db_session):
    case = gen_case(db_session)
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "hankou"))
    assert case.status == S.PENDING_SIGN
    act(db_session, "liaison_hankou", case, "sign_for")
    assert case.status == S.IN_PROGRESS and case.signed_at == T0
    act(db_session, "liaison_hankou", case, "progress", note="已联系客户，预约明日上门。")
    act(db_session, "liaison_hankou", case, "reply", result="已上门更换燃气表。")
    assert case.status == S.PENDING_REVIEW
    act(db_session, "csd", case, "approve")
    assert case.status == S.PENDING_GOVERNMENT_REPLY  # Art.13-2
    act(db_session, "csd", case, "answer_government", note="已答复市民热线。")
    assert case.status == S.PENDING_CALLBACK
    act(db_session, "liaison_hankou", case, "callback", result="satisfied")  # Art.35
    assert case.status == S.CLOSED and case.closed_at == T0
    assert events(db_session, case) == [
        "register",
        "dispatch",
        "sign_for",
        "progress",
        "reply",
        "approve",
        "answer_government",
        "callback",
    ]
    liaison_inbox = db_session.scalars(
        select(Notification.title).where(Notification.recipient.has(username="liaison_hankou"))
    ).all()
    assert any("请签收" in t for t in liaison_inbox) and any("回访" in t for t in liaison_inbox)


def test_art21_art36_dissatisfied_once_rehandles_twice_closes_dissatisfied(app, db_session):
    case = gen_case(db_session)
    to_callback(db_session, case)
    with pytest.raises(InvalidRecordError):  # a 不满意 needs its explanation
        act(db_session, "liaison_hankou", case, "callback", result="dissatisfied")
    act(
        db_session,
        "liaison_hankou",
        case,
        "callback",
        result="dissatisfied",
        note="客户认为维修不及时",
    )
    assert case.status == S.REHANDLING and case.rehandle_count == 1
    act(db_session, "liaison_hankou", case, "reply", result="再次上门并致歉")
    act(db_session, "csd", case, "reject", reason="请补充整改照片")
    assert case.status == S.REHANDLING  # a rejected re-handling stays 重办中
    act(db_session, "liaison_hankou", case, "reply", result="已补充")
    act(db_session, "csd", case, "approve")
    act(db_session, "csd", case, "answer_government", note="已再次答复")
    act(
        db_session,
        "liaison_hankou",
        case,
        "callback",
        result="dissatisfied",
        note="仍不满意，已解释政策",
    )
    assert case.status == S.CLOSED_DISSATISFIED


def test_art13_return_requires_a_reason_and_is_counted(app, db_session):
    case = gen_case(db_session)
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "wuchang"))
    with pytest.raises(InvalidRecordError):
        act(db_session, "liaison_wuchang", case, "return_case", reason=" ")
    act(db_session, "liaison_wuchang", case, "return_case", reason="地址属汉口辖区")
    assert case.status == S.PENDING_DISPATCH and case.return_count == 1
    assert case.branch_id is None


def test_art14_another_branch_cannot_sign_for_or_see_the_case(app, db_session):
    case = gen_case(db_session)
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "hankou"))
    with pytest.raises(OutOfScopeError):
        act(db_session, "liaison_wuchang", case, "sign_for")
    db_session.expire_all()
    assert db_session.get(Case, case.id).status == S.PENDING_SIGN


def test_art24_a_handler_replies_only_on_cases_assigned_to_them(app, db_session):
    case = gen_case(db_session)
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "hankou"))
    act(db_session, "liaison_hankou", case, "sign_for")
    with pytest.raises(PermissionDeniedError):
        act(db_session, "handler_hankou", case, "reply", result="x")
    handler = actor(db_session, "handler_hankou").user
    act(db_session, "liaison_hankou", case, "assign", handler_id=handler.id)
    act(db_session, "handler_hankou", case, "reply", result="已修复")
    assert case.status == S.PENDING_REVIEW


def test_art10_roles_without_the_action_are_refused(app, db_session):
    case = gen_case(db_session)
    for username in ("leader", "committee", "liaison_hankou", "agent"):
        with pytest.raises((PermissionDeniedError, OutOfScopeError)):
            act(db_session, username, case, "dispatch", branch_id=branch_id(db_session, "hankou"))


def test_art20_callback_on_a_case_not_yet_replied_is_refused(app, db_session):
    case = gen_case(db_session)
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "hankou"))
    act(db_session, "liaison_hankou", case, "sign_for")
    with pytest.raises(ForbiddenTransitionError) as err:
        act(db_session, "liaison_hankou", case, "callback", result="satisfied")
    assert "办理中" in str(err.value)
    db_session.expire_all()
    assert db_session.get(Case, case.id).status == S.IN_PROGRESS


def test_art31_a_reply_without_a_result_is_refused(app, db_session):
    case = gen_case(db_session)
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "hankou"))
    act(db_session, "liaison_hankou", case, "sign_for")
    with pytest.raises(InvalidRecordError) as err:
        act(db_session, "liaison_hankou", case, "reply", result="")
    assert "办理结果" in str(err.value)


def test_art31_a_stale_form_is_a_conflict_and_changes_nothing(app, db_session):
    case = gen_case(db_session)
    stale = case.version
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "hankou"))
    with pytest.raises(ConflictError) as err:
        perform(
            db_session,
            actor(db_session, "csd"),
            case.id,
            "void",
            version=stale,
            reason="重复登记",
            now=T0,
        )
    assert "其他人" in str(err.value)
    db_session.expire_all()
    assert db_session.get(Case, case.id).status == S.PENDING_SIGN


def test_art31_void_needs_a_reason_and_keeps_the_case(app, db_session):
    case = gen_case(db_session)
    with pytest.raises(InvalidRecordError):
        act(db_session, "csd", case, "void", reason="")
    act(db_session, "csd", case, "void", reason="重复登记")
    db_session.expire_all()
    assert db_session.get(Case, case.id).status == S.VOIDED


def test_art18_art27_agent_resolves_on_the_spot_and_dispatches_own_company_cases_only(
    app, db_session
):
    spot = gen_case(
        db_session,
        by="agent",
        channel="hotline_96511",
        kind="consultation",
        resolve_on_spot=True,
        result="已告知缴费渠道",
    )
    assert spot.status == S.PENDING_CALLBACK
    own = gen_case(db_session, by="agent", channel="hotline_96511")
    act(db_session, "agent", own, "dispatch", branch_id=branch_id(db_session, "hankou"))
    assert own.status == S.PENDING_SIGN
    other = gen_case(db_session, by="csd", channel="hotline_96511")
    with pytest.raises((PermissionDeniedError, OutOfScopeError)):
        act(db_session, "agent", other, "dispatch", branch_id=branch_id(db_session, "hankou"))


def test_art13_only_possible_actions_are_offered(app, db_session):
    case = gen_case(db_session)
    offered = {a.value for a in available_actions(actor(db_session, "csd"), case)}
    assert offered == {"dispatch", "remind", "supervise", "void"}
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "hankou"))
    offered = {a.value for a in available_actions(actor(db_session, "liaison_hankou"), case)}
    assert offered == {"sign_for", "return_case"}


def test_art24_routing_suggestion_from_territory_and_business_category(app, db_session):
    from app.models import BusinessCategory

    meter = db_session.scalar(select(BusinessCategory.id).where(BusinessCategory.code == "meter"))
    case = gen_case(db_session, business_category_id=meter)
    branch, department = route_suggestion(db_session, case)
    assert branch.code == "hankou" and department.name == "运行维修科"


def test_art13_an_agent_can_dispatch_an_own_company_case_to_any_unit(app, db_session, login_as):
    """The agent who registered a company-channel case dispatches it (design §2): the choice
    lists every active unit although the agent belongs to none."""
    case = gen_case(db_session, by="agent", channel="hotline_96511")
    page = login_as("agent").get(f"/cases/show/{case.id}").get_data(as_text=True)
    dispatch_form = page.split('id="form-dispatch"')[1].split("</form>")[0]
    assert "汉口分公司" in dispatch_form and "武昌分公司" in dispatch_form
