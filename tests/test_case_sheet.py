"""The printable case sheet (工单, issue 9 item 6): the case, its customer as the case page shows
them to this user (masked without read.contact_details, hidden from the branch a 举报 is about,
Art.13), the timeline, the result and the callback, on A4 without the portal's navigation;
reachable from the case page, under the case page's scope and permission."""

from __future__ import annotations

from datetime import datetime

from app.models import Case
from tests.case_helpers import act, branch_id, gen_case
from tests.english import english_words


def _handled_case(session, **extra):
    at = datetime(2026, 10, 12, 9, 0)
    case = gen_case(session, received=at, now=at, **extra)
    act(session, "csd", case, "dispatch", branch_id=branch_id(session, "hankou"), now=at)
    act(session, "liaison_hankou", case, "sign_for", now=at)
    act(session, "liaison_hankou", case, "reply", result="已更换燃气表，恢复正常。", now=at)
    session.expire_all()
    return session.get(Case, case.id)


def test_case_sheet_shows_case_customer_timeline_and_result(login_as, db_session):
    case = _handled_case(db_session)
    html = login_as("csd").get(f"/cases/print/{case.id}").get_data(as_text=True)
    assert "服务诉求工单" in html and case.number in html
    assert "13912345678" in html and "江岸区黄浦大街1号" in html  # CSD sees the details whole
    assert "已更换燃气表，恢复正常。" in html and "燃气表走字异常" in html
    assert 'id="sheet-timeline"' in html and html.count("<tr><td>") >= 3  # three events
    assert "suqiu-print.css" in html
    assert "navbar" not in html  # no navigation on paper
    assert not english_words(html, {"SQ"}), english_words(html, {"SQ"})  # SQ: case numbers


def test_case_sheet_masks_as_the_case_page_does(login_as, db_session):
    """PIPL: the head of 汉口 has no read.contact_details: phone and address masked."""
    case = _handled_case(db_session)
    html = login_as("head_hankou").get(f"/cases/print/{case.id}").get_data(as_text=True)
    assert "139****5678" in html and "13912345678" not in html
    assert "江岸区黄浦大……" in html and "江岸区黄浦大街1号" not in html


def test_case_sheet_hides_the_reporter_from_the_branch_reported_on(login_as, db_session):
    """Art.13: a 举报's reporter never reaches the branch reported on, on paper neither."""
    case = _handled_case(db_session, kind="report")
    html = login_as("liaison_hankou").get(f"/cases/print/{case.id}").get_data(as_text=True)
    assert "王先生" not in html and "5678" not in html
    assert "举报人信息对被举报单位隐藏。" in html


def test_case_sheet_of_another_unit_is_not_found(login_as, db_session):
    case = _handled_case(db_session)
    assert login_as("liaison_wuchang").get(f"/cases/print/{case.id}").status_code == 404
    assert login_as("liaison_hankou").get(f"/cases/print/{case.id}").status_code == 200
    assert login_as("liaison_hankou").get("/cases/print/99999999").status_code == 404


def test_case_page_links_to_its_sheet(login_as, db_session):
    case = _handled_case(db_session)
    html = login_as("liaison_hankou").get(f"/cases/show/{case.id}").get_data(as_text=True)
    assert f'href="/cases/print/{case.id}"' in html and "打印工单" in html
