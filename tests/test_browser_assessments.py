"""年终考核 in Chromium (Art.41, design §3): on the demo portal, CSD has decided every proposed
violation of last year (a year is assessed once it is over) and opened the draft for objections
(deadline yesterday, set up through the services); the committee sees the ranked draft, finalises
it, prints it on A4; then CSD registers a complaint against 汉口 (received last December: its
date is set through the services), determines it 有效 · 一般 and 客服部主管 approves it — the
register gains a 2 % entry of last year, the live figure drops, the finalised assessment
still shows what it showed and warns of the entry confirmed after it. Screenshots go to the
test's tmp dir and test-artifacts/, one copy each to /work/notes/shots/ when that folder
exists."""

from __future__ import annotations

import re
import shutil
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import pytest
from sqlalchemy import select

from app.domain.clock import now as clock_now
from tests.test_browser import (
    ARTIFACTS,
    act_in_browser,
    browser,  # noqa: F401 — the module's fixtures
    serving_demo,
    sign_in,
    switch_user,
)
from tests.test_browser_complaints import PDF, _fill_determination, _register_complaint

pytestmark = pytest.mark.browser
SHOTS = Path("/work/notes/shots")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo portal (as tests/test_browser.demo_url) and its instance folder, whose SQLite
    database the test prepares through the services."""
    instance = tmp_path_factory.mktemp("assessment-demo")
    with serving_demo(instance) as url:
        yield url, instance


def _services_app(instance: Path, tmp: Path):
    from tests.conftest import make_app

    return make_app(f"sqlite:///{instance / 'suqiu.db'}", tmp)


def _prepare_year(app, year: int) -> None:
    """CSD decides every proposed violation of the year (confirms it) and opened the draft for
    objections three days ago, with yesterday as the deadline."""
    from app.extensions import db
    from app.models import ViolationEntry
    from app.services import assessments, violations
    from tests.case_helpers import actor

    with app.app_context():
        session = db.session
        csd = actor(session, "csd")
        proposed = session.scalars(
            select(ViolationEntry).where(
                ViolationEntry.status == "proposed",
                ViolationEntry.occurred_on >= datetime(year, 1, 1).date(),
                ViolationEntry.occurred_on < datetime(year + 1, 1, 1).date(),
            )
        ).all()
        for entry in proposed:
            violations.confirm_entry(session, csd, entry.id, version=entry.version)
        today = clock_now().date()
        found = assessments.current_of(session, year)
        assessments.open_for_objections(
            session,
            csd,
            year,
            deadline=today - timedelta(days=1),
            lock_version=found.lock_version if found else 0,
            now=datetime.combine(today - timedelta(days=3), clock_time(9, 0)),
        )
        db.session.remove()


def _received_in_december(app, number: str, year: int) -> None:
    """The complaint was received on 20 December of ``year`` (registered late): its entry counts
    in that year's register."""
    from app.extensions import db
    from app.models import Case

    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.number == number))
        case.received_at = datetime(year, 12, 20, 9, 0)
        db.session.commit()
        db.session.remove()


def _live_hankou(app, year: int) -> int:
    from app.extensions import db
    from app.models import Branch
    from app.services import assessment_figures
    from app.services.actor import Actor

    with app.app_context():
        hankou = db.session.scalar(select(Branch.id).where(Branch.code == "hankou"))
        totals = assessment_figures.live_totals(db.session, Actor.system(), year)
        db.session.remove()
        return totals[hankou].deduction_bp if hankou in totals else 0


def _shot(page, tmp: Path, name: str, **options) -> None:
    path = tmp / f"assessment-{name}.png"
    page.screenshot(path=str(path), full_page=True, **options)
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(path, ARTIFACTS / path.name)
    if SHOTS.is_dir():
        shutil.copy(path, SHOTS / path.name)


def _hankou_row(page) -> str:
    return page.locator("#assessment-lines tr", has_text="汉口分公司").first.inner_text()


def test_art41_committee_finalises_and_a_later_valid_complaint_changes_nothing(
    browser,  # noqa: F811
    demo,
    tmp_path,
):
    url, instance = demo
    year = clock_now().year - 1  # last year: over, so it may be finalised (Art.41)
    app = _services_app(instance, tmp_path / "services")
    _prepare_year(app, year)

    page, outside = sign_in(browser, url, "committee")
    page.on("dialog", lambda dialog: dialog.accept())  # the finalise button asks first
    page.goto(f"{url}/assessments/{year}")
    assert "实时草稿" in page.inner_text("#assessment-status")
    assert page.locator("#form-finalise").is_visible()
    _shot(page, tmp_path, "committee-draft")
    before = _hankou_row(page)
    page.locator("#form-finalise button").click()
    page.wait_for_load_state("networkidle")
    assert "考核已定稿" in page.content(), page.content()
    assert "已定稿" in page.inner_text("#assessment-status")
    finalised_row = _hankou_row(page)
    assert finalised_row == before  # the snapshot holds the figures of the draft
    score = re.findall(r"\d+(?:\.\d+)?%", finalised_row)[-1]  # the last figure: the score
    _shot(page, tmp_path, "committee-finalised")

    page.goto(f"{url}/assessments/{year}/print")
    assert f"{year} 年度基础管理工作考核" in page.content()
    assert "审定（服务管理委员会）" in page.content()
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    _shot(page, tmp_path, "print")
    page.pdf(path=str(tmp_path / "assessment.pdf"), format="A4")
    assert (tmp_path / "assessment.pdf").read_bytes()[:4] == b"%PDF"
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1366, "height": 900})

    # A valid complaint against 汉口, approved after the assessment was finalised.
    deduction_before = _live_hankou(app, year)
    switch_user(page, url, "csd")
    _, number = _register_complaint(page, url)
    _received_in_december(app, number, year)
    page.reload()  # the case's new version
    act_in_browser(page, "dispatch", target="汉口分公司")
    page.click("#open-complaint")
    page.wait_for_load_state("networkidle")
    form = _fill_determination(page)
    form.locator("input[name=evidence]").set_input_files(
        files=[{"name": "考核后投诉证据.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    form.locator("button[name=submit][value='1']").click()
    page.wait_for_load_state("networkidle")
    assert "已提交审批" in page.content()
    determination_url = page.url
    switch_user(page, url, "csd_head")
    page.goto(determination_url)
    page.locator("#form-approve textarea[name=reason]").fill("同意认定。")
    page.locator("#form-approve button[value=approve]").click()
    page.wait_for_load_state("networkidle")
    assert "已批准" in page.inner_text("#determination-status")
    assert _live_hankou(app, year) == deduction_before + 200  # the register counts it now

    switch_user(page, url, "committee")
    page.goto(f"{url}/assessments/{year}")
    assert "已定稿" in page.inner_text("#assessment-status")
    assert _hankou_row(page) == finalised_row  # unchanged: a stored snapshot
    assert score in _hankou_row(page)
    # ... but the page warns of the deduction confirmed after finalising, with its link.
    late = page.inner_text("#assessment-late")
    assert "又确认了 1 项本年度的扣分" in late and "重新打开" in late
    _shot(page, tmp_path, "after-later-complaint")
    assert not outside, f"requests left the server: {outside}"
