"""In Chromium against `suqiu demo`: CSD uploads a platform's export, sees each bad row's
problem in Chinese (row, column, problem), confirms, watches the import finish and opens a
created case from the result (screenshots in test-artifacts/import-*.png)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.test_browser import ARTIFACTS, browser, demo_url, sign_in  # noqa: F401 - fixtures
from tests.test_case_imports import platform_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOTS = Path("/work/notes/shots")


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"import-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if SHOTS.is_dir():
        shutil.copy(path, SHOTS / path.name)


def test_csd_uploads_previews_confirms_and_opens_a_case(browser, demo_url):  # noqa: F811
    page, outside = sign_in(browser, demo_url, "csd")
    page.goto(demo_url + "/caseimports/")
    assert "批量导入" in page.inner_text("body")
    assert page.get_attribute("#template-link", "href").endswith("/caseimports/template.xlsx")
    page.set_input_files(
        "#import-file",
        {"name": "12345工单导出.xlsx", "mimeType": XLSX, "buffer": platform_workbook()},
    )
    _shot(page, "upload")
    page.click("#form-upload button")
    page.wait_for_selector("#import-problems")
    problems = page.inner_text("#import-problems")
    assert "行号" in problems and "问题说明" in problems
    assert "B 受理时间" in problems and "与第 4 行的工单编号重复" in problems
    assert page.inner_text("#count-valid") == "3" and page.inner_text("#count-errors") == "3"
    _shot(page, "preview")

    page.click("#confirm-import")
    page.wait_for_selector("#import-rows a[href*='/cases/show/']")
    assert page.inner_text("#import-status") == "已导入"
    assert "已导入 3 件诉求" in page.inner_text("body")
    created = page.inner_text("#import-rows")
    assert "GD-0001" in created and "GD-0003" in created
    assert "与第 4 行的工单编号重复" in created  # each row's result, the bad ones too
    _shot(page, "result")
    page.click("#import-rows a[href*='/cases/show/']")
    page.wait_for_load_state("networkidle")
    assert "/cases/show/" in page.url

    # a larger file: the progress bar moves while the rows are registered
    page.goto(demo_url + "/caseimports/")
    page.set_input_files(
        "#import-file", {"name": "大批量.xlsx", "mimeType": XLSX, "buffer": _large(1_500)}
    )
    page.click("#form-upload button")
    page.wait_for_selector("#confirm-import")
    page.click("#confirm-import")
    for _ in range(600):  # (wait_for_function evaluates a string: the CSP forbids it)
        if page.locator("#count-imported").count():
            break
        if page.eval_on_selector("#import-progress progress", "bar => bar.value") > 0:
            break
        page.wait_for_timeout(200)
    _shot(page, "progress")
    page.wait_for_selector("#count-imported", timeout=180_000)
    assert page.inner_text("#count-imported") == "1500"
    assert not outside
    page.close()


def _large(count: int) -> bytes:
    import io
    from datetime import timedelta

    import openpyxl

    from tests.test_case_imports import BASE

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("工单")
    sheet.append(["工单编号", "受理时间", "来电人", "联系电话", "诉求内容", "诉求类型", "来源渠道"])
    for i in range(count):
        moment = BASE + timedelta(minutes=i % 600)
        sheet.append(
            [f"BR-{i:05d}", moment, f"客户{i}", f"139{i:08d}", "表读数异常", "咨询", "市民热线"]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
