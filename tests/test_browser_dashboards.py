"""In Chromium (issue 9): `leader` lands on the company dashboard, its charts are drawn by the
vendored ECharts (no request leaves the server), a click on a bar opens the case list whose
count equals the bar; `liaison_hankou` sees only 汉口 and its sub-unit; CSD lands on the
operations view; the wall display and the print view. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re

import pytest

from tests.test_browser import ARTIFACTS, browser, demo_url, sign_in  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser
CHARTS = ("by_month", "by_day", "heat", "by_category", "by_channel", "by_kind", "by_business")


def _drawn(page) -> None:
    for code in CHARTS:
        page.wait_for_selector(f"#chart-{code}[data-drawn], #chart-{code}.suqiu-chart-empty")


def _list_count(page) -> int:
    match = re.search(r"记录数目:\s*(\d+)", page.inner_text("body"))
    return int(match.group(1)) if match else 0


def _bar_point(page, code: str, index: int) -> tuple[float, float, int]:
    """The page position of bar ``index`` of chart ``code`` (its middle) and its value."""
    x, y, value = page.evaluate(
        """([code, index]) => {
            const node = document.getElementById('chart-' + code);
            const chart = echarts.getInstanceByDom(node);
            const value = chart.getOption().series[0].data[index];
            const [px, py] = chart.convertToPixel({seriesIndex: 0}, [index, value / 2]);
            const box = node.getBoundingClientRect();
            return [box.left + window.scrollX + px, box.top + window.scrollY + py, value];
        }""",
        [code, index],
    )
    return x, y, value


def test_leader_drills_from_a_bar_to_a_list_of_as_many_cases(browser, demo_url):  # noqa: F811
    page, outside = sign_in(browser, demo_url, "leader")
    assert page.locator("#dashboard").count() == 1  # leaders land on the company dashboard
    _drawn(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-leader.png"), full_page=True)
    body = page.inner_text("body")
    assert "数据看板" in body and "考核指标排名" in body
    assert "汉口分公司" in body and "武昌分公司" in body
    intake = int(page.inner_text("#dash-intake"))
    assert intake > 0, "the demo has cases this month"

    page.locator("#chart-by_month").scroll_into_view_if_needed()
    x, y, value = _bar_point(page, "by_month", 0)
    assert value == intake  # one month: the bar is the month's intake
    page.mouse.click(x - page.evaluate("window.scrollX"), y - page.evaluate("window.scrollY"))
    page.wait_for_url(re.compile(r"/cases/list/"))
    page.wait_for_load_state("networkidle")
    assert _list_count(page) == value
    page.screenshot(path=str(ARTIFACTS / "dashboard-drill-list.png"), full_page=True)

    page.goto(demo_url + "/dashboards/")
    _drawn(page)
    cell = page.locator("#scorecard tbody tr").first.locator("td.suqiu-num a").first
    shown = int(cell.inner_text())  # 受理量 of the first-ranked unit
    cell.click()
    page.wait_for_url(re.compile(r"/cases/list/"))
    assert _list_count(page) == shown
    body = page.inner_text("body")
    assert "来自数据看板" in body and "受理量" in body
    page.screenshot(path=str(ARTIFACTS / "dashboard-kpi-list.png"), full_page=True)
    assert not outside, f"requests left the server: {outside}"


def test_liaison_sees_only_hankou(browser, demo_url):  # noqa: F811
    page, outside = sign_in(browser, demo_url, "liaison_hankou")
    assert page.locator("#unit-tiles").count() == 1
    _drawn(page)
    body = page.inner_text("body")
    assert "本单位数据看板" in body and "汉口分公司" in body
    assert "武昌" not in page.content()
    page.screenshot(path=str(ARTIFACTS / "dashboard-liaison-hankou.png"), full_page=True)
    page.goto(demo_url + "/dashboards/?unit=999999")
    assert "您只能查看本单位及下属单位的数据" in page.inner_text("body")
    assert not outside


def test_csd_operations_wall_and_print(browser, demo_url):  # noqa: F811
    page, outside = sign_in(browser, demo_url, "csd")
    assert page.locator("#operations").count() == 1
    body = page.inner_text("body")
    for label in ("今日受理", "待派发", "已超期", "待回访", "待审批延期申请"):
        assert label in body
    page.screenshot(path=str(ARTIFACTS / "dashboard-operations-csd.png"), full_page=True)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(demo_url + "/dashboards/wall")
    _drawn(page)
    page.screenshot(path=str(ARTIFACTS / "dashboard-wall.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(demo_url + "/dashboards/?print=1")
    _drawn(page)
    page.emulate_media(media="print")
    page.screenshot(path=str(ARTIFACTS / "dashboard-print.png"), full_page=True)
    page.pdf(path=str(ARTIFACTS / "dashboard-print.pdf"), landscape=True, format="A4")
    assert not outside
