"""In Chromium (Art.37/38): liaison_hankou submits an emergency 停气 notice (first without the
expected recovery time, which is refused), CSD finds it under 待审核通报 and publishes it, and an
agent sees it beside the registration form; CSD records the demo's late 武昌 notice as an Art.37
breach, once. Screenshots go to test-artifacts/."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain.clock import now as clock_now
from tests.test_browser import (  # noqa: F401  (module fixtures: the demo portal, Chromium)
    ARTIFACTS,
    browser,
    demo_url,
    sign_in,
    switch_user,
)

pytestmark = pytest.mark.browser
TITLE = "汉口金桥片区燃气管道抢修停气"
AREA = "江岸区金桥大道1号至88号"


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def _flash(page) -> str:
    return " ".join(page.locator(".alert").all_inner_texts())


def test_a_liaisons_emergency_notice_reaches_the_registration_screen(browser, demo_url):  # noqa: F811
    page, outside = sign_in(browser, demo_url, "liaison_hankou")
    page.click("text=服务诉求")
    assert page.locator(".dropdown-menu >> text=提交通报").first.is_visible()
    assert "待审核通报" not in page.inner_text(".navbar")
    page.click(".dropdown-menu >> text=提交通报")
    page.wait_for_load_state("networkidle")
    options = page.locator("#branch_id option").all_inner_texts()
    assert any("汉口分公司" in o for o in options)
    assert not any("武昌" in o for o in options)  # its own unit (and sub-units) only
    start = clock_now() - timedelta(hours=1)
    page.select_option("#kind", label="突发事件（第三十八条）")
    page.select_option("#business_category_id", label="停气")
    page.fill("#title", TITLE)
    page.fill("#area", AREA)
    page.fill("#starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill(
        "#talking_points",
        "金桥大道燃气管道受损，正在抢修，沿线暂停供气。请向客户致歉并告知预计恢复时间，"
        "提醒关闭灶前阀，复气后先检查再点火。",
    )
    page.click("#form-bulletin button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "突发事件通报必须填写预计恢复时间（第三十八条）。" in _flash(page)
    assert page.input_value("#title") == TITLE  # what was typed comes back
    _shot(page, "bulletin-liaison-refused.png")
    page.fill("#expected_recovery_at", (start + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"))
    page.click("#form-bulletin button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "通报已提交客服部审核。" in _flash(page)
    assert page.inner_text("#bulletin-status") == "待审核"
    assert page.inner_text("#bulletin-shown") == "否"  # not before CSD publishes it
    _shot(page, "bulletin-liaison-submitted.png")
    page.goto(demo_url + "/bulletinview/list/")
    listing = page.content()
    assert TITLE in listing and "武昌分公司" not in listing
    _shot(page, "bulletin-liaison-list.png")

    switch_user(page, demo_url, "csd")
    page.click("text=服务诉求")
    entry = page.locator(".dropdown-menu >> text=/待审核通报（\\d+）/").first
    assert entry.is_visible()
    entry.click()
    page.wait_for_load_state("networkidle")
    page.click(f"tr:has-text('{TITLE}') a[href*='/bulletinview/show/']")
    page.wait_for_load_state("networkidle")
    assert AREA in page.content()
    _shot(page, "bulletin-csd-review.png")
    page.click("#form-publish button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "通报已发布到登记页面。" in _flash(page)
    assert page.inner_text("#bulletin-status") == "已发布"
    assert page.inner_text("#bulletin-shown") == "是"
    assert "审核发布" in page.inner_text("#bulletin-history")
    _shot(page, "bulletin-csd-published.png")

    switch_user(page, demo_url, "agent")
    page.goto(demo_url + "/register/")
    panel = page.inner_text("#bulletins")
    assert TITLE in panel and AREA in panel and "预计恢复时间" in panel
    _shot(page, "bulletin-agent-registration.png")
    assert not outside, f"requests left the server: {outside}"


def test_csd_records_the_late_notice_of_wuchang_once(browser, demo_url):  # noqa: F811
    page, outside = sign_in(browser, demo_url, "csd")
    page.goto(demo_url + "/bulletinview/list/")
    page.click("tr:has-text('武昌分公司停气复气预约流程调整') a[href*='/bulletinview/show/']")
    page.wait_for_load_state("networkidle")
    assert page.locator("#early-cases a").count() >= 1
    _shot(page, "bulletin-csd-late-notice.png")
    page.fill("#breach-note", "变更开始6天后才告知客服部。")
    page.click("#form-breach button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "迟报已登记到违规记录。" in _flash(page)
    assert "第三十七条" in page.content() and "/violations/show/" in page.url
    _shot(page, "bulletin-csd-breach-recorded.png")
    page.go_back()
    page.reload()
    assert page.locator("#form-breach").count() == 0
    assert "已登记违规记录" in page.inner_text("#bulletin-breach")
    assert not outside, f"requests left the server: {outside}"
