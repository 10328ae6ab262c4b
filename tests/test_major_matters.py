"""重大事项 (Art.22/33/34) and media cases (Art.29): the rules of app.domain.major_matters, the
review opened at registration and followed to the case's unit, the entries and who hears of
them, bad input, and what 风险管理部 and 党委工作部传讯组 may see (nothing but their cases)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, or_, select

from app.domain.lifecycle import Action
from app.domain.major_matters import (
    Audience,
    EntryKind,
    MajorMatterError,
    MediaAudience,
    Trigger,
    case_flag_columns,
    check_entry,
    flag_triggers,
    goes_to_risk,
    media_audience,
    merge_triggers,
    parse_triggers,
    reads_by_flags_only,
    review_audience,
    store_triggers,
)
from app.models import Case, MajorMatter, MajorMatterEntry, Notification, SuqiuUser
from app.services import major_matters
from app.services.errors import ConflictError, OutOfScopeError, PermissionDeniedError
from app.services.major_matter_page import matter_list, matter_page
from app.services.scope import Scope, describe_scope
from app.services.uow import caller_owns_transaction
from tests.case_helpers import T0, act, actor, branch_id, gen_case

# -- the rules (pure) --------------------------------------------------------------------------


def test_art22_33_34_each_flag_opens_a_review_and_no_flag_none():
    assert flag_triggers({}) == ()
    assert flag_triggers({"media_involved": True}) == ()  # Art.29 alone: no committee review
    assert flag_triggers({"adverse_impact": True}) == (Trigger.ADVERSE_IMPACT,)
    everything = {t.value: True for t in Trigger}
    assert flag_triggers(everything) == (
        Trigger.ADVERSE_IMPACT,
        Trigger.MAJOR_INTEREST,
        Trigger.PROPERTY_LOSS,
        Trigger.CASUALTIES,
    )


def test_art34_casualties_or_property_loss_go_to_risk_management():
    assert goes_to_risk(["casualties"]) and goes_to_risk(["property_loss", "adverse_impact"])
    assert not goes_to_risk(["adverse_impact", "major_interest", "major_complaint"])
    assert Audience.RISK in review_audience(["casualties"], has_unit=False)
    assert Audience.RISK not in review_audience(["major_interest"], has_unit=True)


def test_art22_the_committee_leader_and_csd_at_once_the_unit_once_known():
    assert review_audience(["adverse_impact"], has_unit=False) == {
        Audience.COMMITTEE,
        Audience.LEADER,
        Audience.CSD,
    }
    assert Audience.UNIT in review_audience(["adverse_impact"], has_unit=True)


def test_art29_media_goes_to_press_at_once_and_to_the_unit_head_once_known():
    assert media_audience(has_unit=False) == {MediaAudience.PRESS}
    assert media_audience(has_unit=True) == {MediaAudience.PRESS, MediaAudience.HEAD}


def test_art29_34_flag_reads_open_their_flags_and_only_those_roles_read_by_flag_alone():
    assert case_flag_columns(["read.media_cases"]) == ("media_involved",)
    assert case_flag_columns(["read.loss_cases", "read.major_matters"]) == (
        "casualties",
        "property_loss",
    )
    assert case_flag_columns(["read.cases"]) == ()
    assert reads_by_flags_only(["read.loss_cases", "read.major_matters"])
    assert reads_by_flags_only(["read.media_cases"])
    assert not reads_by_flags_only(["read.media_cases", "read.cases"])  # also a unit's reader
    assert not reads_by_flags_only(["read.major_matters"])  # a unit's reader of its reviews


def test_triggers_are_stored_once_each_in_the_declared_order():
    merged = merge_triggers(["casualties"], ["major_complaint", "adverse_impact", "casualties"])
    assert merged == (Trigger.ADVERSE_IMPACT, Trigger.CASUALTIES, Trigger.MAJOR_COMPLAINT)
    assert parse_triggers(store_triggers(merged)) == merged
    assert parse_triggers("") == ()
    with pytest.raises(ValueError):
        merge_triggers([], ["no_such_reason"])


@pytest.mark.parametrize(
    ("kind", "text", "status", "message"),
    [
        (EntryKind.PLAN, "   ", "open", "请填写内容"),
        (EntryKind.COMMENT, "同意", "closed", "已结束"),
        (EntryKind.OPENED, "x", "open", "由系统记录"),
        (EntryKind.PROGRESS, "长" * 4001, "open", "过长"),
    ],
)
def test_art22_33_an_entry_needs_text_and_an_open_review(app, kind, text, status, message):
    with app.test_request_context():
        with pytest.raises(MajorMatterError) as refused:
            check_entry(kind, text, status=status)
        assert message in str(refused.value)
    assert check_entry(EntryKind.PLAN, "  先行抢修  ", status="open").text == "先行抢修"


# -- opening -----------------------------------------------------------------------------------


def _user_id(session, username):
    return session.scalar(select(SuqiuUser.id).where(SuqiuUser.username == username))


def _notified(session, username, *, link=None, case=None) -> list[Notification]:
    """The user's notifications linking to ``link``, or about ``case`` (the demo data has more)."""
    query = select(Notification).where(Notification.recipient_id == _user_id(session, username))
    if link is not None:
        query = query.where(Notification.link == link)
    if case is not None:
        query = query.where(Notification.title.startswith(f"{case.number} "))
    return list(session.scalars(query.order_by(Notification.id)))


def _matter(session, case) -> MajorMatter | None:
    session.expire_all()
    return session.scalar(select(MajorMatter).where(MajorMatter.case_id == case.id))


def _kinds(session, matter) -> list[str]:
    return list(
        session.scalars(
            select(MajorMatterEntry.kind)
            .where(MajorMatterEntry.matter_id == matter.id)
            .order_by(MajorMatterEntry.id)
        )
    )


def test_art22_34_a_casualty_case_opens_the_review_at_registration_and_tells_everyone(db_session):
    case = gen_case(db_session, casualties=True)
    matter = _matter(db_session, case)
    assert matter is not None and matter.status == "open" and matter.branch_id is None
    assert parse_triggers(matter.triggers) == (Trigger.CASUALTIES,)
    assert _kinds(db_session, matter) == ["opened"]
    link = major_matters.matter_link(matter.id)
    for username in ("committee", "leader", "csd", "csd_head"):
        assert len(_notified(db_session, username, link=link)) == 1, username
    assert "风险管理部" in _notified(db_session, "risk", link=link)[0].title
    for username in ("liaison_hankou", "head_hankou", "press", "agent"):
        assert _notified(db_session, username, case=case) == [], username


def test_art22_a_case_without_flags_opens_no_review(db_session):
    for case in (gen_case(db_session), gen_case(db_session, urgent=True)):
        assert _matter(db_session, case) is None
        assert not _notified(db_session, "committee", case=case)


def test_art33_a_case_kept_in_its_unit_tells_its_head_and_liaison_at_once(db_session):
    case = gen_case(
        db_session, by="handler_hankou", channel="service_window", to_own_unit=True,
        adverse_impact=True,
    )  # fmt: skip
    matter = _matter(db_session, case)
    assert matter.branch_id == branch_id(db_session, "hankou")
    link = major_matters.matter_link(matter.id)
    for username in ("head_hankou", "liaison_hankou", "committee", "leader", "csd"):
        assert _notified(db_session, username, link=link), username
    assert not _notified(db_session, "head_wuchang", case=case)
    assert not _notified(db_session, "risk", case=case)


def test_art29_a_media_case_kept_in_its_unit_tells_press_and_the_head_once_each(db_session):
    case = gen_case(
        db_session, by="handler_hankou", channel="service_window", to_own_unit=True,
        media_involved=True,
    )  # fmt: skip
    for username in ("press", "head_hankou"):
        told = _notified(db_session, username, case=case)
        assert [n.category for n in told] == ["media"], username
    assert not _notified(db_session, "head_wuchang", case=case)


def test_art22_the_review_follows_the_case_to_its_unit_whose_people_are_told(db_session):
    case = gen_case(db_session, major_interest=True)
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "wuchang"))
    matter = _matter(db_session, case)
    assert matter.branch_id == branch_id(db_session, "wuchang")
    link = major_matters.matter_link(matter.id)
    assert _notified(db_session, "head_wuchang", link=link)
    assert _notified(db_session, "liaison_wuchang", link=link)
    act(db_session, "liaison_wuchang", case, "return_case", reason="不属本单位辖区。")
    assert _matter(db_session, case).branch_id is None
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "hankou"))
    matter = _matter(db_session, case)
    assert matter.branch_id == branch_id(db_session, "hankou")
    assert _notified(db_session, "liaison_hankou", link=link)
    assert _kinds(db_session, matter) == ["opened", "unit_changed", "unit_changed", "unit_changed"]


def test_art29_a_media_case_tells_press_at_once_and_the_unit_head_at_dispatch(db_session):
    case = gen_case(db_session, media_involved=True)
    assert _matter(db_session, case) is None  # media alone: no committee review
    press = _notified(db_session, "press", case=case)
    assert (
        len(press) == 1 and "媒体" in press[0].title and press[0].link == f"/cases/show/{case.id}"
    )
    assert not _notified(db_session, "head_hankou", case=case)
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "hankou"))
    head = _notified(db_session, "head_hankou", case=case)
    assert [n.category for n in head] == ["media"]
    assert not _notified(db_session, "head_wuchang", case=case)


def test_art9_22_a_major_complaint_opens_one_review_and_adds_to_it(db_session):
    case = gen_case(db_session, kind="complaint")
    csd = actor(db_session, "csd_head")
    with caller_owns_transaction(db_session):
        first = major_matters.open_review_for_case(
            db_session, case, trigger="major_complaint", actor=csd, now=T0
        )
        again = major_matters.open_review_for_case(
            db_session, case, trigger="major_complaint", actor=csd, now=T0
        )
    db_session.commit()
    assert first.id == again.id and _kinds(db_session, first) == ["opened"]
    assert _notified(db_session, "committee", link=major_matters.matter_link(first.id))
    # Closed, then a new reason: the one review reopens with it in its history.
    version = _matter(db_session, case).version
    major_matters.close_review(db_session, csd, first.id, "已处置完毕。", version=version, now=T0)
    with caller_owns_transaction(db_session):
        major_matters.open_review_for_case(
            db_session, case, trigger="property_loss", actor=csd, now=T0
        )
    db_session.commit()
    matter = _matter(db_session, case)
    assert matter.status == "open" and matter.closed_at is None
    assert parse_triggers(matter.triggers) == (Trigger.PROPERTY_LOSS, Trigger.MAJOR_COMPLAINT)
    assert _kinds(db_session, matter) == ["opened", "closed", "trigger_added", "reopened"]
    assert (
        db_session.scalar(
            select(func.count()).select_from(MajorMatter).where(MajorMatter.case_id == case.id)
        )
        == 1
    )
    assert _notified(db_session, "risk", case=case)  # property loss now: handed to risk management


# -- entries -----------------------------------------------------------------------------------


@pytest.fixture
def hankou_matter(db_session):
    """A casualty case dispatched to 汉口, its review open."""
    case = gen_case(db_session, casualties=True)
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "hankou"))
    return _matter(db_session, case)


def test_art33_the_unit_reports_plan_and_progress_and_the_committee_hears_at_once(
    db_session, hankou_matter
):
    link = major_matters.matter_link(hankou_matter.id)
    before = len(_notified(db_session, "committee", link=link))
    own = len(_notified(db_session, "liaison_hankou", link=link))
    for kind, text in (("plan", "先行抢修，安抚家属。"), ("progress", "已完成抢修。")):
        major_matters.add_entry(
            db_session, actor(db_session, "liaison_hankou"), hankou_matter.id, kind, text
        )
    assert _kinds(db_session, hankou_matter)[-2:] == ["plan", "progress"]
    titles = [n.title for n in _notified(db_session, "committee", link=link)[before:]]
    assert len(titles) == 2 and "处置方案" in titles[0] and "第三十三条" in titles[1]
    assert len(_notified(db_session, "liaison_hankou", link=link)) == own  # not told of its own


def test_art22_an_instruction_reaches_the_unit_at_once(db_session, hankou_matter):
    link = major_matters.matter_link(hankou_matter.id)
    before = {
        u: len(_notified(db_session, u, link=link)) for u in ("liaison_hankou", "head_hankou")
    }
    major_matters.add_entry(
        db_session, actor(db_session, "committee"), hankou_matter.id, "comment", "务必妥善处置。"
    )
    for username, count in before.items():
        latest = _notified(db_session, username, link=link)
        assert len(latest) == count + 1 and latest[-1].body == "务必妥善处置。", username
    assert not _notified(db_session, "liaison_wuchang", case=hankou_matter.case)


@pytest.mark.parametrize(
    ("username", "kind", "text", "error", "message"),
    [
        ("liaison_hankou", "plan", "  ", MajorMatterError, "请填写内容"),
        ("liaison_hankou", "comment", "同意", PermissionDeniedError, "您的角色不能"),
        ("committee", "plan", "方案", PermissionDeniedError, "您的角色不能"),
        ("head_wuchang", "plan", "方案", OutOfScopeError, "不存在或您无权查看"),
        ("press", "comment", "批示", PermissionDeniedError, "您的角色不能"),
        ("risk", "progress", "进展", PermissionDeniedError, "您的角色不能"),
    ],
)
def test_art22_33_bad_entries_are_refused_in_chinese_and_nothing_is_saved(
    app, db_session, hankou_matter, username, kind, text, error, message
):
    entries = len(_kinds(db_session, hankou_matter))
    notices = db_session.scalar(select(func.count()).select_from(Notification))
    with app.test_request_context():
        with pytest.raises(error) as refused:
            major_matters.add_entry(
                db_session, actor(db_session, username), hankou_matter.id, kind, text
            )
        assert message in str(refused.value)
    assert len(_kinds(db_session, hankou_matter)) == entries
    assert db_session.scalar(select(func.count()).select_from(Notification)) == notices


def test_art22_a_closed_review_takes_nothing_more_and_a_stale_close_is_refused(
    app, db_session, hankou_matter
):
    csd = actor(db_session, "csd")
    with app.test_request_context(), pytest.raises(ConflictError):
        major_matters.close_review(db_session, csd, hankou_matter.id, "结束", version=99)
    version = _matter(db_session, hankou_matter.case).version
    major_matters.close_review(db_session, csd, hankou_matter.id, "处置完毕。", version=version)
    with app.test_request_context():
        with pytest.raises(MajorMatterError) as refused:
            major_matters.add_entry(
                db_session, actor(db_session, "leader"), hankou_matter.id, "comment", "再议"
            )
        assert "已结束" in str(refused.value)
    assert _kinds(db_session, hankou_matter)[-1] == "closed"


# -- pages -------------------------------------------------------------------------------------


def _form(client, url):
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1), page


def test_art22_the_committee_reads_the_review_and_gives_an_instruction_on_its_page(
    db_session, login_as, hankou_matter
):
    committee = login_as("committee")
    token, page = _form(committee, f"/major-matters/show/{hankou_matter.id}")
    assert hankou_matter.case.number in page and 'id="form-comment"' in page
    assert 'id="form-plan"' not in page and 'id="form-close"' not in page
    listing = committee.get("/major-matters/").get_data(as_text=True)
    open_reviews = db_session.scalar(
        select(func.count()).select_from(MajorMatter).where(MajorMatter.status == "open")
    )
    assert hankou_matter.case.number in listing and f"重大事项（{open_reviews}）" in listing
    done = committee.post(
        f"/major-matters/comment/{hankou_matter.id}",
        data={"csrf_token": token, "text": "请每日报告进展。"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "已保存" in done and "请每日报告进展。" in done
    case_page = login_as("liaison_hankou").get(f"/cases/show/{hankou_matter.case_id}")
    assert "请每日报告进展。" in case_page.get_data(as_text=True)


def test_art22_bad_input_on_the_page_shows_a_chinese_message_and_saves_nothing(
    db_session, login_as, hankou_matter
):
    liaison = login_as("liaison_hankou")
    token, page = _form(liaison, f"/major-matters/show/{hankou_matter.id}")
    assert 'id="form-plan"' in page and 'id="form-comment"' not in page
    entries = len(_kinds(db_session, hankou_matter))
    empty = liaison.post(
        f"/major-matters/report/{hankou_matter.id}",
        data={"csrf_token": token, "kind": "plan", "text": " "},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "请填写内容" in empty
    wuchang = login_as("liaison_wuchang")
    token, _ = _form(wuchang, "/major-matters/")
    elsewhere = wuchang.post(
        f"/major-matters/report/{hankou_matter.id}",
        data={"csrf_token": token, "kind": "plan", "text": "越权方案"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "不存在或您无权查看" in elsewhere and hankou_matter.case.number not in elsewhere
    assert wuchang.get(f"/major-matters/show/{hankou_matter.id}").status_code == 404
    assert len(_kinds(db_session, hankou_matter)) == entries


# -- what 风险管理部 and 党委工作部传讯组 see ---------------------------------------------------


@pytest.fixture
def flagged(db_session):
    """In 汉口: a media case, a casualty case, a property-loss case, an adverse-impact case and a
    plain one; in 武昌: a media case and a plain one; one media case not dispatched yet."""
    hankou, wuchang = branch_id(db_session, "hankou"), branch_id(db_session, "wuchang")
    made = {}
    for name, unit, flags in (
        ("media_hankou", hankou, {"media_involved": True}),
        ("casualties", hankou, {"casualties": True}),
        ("loss", hankou, {"property_loss": True}),
        ("adverse", hankou, {"adverse_impact": True}),
        ("plain_hankou", hankou, {}),
        ("media_wuchang", wuchang, {"media_involved": True}),
        ("plain_wuchang", wuchang, {}),
        ("media_undispatched", None, {"media_involved": True}),
    ):
        case = gen_case(db_session, **flags)
        if unit is not None:
            act(db_session, "csd", case, "dispatch", branch_id=unit)
        made[name] = case
    return made


ROLE_CASES = {
    "press": {"media_hankou", "media_wuchang", "media_undispatched"},
    "risk": {"casualties", "loss"},
}
# Art.29/34: every case so flagged, the demo's included (read without any scope).
ROLE_FLAGS = {
    "press": Case.media_involved.is_(True),
    "risk": or_(Case.casualties.is_(True), Case.property_loss.is_(True)),
}


def _flagged_ids(session, username) -> set[int]:
    return set(session.scalars(select(Case.id).where(ROLE_FLAGS[username])))


@pytest.mark.parametrize("username", sorted(ROLE_CASES))
def test_art29_34_press_and_risk_see_exactly_their_flagged_cases(
    db_session, login_as, flagged, username
):
    client = login_as(username)
    listing = client.get("/cases/list/?psize_CaseView=100").get_data(as_text=True)
    count = int(re.search(r"记录数目:</strong>\s*(\d+)", listing).group(1))
    assert count == len(_flagged_ids(db_session, username))
    assert set(map(int, re.findall(r"/cases/show/(\d+)", listing))) == _flagged_ids(
        db_session, username
    )
    for name, case in flagged.items():
        expected = name in ROLE_CASES[username]
        assert (case.number in listing) is expected, name
        page = client.get(f"/cases/show/{case.id}")
        assert page.status_code == (200 if expected else 404), name
        if expected:  # the case and its timeline
            assert 'id="timeline"' in page.get_data(as_text=True)


@pytest.mark.parametrize("username", sorted(ROLE_CASES))
def test_art29_34_the_scope_arms_count_each_flagged_case_once(db_session, flagged, username):
    scope = actor(db_session, username).scope
    whole = set(db_session.scalars(select(Case.id).where(scope.clause(Case))))
    arms = scope.arms(Case)
    per_arm = [set(db_session.scalars(select(Case.id).where(arm))) for arm in arms]
    assert whole == _flagged_ids(db_session, username)
    assert sum(len(ids) for ids in per_arm) == len(whole)
    assert set(db_session.scalars(select(Case.id).where(or_(*arms)))) == whole


def test_art34_risk_reads_the_reviews_of_its_cases_only(db_session, login_as, flagged):
    risk = login_as("risk")
    listing = risk.get("/major-matters/").get_data(as_text=True)
    for name in ("casualties", "loss", "adverse"):
        matter = _matter(db_session, flagged[name])
        shown = name != "adverse"
        assert (flagged[name].number in listing) is shown, name
        page = risk.get(f"/major-matters/show/{matter.id}")
        assert page.status_code == (200 if shown else 404), name
        if shown:  # reading only: no form
            assert "<textarea" not in page.get_data(as_text=True)
    open_loss_reviews = db_session.scalar(
        select(func.count())
        .select_from(MajorMatter)
        .where(
            MajorMatter.status == "open", MajorMatter.case_id.in_(_flagged_ids(db_session, "risk"))
        )
    )
    assert open_loss_reviews >= 2 and f"重大事项（{open_loss_reviews}）" in listing


@pytest.mark.parametrize("username", sorted(ROLE_CASES))
@pytest.mark.parametrize(
    "url",
    [
        "/branchview/list/",
        "/users/list/",
        "/departmentview/list/",
        "/branchcontactview/list/",
        "/violations/list/",
        "/queues/",
        "/register/",
        "/spotcheckview/list/",
    ],
)
def test_art29_34_press_and_risk_read_no_unit_user_or_other_record(
    db_session, login_as, flagged, username, url
):
    response = login_as(username).get(url)
    text = response.get_data(as_text=True)
    assert response.status_code in (403, 404) or (
        response.status_code == 302 and "/login" not in response.headers["Location"]
    ), (url, response.status_code)
    for name in ("汉口", "武昌", "liaison_hankou"):
        assert name not in text, (url, name)
    for case in flagged.values():
        assert case.number not in text


def test_art29_press_may_not_open_major_matters(db_session, login_as, flagged):
    matter = _matter(db_session, flagged["casualties"])
    press = login_as("press")
    assert press.get("/major-matters/").status_code in (302, 403)
    assert press.get(f"/major-matters/show/{matter.id}").status_code in (302, 403)
    page = press.get(f"/cases/show/{flagged['media_hankou'].id}").get_data(as_text=True)
    assert 'id="case-major-matter"' not in page


def test_art22_the_case_page_links_its_review_for_those_who_may_read_it(
    db_session, login_as, flagged
):
    case = flagged["adverse"]
    matter = _matter(db_session, case)
    for username, shown in (
        ("committee", True),
        ("leader", True),
        ("head_hankou", True),
        ("risk", False),  # not a casualty case: not even the case page
    ):
        response = login_as(username).get(f"/cases/show/{case.id}")
        text = response.get_data(as_text=True)
        assert (f"/major-matters/show/{matter.id}" in text) is shown, username


def test_follow_case_unit_ignores_other_moves(db_session, hankou_matter):
    """Only a dispatch or a return moves a review (a step of the case's own transaction)."""
    case = db_session.get(Case, hankou_matter.case_id)
    entries = len(_kinds(db_session, hankou_matter))
    major_matters.follow_case_unit(db_session, case, Action.REMIND)
    db_session.commit()
    assert len(_kinds(db_session, hankou_matter)) == entries


# -- review fixes (issue 8) --------------------------------------------------------------------


def test_art22_a_close_without_the_version_the_page_showed_is_refused(
    app, db_session, hankou_matter
):
    """The close always names the version the page showed: without it, a close racing another
    entry could end a review on a page that no longer shows it (nothing is saved)."""
    entries = len(_kinds(db_session, hankou_matter))
    notices = db_session.scalar(select(func.count()).select_from(Notification))
    with app.test_request_context(), pytest.raises(ConflictError) as refused:
        major_matters.close_review(
            db_session, actor(db_session, "csd"), hankou_matter.id, "结束", version=None
        )
    assert "刚刚修改" in str(refused.value) or "未保存" in str(refused.value)
    matter = _matter(db_session, hankou_matter.case)
    assert matter.status == "open" and len(_kinds(db_session, matter)) == entries
    assert db_session.scalar(select(func.count()).select_from(Notification)) == notices


@pytest.mark.parametrize("username", ["press", "agent"])
def test_art22_the_list_of_reviews_is_refused_without_the_read_capability(
    app, db_session, flagged, username
):
    """matter_list checks read.major_matters itself (not only the view): 党委工作部传讯组 reads
    media cases, not the committee's reviews, even of those cases."""
    with app.test_request_context(), pytest.raises(PermissionDeniedError) as refused:
        matter_list(db_session, actor(db_session, username), status=None, page=1)
    assert "您的角色不能" in str(refused.value)
    shown = matter_list(db_session, actor(db_session, "risk"), status=None, page=1)
    assert {row.matter.case_id for row in shown.rows} >= {
        flagged["casualties"].id,
        flagged["loss"].id,
    }


def test_art34_the_review_page_says_handed_to_risk_by_the_domain_rule(db_session, login_as):
    """Art.34: the page shows the hand-over to 风险管理部 when the review's reasons go to it
    (app.domain.major_matters.goes_to_risk): a property-loss case, or a complaint whose review
    gained the property-loss reason; not an adverse-impact case involving the media."""
    loss = _matter(db_session, gen_case(db_session, property_loss=True))
    media = _matter(db_session, gen_case(db_session, media_involved=True, adverse_impact=True))
    complaint = gen_case(db_session, kind="complaint")
    with caller_owns_transaction(db_session):
        major_matters.open_review_for_case(
            db_session, complaint, trigger="major_complaint", actor=actor(db_session, "csd"), now=T0
        )
        major_matters.open_review_for_case(
            db_session, complaint, trigger="property_loss", actor=actor(db_session, "csd"), now=T0
        )
    db_session.commit()
    added = _matter(db_session, complaint)
    committee = login_as("committee")
    for matter, shown in ((loss, True), (media, False), (added, True)):
        assert matter_page(db_session, actor(db_session, "committee"), matter.id).to_risk is shown
        page = committee.get(f"/major-matters/show/{matter.id}").get_data(as_text=True)
        assert ("已移交风险管理部" in page) is shown, matter.triggers
        assert ('id="matter-to-risk"' in page) is shown


@pytest.mark.parametrize(
    ("username", "shown"),
    [
        ("press", "全公司涉及媒体的诉求"),
        ("risk", "全公司涉及人员伤亡或财产损失的诉求"),
        # Roles without a dashboard keep this start page (issue 9 lands the others on theirs).
        ("handler_hankou", "汉口分公司及其下级单位"),
        ("admin", "全公司所有单位"),
    ],
)
def test_art29_34_the_home_page_describes_the_flag_readers_scope(login_as, username, shown):
    """Art.29/34: 党委工作部传讯组 and 风险管理部 have no unit, yet read the flagged cases of every
    unit: the start page says so instead of 'no unit assigned'."""
    page = login_as(username).get("/").get_data(as_text=True)
    assert "可查看的数据范围" in page and shown in page
    assert "尚未分配单位" not in page


def test_art29_34_the_scope_description_names_the_units_and_the_flags(app, db_session):
    """Art.29/34: the words for a scope come from the scope (not the template): the top units it
    covers, the flagged cases of the whole company it reads, or no unit at all."""
    hankou = branch_id(db_session, "hankou")
    with app.test_request_context():
        for username, text in (
            ("press", "全公司涉及媒体的诉求（第二十九条）"),
            ("risk", "全公司涉及人员伤亡或财产损失的诉求（第三十四条）"),
            ("csd", "全公司所有单位"),
        ):
            assert describe_scope(db_session, actor(db_session, username).scope) == text
        hankou_scope = actor(db_session, "head_hankou").scope
        both = Scope(1, False, hankou_scope.branch_ids, ("media_involved",))
        assert describe_scope(db_session, both) == (
            "汉口分公司及其下级单位；全公司涉及媒体的诉求（第二十九条）"
        )
        assert hankou in both.branch_ids and len(both.branch_ids) > 1  # one top unit named
        assert describe_scope(db_session, Scope(user_id=None, all_branches=False)) == (
            "尚未分配单位，请联系系统管理员"
        )


def test_art29_a_media_case_tells_each_unit_head_once_whatever_its_returns(db_session):
    """Art.29: a media case returned and dispatched again to the same unit does not tell its
    head again; dispatched to another unit, that unit's head is told once."""
    case = gen_case(db_session, media_involved=True)
    hankou, wuchang = branch_id(db_session, "hankou"), branch_id(db_session, "wuchang")
    act(db_session, "csd", case, "dispatch", branch_id=hankou)
    act(db_session, "liaison_hankou", case, "return_case", reason="不属本单位辖区。")
    act(db_session, "csd", case, "dispatch", branch_id=hankou)
    assert [n.category for n in _notified(db_session, "head_hankou", case=case)] == ["media"]
    act(db_session, "liaison_hankou", case, "return_case", reason="确不属本单位辖区。")
    act(db_session, "csd", case, "dispatch", branch_id=wuchang)
    assert [n.category for n in _notified(db_session, "head_wuchang", case=case)] == ["media"]
    act(db_session, "liaison_wuchang", case, "return_case", reason="亦不属本单位。")
    act(db_session, "csd", case, "dispatch", branch_id=wuchang)
    assert [n.category for n in _notified(db_session, "head_wuchang", case=case)] == ["media"]
    assert len(_notified(db_session, "head_hankou", case=case)) == 1
    assert len(_notified(db_session, "press", case=case)) == 1
