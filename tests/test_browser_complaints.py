"""投诉认定 in Chromium (Art.8/9/32, Art.41): CSD registers a 投诉 case and dispatches it to 汉口,
investigates it beside the case's timeline, records the findings and the evidence file (its
Chinese name kept), determines it 有效 · 一般 and submits it; a first try without the evidence
is refused with nothing saved. 客服部主管 approves; the unit sees the result with its objection
window, and its 2 % deduction appears in the violation register. Screenshots go to
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

CONTENT = "客户投诉维修人员上门态度恶劣，未处理即离开（浏览器测试）"
FINDINGS = "调取上门录音，维修人员言语生硬、推诿，投诉属实（浏览器测试）。"
PDF = b"%PDF-1.4\n% browser test evidence\n"


def _register_complaint(page, url):
    page.goto(url + "/register/")
    page.select_option("#channel_id", label="政务渠道 · 市民热线")
    page.select_option("#kind_id", label="投诉")
    page.fill("#customer_name", "孙女士")
    page.fill("#customer_phone", "13912340002")
    page.fill("#customer_address", "江岸区沿江大道300号")
    page.fill("#content", CONTENT)
    page.click("#register-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "已登记" in page.content()
    number = page.inner_text(".panel-title").split()[1]
    assert number.startswith("SQ")
    return page.url, number


def _fill_determination(page):
    form = page.locator("#form-determination")
    form.locator("input[name=determination][value=valid]").check()
    form.locator("textarea[name=findings]").fill(FINDINGS)
    form.locator("select[name=breach_category]").select_option(label="服务态度差")
    form.locator("input[name=grade][value=general]").check()
    assert (
        form.locator("select[name=branch_id] option:checked").inner_text().strip() == "汉口分公司"
    )
    form.locator("input[name=responsibility][value=unit]").check()
    # The 无效 part and the employee are hidden (and not sent) for a valid unit complaint.
    assert not form.locator("select[name=invalid_reason]").is_visible()
    assert not form.locator("select[name=employee_id]").is_visible()
    return form


def test_art32_art41_complaint_from_registration_to_the_violation_register(browser, demo_url):  # noqa: F811
    page, outside = sign_in(browser, demo_url, "csd")
    case_url, number = _register_complaint(page, demo_url)
    act_in_browser(page, "dispatch", target="汉口分公司")
    page.click("#open-complaint")  # the case page links the determination of a 投诉 case
    page.wait_for_load_state("networkidle")
    assert number in page.inner_text("#complaint-case") and "派发" in page.inner_text(
        "#case-timeline"
    )

    form = _fill_determination(page)
    form.locator("button[name=submit][value='1']").click()  # no evidence yet
    page.wait_for_load_state("networkidle")
    assert "请上传调查证据" in page.content() and "未保存" in page.content()
    assert FINDINGS in page.content()  # what was typed comes back
    assert "尚未认定" in page.inner_text("#determination-status")

    form = _fill_determination(page)
    # The browser's own picker would say "Choose Files": the page draws it in Chinese.
    assert form.locator(".suqiu-file-button").inner_text() == "选择文件（可多选）"
    assert form.locator(".suqiu-file-names").inner_text() == "未选择文件"
    form.locator("input[name=evidence]").set_input_files(
        files=[{"name": "调查录音摘要.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    assert form.locator(".suqiu-file-names").inner_text() == "调查录音摘要.pdf"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "complaint-csd-investigation.png"), full_page=True)
    form.locator("button[name=submit][value='1']").click()
    page.wait_for_load_state("networkidle")
    assert "已提交审批" in page.content(), page.inner_text(".alert-danger")
    assert "调查录音摘要.pdf" in page.inner_text("#determination-evidence")
    assert "待审批" in page.inner_text("#determination-status")
    determination_url = page.url

    switch_user(page, demo_url, "csd_head")
    page.goto(demo_url + "/complaints/?queue=pending_approval")
    assert number in page.inner_text("#complaint-rows")
    page.goto(determination_url)
    page.screenshot(path=str(ARTIFACTS / "complaint-csd-head-approval.png"), full_page=True)
    page.locator("#form-approve textarea[name=reason]").fill("同意认定。")
    page.locator("#form-approve button[value=approve]").click()
    page.wait_for_load_state("networkidle")
    assert "操作成功" in page.content()
    assert "已批准" in page.inner_text("#determination-status")
    assert "一般有效投诉" in page.inner_text("#determination-result")

    switch_user(page, demo_url, "liaison_hankou")
    page.goto(determination_url)
    assert "一般有效投诉" in page.inner_text("#determination-result")
    assert page.locator("#form-object").is_visible()  # within its objection window
    page.screenshot(path=str(ARTIFACTS / "complaint-liaison-result.png"), full_page=True)
    page.goto(demo_url + "/violations/list/?_flt_0_cause=complaint_general")
    rows = page.locator("table tr", has_text="汉口分公司")
    links = [
        rows.nth(i).locator("a[href*='/violations/show/']").first.get_attribute("href")
        for i in range(rows.count())
    ]
    found = False
    for link in links:  # the unit's complaint entries: one of them is this case's
        page.goto(demo_url + link if link.startswith("/") else link)
        if number in page.inner_text("#entry-case"):
            assert page.inner_text("#entry-deduction") == "2%"
            assert "一般有效投诉" in page.content() and "已确认" in page.content()
            page.screenshot(path=str(ARTIFACTS / "complaint-register-entry.png"), full_page=True)
            found = True
            break
    assert found, f"no register entry for {number}"

    switch_user(page, demo_url, "liaison_wuchang")
    response = page.goto(determination_url)
    assert response.status == 404  # another unit's complaint
    assert not outside, f"requests left the server: {outside}"


def test_design_s3_a_change_after_an_objection_counts_once_the_head_approves_it(
    browser,  # noqa: F811
    demo_url,  # noqa: F811
):
    """The demo's 武昌 objection: csd proposes a change (无效投诉); it waits 变更待审批 with the
    earlier determination still shown as the result; csd_head approves it (four eyes: csd
    proposed it) and now the change counts."""
    page, outside = sign_in(browser, demo_url, "csd")
    page.goto(demo_url + "/complaints/?queue=objected")
    page.locator("#complaint-rows tr", has_text="补缴他人欠费").first.locator("a").first.click()
    page.wait_for_load_state("networkidle")
    url = page.url
    form = page.locator("#form-answer")
    form.locator("textarea[name=answer]").fill("采纳异议，营业厅按当时口径提示补缴（浏览器测试）。")
    form.locator("input[name=outcome][value=change]").check()
    form.locator("input[name=determination][value=invalid]").check()
    form.locator("textarea[name=findings]").fill(
        "复核营业厅受理记录，客户名下确有关联欠费，投诉不属实。"
    )
    form.locator("select[name=invalid_reason]").select_option(label="经调查不属实")
    form.locator("button.btn-primary").click()
    page.wait_for_load_state("networkidle")
    assert "操作成功" in page.content(), page.inner_text(".alert-danger")
    assert "变更待审批" in page.inner_text("#determination-status")
    assert "有效投诉" in page.inner_text("#determination-result")  # the earlier one counts

    switch_user(page, demo_url, "csd_head")
    page.goto(url)
    assert "无效投诉" in page.inner_text("#proposed-change")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "complaint-change-approval.png"), full_page=True)
    page.locator("#form-approve button[value=approve]").click()
    page.wait_for_load_state("networkidle")
    assert "操作成功" in page.content()
    assert "已变更认定" in page.inner_text("#determination-status")
    assert "无效投诉" in page.inner_text("#determination-result")
    assert "变更已批准" in page.inner_text("#determination-history")
    page.screenshot(path=str(ARTIFACTS / "complaint-change-approved.png"), full_page=True)
    assert not outside, f"requests left the server: {outside}"
