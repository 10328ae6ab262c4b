"""In Chromium against `suqiu demo`: the liaison of 汉口 downloads the case list as .xlsx from the
list's button (only 汉口 in it, a Chinese file name), and prints a case sheet on A4 (a PDF of
the print media, and a picture of it to look at, in test-artifacts/)."""

from __future__ import annotations

import io
import re
from urllib.parse import unquote

import openpyxl

from tests.test_browser import ARTIFACTS, browser, demo_url, sign_in  # noqa: F401 - fixtures


def test_liaison_downloads_the_list_and_prints_a_case_sheet(browser, demo_url):  # noqa: F811
    page, outside = sign_in(browser, demo_url, "liaison_hankou")
    page.goto(demo_url + "/cases/list/")
    with page.expect_download() as caught:
        page.click("#export-cases")
    download = caught.value
    name = unquote(download.suggested_filename)
    assert name.startswith("服务诉求_汉口分公司_") and name.endswith(".xlsx"), name
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "export-liaison_hankou.xlsx"
    download.save_as(str(target))
    book = openpyxl.load_workbook(io.BytesIO(target.read_bytes()))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "工单号" and len(rows) > 1
    assert not any("武昌" in str(value) for row in rows for value in row if value)

    page.goto(demo_url + "/cases/list/")
    page.click("table a[href*='/cases/show/']")
    page.wait_for_load_state("networkidle")
    href = page.get_attribute("#print-sheet", "href")
    assert page.inner_text("#print-sheet").strip() == "打印工单"
    page.goto(demo_url + href)
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.emulate_media(media="print")
    assert not page.is_visible(".toolbar")  # the 打印 button stays on the screen
    assert page.inner_text("h1") == "服务诉求工单"
    page.screenshot(path=str(ARTIFACTS / "case-sheet-print.png"), full_page=True)
    pdf = page.pdf(path=str(ARTIFACTS / "case-sheet.pdf"), prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert boxes and all(round(float(w)) == 595 and round(float(h)) == 842 for w, h in boxes)
    page.emulate_media(media="screen")
    page.screenshot(path=str(ARTIFACTS / "case-sheet-screen.png"), full_page=True)
    assert not outside
    page.close()
