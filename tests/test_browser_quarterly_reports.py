"""In Chromium (Art.39): CSD generates the last ended quarter's analysis report, writes its
analysis and measures and submits it; the service leader gives a 批示; CSD distributes it; the
5 working days pass (the answers' deadline is moved into the past in the demo database, as the
calendar would); 汉口's liaison answers late and sees it flagged, the sweep flags 武昌's missing
answer once, and CSD's page lists both. The printed report is screenshot on A4. Screenshots go
to test-artifacts/ and /work/notes/shots/report-*.png."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from app.domain import quarterly_reports as qr
from app.domain.clock import now as clock_now
from tests.test_browser import (  # noqa: F401  (module fixtures: Chromium)
    ARTIFACTS,
    PASSWORD,
    browser,
    demo_env,
    serving_demo,
    sign_in,
    switch_user,
)

pytestmark = pytest.mark.browser
SHOTS = Path("/work/notes/shots")
QUARTER = qr.last_ended(clock_now())


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo portal (as tests/test_browser.demo_url) and its instance folder; the demo's
    approved valid complaints are dated into the last ended quarter: 汉口 and 武昌 owe answers."""
    instance = tmp_path_factory.mktemp("report-demo")
    env = demo_env(instance)
    subprocess.run(
        [sys.executable, "-m", "app.cli", "demo", "--no-serve"], env=env, check=True,
        capture_output=True,
    )  # fmt: skip
    middle = QUARTER.period.start + timedelta(days=40, hours=10)
    with sqlite3.connect(instance / "suqiu.db") as db:
        db.execute(
            "UPDATE complaint_determination SET approved_at = ? WHERE approved_at IS NOT NULL",
            (middle.isoformat(sep=" "),),
        )
    with serving_demo(instance, env) as url:
        yield url, instance, env


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ARTIFACTS / name, SHOTS / name)


def _flash(page) -> str:
    return " ".join(page.locator(".alert").all_inner_texts())


def _go(page, selector):
    page.click(selector)
    page.wait_for_load_state("networkidle")


def test_art39_from_generation_to_a_late_answer_flagged(browser, demo):  # noqa: F811
    url, instance, env = demo
    page, outside = sign_in(browser, url, "csd")
    page.click("text=统计分析")
    _go(page, ".dropdown-menu >> text=季度分析报告")
    # A quarter not yet ended is refused in Chinese; nothing is made.
    page.fill("#quarter", qr.quarter_of(clock_now()).token)
    _go(page, "#form-generate button")
    assert "尚未结束" in _flash(page)
    assert page.locator("#report-list a").count() == 0
    page.fill("#quarter", QUARTER.token)
    _go(page, "#form-generate button")
    assert "报告已生成" in _flash(page)
    assert page.inner_text("#report-status") == "草稿"
    assert "主要指标对比" in page.content() and "投诉原因排行" in page.content()
    page.fill("textarea[name=analysis]", "本季度受理量环比上升，投诉集中在服务态度和推诿拖延。")
    page.fill("textarea[name=measures]", "一、加强一线服务礼仪培训；二、推行上门服务预约制。")
    _go(page, "#form-edit button")
    _shot(page, "report-csd-draft.png")
    _go(page, "#form-submit button")
    assert "报告已报送服务管理委员会" in _flash(page)

    switch_user(page, url, "leader")
    page.goto(url + "/quarterly-reports/")
    _go(page, f"#report-list a:has-text('{QUARTER.token}')")
    report_url = page.url
    page.fill("#form-comment textarea", "请各单位对照问题逐项整改，按期反馈。")
    _go(page, "#form-comment button")
    assert "请各单位对照问题逐项整改" in page.inner_text("#comments")

    switch_user(page, url, "csd")
    page.goto(report_url)
    _go(page, "#form-distribute button")
    assert "报告已下发各单位" in _flash(page)
    units = page.locator("#answers tbody tr").all_inner_texts()
    assert any("汉口分公司" in u for u in units) and any("武昌分公司" in u for u in units)
    _shot(page, "report-csd-distributed.png")

    # Five working days pass without an answer.
    past = (clock_now() - timedelta(days=1)).replace(hour=23, minute=59, second=59)
    with sqlite3.connect(instance / "suqiu.db") as db:
        db.execute("UPDATE report_answer SET due = ?", (past.isoformat(sep=" "),))

    switch_user(page, url, "liaison_hankou")
    page.goto(report_url)
    rows = page.locator("#answers tbody tr")
    assert rows.count() == 1 and "汉口分公司" in rows.first.inner_text()  # not 武昌's
    assert "请各单位对照问题逐项整改" in page.inner_text("#comments")
    page.fill(".answer-form textarea", "已对涉事班组通报批评，并完成服务礼仪复训。")
    _go(page, ".answer-form button")
    assert "已超过答复期限" in _flash(page) and "逾期" in _flash(page)
    assert page.inner_text("#answers .answer-state") == "逾期答复"
    assert page.locator(".answer-form").count() == 0  # once only
    _shot(page, "report-liaison-late-answer.png")

    swept = subprocess.run(
        [sys.executable, "-m", "app.cli", "sweep"], env=env, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    assert "季度报告逾期未答复 1 个单位" in swept.stdout
    again = subprocess.run(
        [sys.executable, "-m", "app.cli", "sweep"], env=env, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    assert "季度报告逾期未答复 0 个单位" in again.stdout

    switch_user(page, url, "csd")
    page.goto(report_url)
    flagged = page.inner_text("#flagged")
    assert "汉口分公司" in flagged and "武昌分公司" in flagged
    states = page.locator("#answers .answer-state").all_inner_texts()
    assert sorted(states) == sorted(["逾期答复", "逾期未答复"])
    _shot(page, "report-csd-flagged.png")

    page.goto(report_url.replace("/show/", "/print/"))
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    text = page.inner_text("body")
    assert "季度服务分析报告" in text and QUARTER.token in text and "签发人（签字）" in text
    _shot(page, "report-print.png")
    page.pdf(path=str(SHOTS / "report-print.pdf"), format="A4", prefer_css_page_size=True)
    assert not outside, f"requests left the server: {outside}"
