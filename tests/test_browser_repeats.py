"""重复诉求 in Chromium (issue 11 item 4): CSD registers a case for a caller, then a second one
with the same number typed in full-width digits; while typing, the first case is shown with
its number, status and request; choosing it registers the new case as its 关联单, and both case
pages show the link (主单 / 关联单) and its history. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest

from tests.test_browser import (
    ARTIFACTS,
    browser,  # noqa: F401 — the module's fixtures
    demo_url,  # noqa: F401
    sign_in,
)

pytestmark = pytest.mark.browser

PHONE = "13912340077"


def _register(page, url, content, phone):
    page.goto(url + "/register/")
    page.select_option("#channel_id", label="公司渠道 · 服务热线96511")
    page.select_option("#kind_id", label="业务办理")
    page.fill("#customer_name", "周先生")
    page.fill("#customer_address", "江汉区建设大道568号5栋")
    page.fill("#content", content)
    page.fill("#customer_phone", phone)


def _submit(page):
    page.click("#register-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "已登记" in page.content(), page.content()
    return page.inner_text(".panel-title").split()[1]


def test_a_repeat_is_shown_while_registering_and_linked_as_its_primarys_repeat(
    browser,  # noqa: F811
    demo_url,  # noqa: F811
):
    page, outside = sign_in(browser, demo_url, "csd")
    _register(page, demo_url, "燃气灶点不着火，请派人检查（浏览器测试）。", PHONE)
    first = _submit(page)
    first_url = page.url

    _register(
        page,
        demo_url,
        "再次来电：灶具仍点不着火，催促上门（浏览器测试）。",
        "１３９１２３４００７７",
    )
    row = page.locator(f"#repeat-candidates tr[data-case='{first}']")
    # The look-up by address alone may answer first; the full-width number is read as the same.
    row.filter(has_text="电话相同").wait_for(timeout=10_000)
    shown = row.inner_text()
    assert "燃气灶点不着火" in shown and "待派发" in shown and "地址相同" in shown
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "repeat-registration.png"), full_page=True)
    row.locator("input[name=repeat_of]").check()
    second = _submit(page)
    second_url = page.url
    assert second != first

    primary = page.inner_text("#repeat-primary")
    assert first in primary and "关联单" in primary
    assert "关联为关联单" in page.inner_text("#timeline")
    page.screenshot(path=str(ARTIFACTS / "repeat-case-page.png"), full_page=True)

    page.goto(first_url)
    assert second in page.inner_text("#repeat-list")
    assert "增加关联单" in page.inner_text("#timeline")
    page.screenshot(path=str(ARTIFACTS / "repeat-primary-page.png"), full_page=True)

    # Undo the link on the 关联单's page: it is no repeat any more.
    page.goto(second_url)
    page.click("#form-unlink-repeat button")
    page.wait_for_load_state("networkidle")
    assert "已解除与主单的关联" in page.content()
    assert page.locator("#form-link-repeat").is_visible()
    assert not outside, f"requests left the server: {outside}"


def test_a_choice_made_while_the_look_up_is_on_its_way_is_kept(
    browser,  # noqa: F811
    demo_url,  # noqa: F811
):
    """The agent chooses the earlier case while a newer look-up is still answering (a slow
    network, or typing then clicking at once): the answer redraws the list and must keep the
    choice, or the new case would be registered as no repeat (seen as a flaky CI run)."""
    page, _outside = sign_in(browser, demo_url, "csd")
    phone = "13912340088"
    _register(page, demo_url, "管道有异味，请派人检查（浏览器测试）。", phone)
    first = _submit(page)

    _register(page, demo_url, "再次来电：管道仍有异味（浏览器测试）。", phone)
    row = page.locator(f"#repeat-candidates tr[data-case='{first}']")
    row.filter(has_text="电话相同").wait_for(timeout=10_000)
    # Every later look-up answers 1.5 s late.
    page.evaluate(
        """() => {
          const plain = window.fetch.bind(window);
          window.__pending = 0;
          window.fetch = (...args) => {
            window.__pending += 1;
            return plain(...args).then((r) => new Promise((done) => setTimeout(() => {
              window.__pending -= 1;
              done(r);
            }, 1500)));
          };
        }"""
    )
    # Mark the list now on screen: the late answer replaces it.
    page.evaluate("() => document.querySelector('#repeat-candidates').dataset.old = '1'")
    page.fill("#customer_address", "江汉区建设大道568号5栋2单元")
    page.wait_for_function("() => window.__pending > 0")
    row.locator("input[name=repeat_of]").check()
    page.wait_for_function(
        "() => { const t = document.querySelector('#repeat-candidates');"
        " return t !== null && !t.dataset.old; }"
    )
    assert row.locator("input[name=repeat_of]").is_checked()
    second = _submit(page)
    assert first in page.inner_text("#repeat-primary") and second != first
