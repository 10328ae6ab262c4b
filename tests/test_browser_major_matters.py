"""重大事项 in Chromium (Art.22/33/34): a case registered with the 伤亡 flag opens the committee's
review at once; CSD dispatches it to 汉口, whose liaison is told and submits the handling plan;
the committee gives its 批示, which reaches the unit at once (its inbox and the case page);
风险管理部 sees the case and its review, 党委工作部传讯组 only media cases. Screenshots go to
test-artifacts/."""

from __future__ import annotations

import pytest

from tests.test_browser import (
    ARTIFACTS,
    act_in_browser,
    browser,  # noqa: F401 — the module's fixtures
    demo_url,  # noqa: F401
    sign_in,
    switch_user,
)

pytestmark = pytest.mark.browser

CONTENT = "小区燃气闪爆，一名住户受伤送医（浏览器测试）"
PLAN = "立即关阀抢修，责任人带队慰问伤者并会同风险管理部定损。"
INSTRUCTION = "同意方案，伤者救治放在首位，每日报告进展。"


def _register_with_casualties(page, url):
    page.goto(url + "/register/")
    page.select_option("#channel_id", label="政务渠道 · 市民热线")
    page.select_option("#kind_id", label="业务办理")
    page.fill("#customer_name", "钱先生")
    page.fill("#customer_phone", "13912340001")
    page.fill("#customer_address", "江岸区沿江大道200号")
    page.fill("#content", CONTENT)
    page.check("#casualties")
    page.click("#register-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "已登记" in page.content()
    number = page.inner_text(".panel-title").split()[1]
    assert number.startswith("SQ")
    return page.url, number


def _submit(page, form_id, text):
    form = page.locator(f"#{form_id}")
    form.locator("textarea[name=text]").fill(text)
    form.locator("button").click()
    page.wait_for_load_state("networkidle")
    assert "已保存" in page.content(), page.inner_text(".alert-danger")


def _review_link(page) -> str:
    return page.locator("#open-major-matter").get_attribute("href")


def test_art22_34_casualty_case_to_committee_instruction_seen_by_the_unit(browser, demo_url):  # noqa: F811
    page, outside = sign_in(browser, demo_url, "csd")
    case_url, number = _register_with_casualties(page, demo_url)
    review = _review_link(page)  # CSD reads the review too: the case page links it
    act_in_browser(page, "dispatch", target="汉口分公司")

    switch_user(page, demo_url, "committee")
    page.goto(demo_url + "/major-matters/")
    assert page.locator(f"#matters a[href='{review}']").count() == 1
    assert "人员伤亡（第三十四条）" in page.inner_text("#matters")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "major-matters-committee-list.png"), full_page=True)

    switch_user(page, demo_url, "liaison_hankou")
    page.goto(demo_url + "/notificationview/list/")
    assert "请提交处置方案" in page.content()
    page.goto(demo_url + review)
    assert page.locator("#form-comment").count() == 0
    _submit(page, "form-plan", PLAN)
    assert PLAN in page.inner_text("#section-plan")

    switch_user(page, demo_url, "committee")
    page.goto(demo_url + "/notificationview/list/")
    assert "处置方案" in page.content()
    page.goto(demo_url + review)
    assert PLAN in page.inner_text("#section-plan")
    _submit(page, "form-comment", INSTRUCTION)
    page.screenshot(path=str(ARTIFACTS / "major-matter-committee.png"), full_page=True)

    switch_user(page, demo_url, "liaison_hankou")
    page.goto(demo_url + "/notificationview/list/")
    assert "新的批示" in page.content()
    page.screenshot(path=str(ARTIFACTS / "major-matter-liaison-inbox.png"), full_page=True)
    page.goto(case_url)
    assert INSTRUCTION in page.inner_text("#case-major-matter")
    page.screenshot(path=str(ARTIFACTS / "major-matter-liaison-case.png"), full_page=True)
    page.goto(demo_url + review)
    assert INSTRUCTION in page.inner_text("#section-comment")
    page.screenshot(path=str(ARTIFACTS / "major-matter-liaison.png"), full_page=True)

    switch_user(page, demo_url, "risk")
    page.goto(demo_url + "/notificationview/list/")
    assert "已移交风险管理部" in page.content()
    page.goto(demo_url + review)
    assert INSTRUCTION in page.content() and page.locator("textarea").count() == 0
    page.screenshot(path=str(ARTIFACTS / "major-matter-risk.png"), full_page=True)
    page.goto(demo_url + "/cases/list/")
    page.screenshot(path=str(ARTIFACTS / "major-matter-risk-cases.png"), full_page=True)

    switch_user(page, demo_url, "leader")
    page.goto(demo_url + review)
    assert page.locator("#form-comment").count() == 1
    page.screenshot(path=str(ARTIFACTS / "major-matter-leader.png"), full_page=True)

    switch_user(page, demo_url, "press")
    page.goto(demo_url + review)
    assert INSTRUCTION not in page.content() and PLAN not in page.content()
    page.goto(demo_url + "/cases/list/")
    assert number not in page.content()
    # Only the demo's one media case (app/demo_major_matters.py), none of the others.
    assert page.locator("a[href^='/cases/show/']").count() == 1
    page.screenshot(path=str(ARTIFACTS / "major-matter-press-cases.png"), full_page=True)
    page.goto(case_url)
    assert CONTENT not in page.content()  # a casualty case is not press's
    assert not outside, f"requests left the server: {outside}"


COMPLAINT = "客户投诉抄表员态度恶劣并被媒体曝光（浏览器测试）"
FINDINGS = "经调查属实，市长热线督办、本地媒体报道，影响公司形象（浏览器测试）。"
MAJOR_INSTRUCTION = "重大投诉，责任单位一周内整改并报委员会。"


def test_art9_22_a_major_complaint_reaches_the_committee_and_its_instruction_the_unit(
    browser,  # noqa: F811
    demo_url,  # noqa: F811
):
    """A 投诉 determined 有效 · 重大 (Art.9) and approved opens the committee's review (Art.22);
    the committee's 批示 reaches 汉口 at once: its inbox and the case page."""
    page, outside = sign_in(browser, demo_url, "csd")
    page.goto(demo_url + "/register/")
    page.select_option("#channel_id", label="政务渠道 · 市民热线")
    page.select_option("#kind_id", label="投诉")
    page.fill("#customer_name", "吴女士")
    page.fill("#customer_phone", "13912340003")
    page.fill("#content", COMPLAINT)
    page.click("#register-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    case_url = page.url
    number = page.inner_text(".panel-title").split()[1]
    assert page.locator("#case-major-matter").count() == 0  # no flag: no review yet
    act_in_browser(page, "dispatch", target="汉口分公司")
    page.click("#open-complaint")
    page.wait_for_load_state("networkidle")
    form = page.locator("#form-determination")
    form.locator("input[name=determination][value=valid]").check()
    form.locator("textarea[name=findings]").fill(FINDINGS)
    form.locator("select[name=breach_category]").select_option(label="服务态度差")
    form.locator("input[name=grade][value=major]").check()
    for criterion in ("government_attention", "media_attention", "company_image"):
        form.locator(f"input[name=criteria][value={criterion}]").check()
    form.locator("input[name=responsibility][value=unit]").check()
    form.locator("input[name=evidence]").set_input_files(
        files=[{"name": "媒体报道截图.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n"}]
    )
    form.locator("button[name=submit][value='1']").click()
    page.wait_for_load_state("networkidle")
    assert "已提交审批" in page.content(), page.inner_text(".alert-danger")
    determination_url = page.url

    switch_user(page, demo_url, "csd_head")
    page.goto(determination_url)
    page.locator("#form-approve button[value=approve]").click()
    page.wait_for_load_state("networkidle")
    assert "重大有效投诉" in page.inner_text("#determination-result")

    switch_user(page, demo_url, "committee")
    page.goto(demo_url + "/notificationview/list/")
    assert f"{number} 重大事项：已提交服务管理委员会审核" in page.content()
    page.goto(case_url)
    review = _review_link(page)
    page.goto(demo_url + review)
    assert "重大有效投诉（第九条）" in page.inner_text("#matter-triggers")
    _submit(page, "form-comment", MAJOR_INSTRUCTION)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "major-complaint-committee.png"), full_page=True)

    switch_user(page, demo_url, "liaison_hankou")
    page.goto(demo_url + "/notificationview/list/")
    assert f"{number} 重大事项：新的批示" in page.content()
    page.goto(case_url)
    assert MAJOR_INSTRUCTION in page.inner_text("#case-major-matter")
    page.screenshot(path=str(ARTIFACTS / "major-complaint-liaison-case.png"), full_page=True)
    assert not outside, f"requests left the server: {outside}"
