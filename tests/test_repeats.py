"""重复诉求 (issue 11 item 4) through the service and the pages: the caller's earlier cases
under the actor's scope, linking at registration and on the case page, history on both cases,
double submits, refusals in Chinese."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.domain import roles as R
from app.domain.clock import now as clock_now
from app.domain.repeats import Customer, RepeatLinkError
from app.models import Branch, Case, CaseEvent
from app.services import repeats
from app.services.case_registration import Registration, register_case
from app.services.errors import PermissionDeniedError
from app.services.users import create_user
from tests.case_helpers import actor, branch_id, channel_id, gen_case, kind_id
from tests.conftest import TEST_PASSWORD, csrf_token, login

PHONE = "13912345678"  # gen_case's customer
# The pages read the real clock: the cases lie in the 30 days before it.
NOW = clock_now().replace(second=0) - timedelta(hours=1)
EARLY, LATER = NOW - timedelta(days=8), NOW - timedelta(days=6)


def _agent(session, username: str, unit: str) -> str:
    create_user(
        current_app.appbuilder.sm,
        username=username,
        last_name="受",
        first_name="理",
        email=None,
        role_names=[R.AGENT.name],
        password=TEST_PASSWORD,
        branch=session.get(Branch, branch_id(session, unit)),
    )
    return username


def _in_unit(session, case: Case, unit: str) -> Case:
    """The case as if CSD had dispatched it to ``unit`` (the dispatch itself is tested
    elsewhere)."""
    case.branch_id = branch_id(session, unit)
    case.status = "in_progress"
    session.commit()
    return case


@pytest.fixture
def two_units(db_session):
    """One caller's open cases in 汉口 and 武昌 (received 8 and 6 days ago), and a 汉口 agent."""
    hankou = _in_unit(db_session, gen_case(db_session, received=EARLY, now=EARLY), "hankou")
    wuchang = _in_unit(db_session, gen_case(db_session, received=LATER, now=LATER), "wuchang")
    _agent(db_session, "agent_hankou", "hankou")
    return hankou, wuchang


def _numbers(found) -> list[str]:
    return [c.case.number for c in found]


def _events(session, case_id, action) -> list[CaseEvent]:
    return list(
        session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.action == action)
        )
    )


def test_a_branch_agent_sees_only_its_own_units_cases_of_the_caller(db_session, two_units):
    hankou, wuchang = two_units
    caller = Customer.of("139 1234 5678", None, None)
    agent = actor(db_session, "agent_hankou")
    assert _numbers(repeats.customer_cases(db_session, agent, caller, now=NOW)) == [hankou.number]
    csd = actor(db_session, "csd")
    both = repeats.customer_cases(db_session, csd, caller, now=NOW)
    assert _numbers(both) == [wuchang.number, hankou.number]  # newest first
    assert both[0].matched == ("phone",)


def test_the_look_up_matches_account_and_address_and_leaves_out_closed_and_old_cases(
    db_session, two_units
):
    hankou, wuchang = two_units
    csd = actor(db_session, "csd")
    by_address = Customer.of(None, None, "江岸区 黄浦大街１号")
    assert _numbers(repeats.customer_cases(db_session, csd, by_address, now=NOW)) == [
        wuchang.number,
        hankou.number,
    ]
    wuchang.status, wuchang.closed_at = "closed", LATER + timedelta(hours=2)
    db_session.commit()
    caller = Customer.of(PHONE, None, None)
    assert _numbers(repeats.customer_cases(db_session, csd, caller, now=NOW)) == [hankou.number]
    # 30 days after its receipt the 汉口 case is still in the window; a second later it is not.
    edge = EARLY + timedelta(days=30)
    assert _numbers(repeats.customer_cases(db_session, csd, caller, now=edge)) == [hankou.number]
    assert repeats.customer_cases(db_session, csd, caller, now=edge + timedelta(seconds=1)) == []
    assert repeats.customer_cases(db_session, csd, Customer.of("13900000000", None, None)) == []


def test_the_look_up_needs_the_capability(db_session, two_units):
    with pytest.raises(PermissionDeniedError):
        repeats.customer_cases(
            db_session, actor(db_session, "liaison_hankou"), Customer.of(PHONE, None, None)
        )


def _register(session, by, *, repeat_of=None, key=None, received=NOW - timedelta(minutes=5)):
    data = Registration(
        channel_id=channel_id(session, "hotline_96511"),
        kind_id=kind_id(session, "business"),
        customer_name="王先生",
        customer_phone="１３９１２３４５６７８",  # full-width digits, as some keyboards type them
        content="燃气表走字异常，又来电催促。",
        received_at=received,
        repeat_of=repeat_of,
        registration_key=key,
    )
    return register_case(session, actor(session, by), data, now=NOW)


def test_registration_links_the_new_case_as_a_repeat_with_history_on_both(db_session, two_units):
    hankou, _ = two_units
    new = _register(db_session, "agent_hankou", repeat_of=hankou.id)
    assert new.customer_phone == PHONE
    assert new.primary_case_id == hankou.id
    (linked,) = _events(db_session, new.id, repeats.LINKED)
    assert json.loads(linked.detail) == {"primary_case": hankou.number}
    (got,) = _events(db_session, hankou.id, repeats.GOT_REPEAT)
    assert json.loads(got.detail) == {"repeat_case": new.number}
    assert got.actor_id == linked.actor_id == actor(db_session, "agent_hankou").user_id


def test_a_double_submitted_registration_makes_one_case_and_one_link(db_session, two_units):
    hankou, _ = two_units
    first = _register(db_session, "agent_hankou", repeat_of=hankou.id, key="k-repeat-1")
    again = _register(db_session, "agent_hankou", repeat_of=hankou.id, key="k-repeat-1")
    assert again.id == first.id
    assert len(_events(db_session, hankou.id, repeats.GOT_REPEAT)) == 1
    count = select(func.count()).select_from(Case).where(Case.primary_case_id == hankou.id)
    assert db_session.scalar(count) == 1


def test_linking_to_another_units_case_is_refused_in_chinese_and_registers_nothing(
    app, db_session, two_units
):
    _, wuchang = two_units
    before = db_session.scalar(select(func.count()).select_from(Case))
    with app.test_request_context():
        with pytest.raises(RepeatLinkError) as refused:
            _register(db_session, "agent_hankou", repeat_of=wuchang.id)
        message = str(refused.value)
    assert message == "主单不存在，或您无权查看。"
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Case)) == before
    # The same for a case already registered: its link to the 武昌 case is refused.
    new = _register(db_session, "agent_hankou")
    with pytest.raises(RepeatLinkError):
        repeats.link_repeat(
            db_session,
            actor(db_session, "agent_hankou"),
            new.id,
            primary_id=wuchang.id,
            version=new.version,
            now=NOW,
        )
    db_session.expire_all()
    assert db_session.get(Case, new.id).primary_case_id is None
    assert _events(db_session, wuchang.id, repeats.GOT_REPEAT) == []


def test_link_and_unlink_on_the_case_page_write_history_once_each(db_session, two_units):
    hankou, wuchang = two_units
    csd = actor(db_session, "csd")
    version, primary_version = wuchang.version, hankou.version
    repeats.link_repeat(
        db_session, csd, wuchang.id, primary_number=hankou.number.lower(), version=version, now=NOW
    )
    # The same form again (double click): nothing more.
    repeats.link_repeat(
        db_session, csd, wuchang.id, primary_number=hankou.number, version=version, now=NOW
    )
    assert db_session.get(Case, wuchang.id).primary_case_id == hankou.id
    # The 主单's row is written too: a link racing to make it a 关联单 fails on its version.
    assert db_session.get(Case, hankou.id).version == primary_version + 1
    assert len(_events(db_session, wuchang.id, repeats.LINKED)) == 1
    assert len(_events(db_session, hankou.id, repeats.GOT_REPEAT)) == 1
    version = db_session.get(Case, wuchang.id).version
    repeats.unlink_repeat(db_session, csd, wuchang.id, version=version, now=NOW)
    repeats.unlink_repeat(db_session, csd, wuchang.id, version=version, now=NOW)
    assert db_session.get(Case, wuchang.id).primary_case_id is None
    assert len(_events(db_session, wuchang.id, repeats.UNLINKED)) == 1
    assert len(_events(db_session, hankou.id, repeats.LOST_REPEAT)) == 1


def test_no_chains_a_repeat_chosen_as_primary_stands_for_its_own_primary(db_session, two_units):
    hankou, wuchang = two_units
    csd = actor(db_session, "csd")
    repeats.link_repeat(
        db_session, csd, wuchang.id, primary_id=hankou.id, version=wuchang.version, now=NOW
    )
    third = _register(db_session, "csd", repeat_of=wuchang.id)  # chose the 关联单
    assert third.primary_case_id == hankou.id
    # The 主单 cannot become a 关联单 of a later case.
    with pytest.raises(RepeatLinkError):
        repeats.link_repeat(
            db_session, csd, hankou.id, primary_id=third.id, version=hankou.version, now=NOW
        )
    with pytest.raises(RepeatLinkError):
        repeats.link_repeat(
            db_session, csd, hankou.id, primary_id=hankou.id, version=hankou.version, now=NOW
        )


def test_linking_needs_the_capability(db_session, two_units):
    hankou, wuchang = two_units
    with pytest.raises(PermissionDeniedError):
        repeats.link_repeat(
            db_session,
            actor(db_session, "liaison_hankou"),
            hankou.id,
            primary_id=wuchang.id,
            version=hankou.version,
        )


# -- Pages ----------------------------------------------------------------------------------


def test_the_look_up_page_lists_the_callers_cases_in_the_agents_scope(app, db_session, two_units):
    hankou, wuchang = two_units
    agent = login(app.test_client(), "agent_hankou")
    html = agent.get("/repeats/candidates?phone=139%201234%205678").get_data(as_text=True)
    assert hankou.number in html and wuchang.number not in html
    assert 'name="repeat_of"' in html and "电话相同" in html
    data = agent.get("/repeats/candidates?address=江岸区黄浦大街1号&format=json").get_json()
    assert [c["number"] for c in data["cases"]] == [hankou.number]
    assert data["cases"][0]["matched"] == ["地址相同"]
    assert data["cases"][0]["unit"] == "汉口分公司"
    empty = agent.get("/repeats/candidates?phone=abc").get_data(as_text=True)
    assert "输入电话号码" in empty
    liaison = login(app.test_client(), "liaison_hankou")
    assert liaison.get("/repeats/candidates?phone=13912345678").status_code in (302, 403)


def test_registering_through_the_form_honours_the_chosen_case(app, db_session, two_units):
    hankou, _ = two_units
    agent = login(app.test_client(), "agent_hankou")
    page = agent.get("/register/").get_data(as_text=True)
    assert 'id="repeat-panel"' in page
    form = {
        "csrf_token": csrf_token(agent, "/register/"),
        "channel_id": channel_id(db_session, "hotline_96511"),
        "kind_id": kind_id(db_session, "business"),
        "business_category_id": 0,
        "customer_name": "王先生",
        "customer_phone": PHONE,
        "content": "又来电：燃气表走字异常。",
        "registration_key": "form-repeat-1",
        "repeat_of": str(hankou.id),
    }
    response = agent.post("/register/", data=form)
    assert response.status_code == 302
    new = db_session.scalar(select(Case).where(Case.registration_key == "form-repeat-1"))
    assert new.primary_case_id == hankou.id
    shown = agent.get(f"/cases/show/{new.id}").get_data(as_text=True)
    assert 'id="repeat-primary"' in shown and hankou.number in shown
    primary_page = agent.get(f"/cases/show/{hankou.id}").get_data(as_text=True)
    assert 'id="repeat-list"' in primary_page and new.number in primary_page
    # The liaison reads the 汉口 case and its link, without the forms.
    liaison = login(app.test_client(), "liaison_hankou")
    seen = liaison.get(f"/cases/show/{hankou.id}").get_data(as_text=True)
    assert new.number in seen and "form-unlink-repeat" not in seen


def test_the_case_page_forms_link_and_refuse_another_units_case(app, db_session, two_units):
    hankou, wuchang = two_units
    own = _register(db_session, "agent_hankou")
    agent = login(app.test_client(), "agent_hankou")
    url = f"/cases/show/{own.id}"
    page = agent.get(url).get_data(as_text=True)
    assert 'id="form-link-repeat"' in page and hankou.number in page
    assert wuchang.number not in page

    def link(**primary) -> str:
        data = {"csrf_token": csrf_token(agent, url), **primary, "version": own.version}
        response = agent.post(f"/repeats/link/{own.id}", data=data, follow_redirects=True)
        return response.get_data(as_text=True)

    assert "主单不存在，或您无权查看。" in link(primary_number=wuchang.number)
    done = link(primary_id=hankou.id)
    assert "已关联为关联单。" in done and "关联为关联单" in done  # flash and timeline
    db_session.expire_all()
    assert db_session.get(Case, own.id).primary_case_id == hankou.id
    # Another unit's case cannot be linked or unlinked through the URL.
    assert (
        agent.post(
            f"/repeats/unlink/{wuchang.id}", data={"csrf_token": csrf_token(agent, url)}
        ).status_code
        == 404
    )


def test_the_window_is_a_setting(db_session, two_units):
    """SUQIU_REPEAT_WINDOW_DAYS: a 7-day window leaves out the 汉口 case of 8 days ago; a value
    that is no whole number from 1 to 366 is refused naming the setting."""
    from app.services.settings import InvalidSettingError, repeat_window

    assert repeat_window() == timedelta(days=30)
    caller = Customer.of(PHONE, None, None)
    current_app.config["SUQIU_REPEAT_WINDOW_DAYS"] = "7"
    try:
        found = repeats.customer_cases(db_session, actor(db_session, "csd"), caller, now=NOW)
        assert [c.case.number for c in found] == [two_units[1].number]
        current_app.config["SUQIU_REPEAT_WINDOW_DAYS"] = "0"
        with pytest.raises(InvalidSettingError) as refused:
            repeat_window()
        assert "SUQIU_REPEAT_WINDOW_DAYS" in str(refused.value)
    finally:
        current_app.config["SUQIU_REPEAT_WINDOW_DAYS"] = "30"


def test_a_link_or_unlink_without_the_forms_version_changes_nothing(db_session, two_units):
    """State changes require the form's version: a missing one is refused as stale."""
    from app.services.errors import ConflictError

    hankou, wuchang = two_units
    csd = actor(db_session, "csd")
    with pytest.raises(ConflictError):
        repeats.link_repeat(
            db_session, csd, wuchang.id, primary_id=hankou.id, version=None, now=NOW
        )
    db_session.expire_all()
    assert db_session.get(Case, wuchang.id).primary_case_id is None
