"""In Chromium (Art.23/42): CSD records a personal breach of Art.29 of an employee of 武昌
(double-clicking 保存: one breach), 武昌's liaison finds it under 待录入处理意见 with the count in
the menu and enters the unit's handling opinion; 汉口's head never sees it. Screenshots go to
test-artifacts/."""

from __future__ import annotations

import re

import pytest

from tests.test_browser import (  # noqa: F401  (module fixtures: the demo portal, Chromium)
    ARTIFACTS,
    browser,
    demo_url,
    sign_in,
    switch_user,
)

pytestmark = pytest.mark.browser


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def _awaited(page) -> int:
    page.click("a.dropdown-toggle:has-text('考核管理')")
    label = page.locator(".dropdown-menu a:has-text('待录入处理意见')").first.inner_text()
    page.keyboard.press("Escape")
    return int(re.search(r"（(\d+)）", label).group(1))


def test_csd_records_a_breach_and_the_unit_enters_its_handling_opinion(
    browser,  # noqa: F811
    demo_url,  # noqa: F811
):
    page, outside = sign_in(browser, demo_url, "csd")
    page.goto(demo_url + "/staff/record/")
    page.select_option("#branch_id", label="武昌分公司")
    page.select_option("#employee_id", label="马超")
    page.select_option("#article", value="art29")
    page.fill("#occurred_on", "2026-11-20")
    page.fill("#description", "记者来电采访燃气涨价事宜，该员工未报告部门负责人和传讯组。")
    page.dblclick("#form-record-breach button.btn-primary")  # one breach however often clicked
    page.wait_for_load_state("networkidle")
    assert "人员违规已登记" in page.inner_text("body")
    assert "第二十九条" in page.inner_text(".panel-heading")
    breach_url = page.url
    _shot(page, "staff-breach-recorded.png")
    page.goto(demo_url + "/staff/?status=open")
    rows = page.locator("#breach-list tr", has_text="马超").filter(has_text="第二十九条")
    assert rows.count() == 1

    switch_user(page, demo_url, "head_hankou")
    page.goto(demo_url + "/staff/")
    assert "马超" not in page.inner_text("#breach-list")
    page.goto(breach_url)
    assert "记者来电" not in page.inner_text("body")

    switch_user(page, demo_url, "liaison_wuchang")
    page.goto(demo_url + "/staff/?status=open")
    before = _awaited(page)
    assert before >= 1 and "第二十九条" in page.inner_text("#breach-list")
    _shot(page, "staff-breaches-wuchang.png")
    page.goto(breach_url)
    page.fill("#opinion", "已对马超诫勉谈话，组织媒体应对培训，扣发当月绩效。")
    page.click("#form-opinion button")
    page.wait_for_load_state("networkidle")
    body = page.inner_text("body")
    assert "处理意见已录入" in body and "已对马超诫勉谈话" in page.inner_text("#breach-opinion")
    assert "单位录入处理意见" in page.inner_text("#breach-history")
    assert _awaited(page) == before - 1
    _shot(page, "staff-breach-opinion-entered.png")
    assert outside == [], f"requests left the intranet: {outside}"
