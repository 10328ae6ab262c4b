"""In Chromium, as a user would (Python Playwright on Debian's /usr/bin/chromium): the demo
portal started by `suqiu demo`, signed in as `admin` and as `liaison_hankou`, shows each role
the Chinese menus it should see. Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PASSWORD = "Demo#Pass2026"

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip(
        "Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def demo_env(instance: Path) -> dict[str, str]:
    """The environment of a demo portal kept in ``instance`` (SQLite, several sign-ins a test)."""
    env = {
        **os.environ,
        "SUQIU_INSTANCE_PATH": str(instance),
        "SUQIU_DEMO_PASSWORD": PASSWORD,
        "SUQIU_LOGIN_RATE_LIMIT": "100 per minute",
    }
    env.pop("DATABASE_URL", None)
    env.pop("SECRET_KEY", None)
    return env


@contextmanager
def serving_demo(instance: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """`suqiu demo` serving ``instance`` on a free port until the block ends; yields its URL."""
    env = env or demo_env(instance)
    port = _free_port()
    log = open(instance / "demo.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "demo", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(url + "/login/", timeout=1)  # noqa: S310
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail((instance / "demo.log").read_text())
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    with serving_demo(tmp_path_factory.mktemp("demo-instance")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-gpu",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


def sign_in(browser, demo_url, username):
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    outside = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if not r.url.startswith(demo_url) and not r.url.startswith("data:")
            else None
        ),
    )
    page.goto(demo_url + "/login/")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page, outside


def menu_text(page) -> str:
    return page.inner_text(".navbar")


def test_admin_sees_every_menu_in_chinese(browser, demo_url):
    page, outside = sign_in(browser, demo_url, "admin")
    menu = menu_text(page)
    for label in ("组织机构", "基础数据", "系统管理", "我的通知"):
        assert label in menu
    page.click("text=组织机构")
    for label in ("分子公司", "部门", "外包队伍与厂商", "责任人与联络员", "联系人变更记录"):
        assert page.locator(f".dropdown-menu >> text={label}").first.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "admin-menu.png"))
    page.goto(demo_url + "/branchview/list/")
    assert "汉口分公司" in page.content() and "武昌分公司" in page.content()
    page.screenshot(path=str(ARTIFACTS / "admin-branches.png"), full_page=True)
    page.goto(demo_url + "/users/list/")
    page.screenshot(path=str(ARTIFACTS / "admin-users.png"), full_page=True)
    assert not outside, f"requests left the server: {outside}"


def test_liaison_sees_only_branch_menus_and_own_data(browser, demo_url):
    page, outside = sign_in(browser, demo_url, "liaison_hankou")
    menu = menu_text(page)
    assert "组织机构" in menu and "我的通知" in menu
    assert "系统管理" not in menu and "基础数据" not in menu
    page.screenshot(path=str(ARTIFACTS / "liaison-home.png"))
    page.goto(demo_url + "/departmentview/list/")
    content = page.content()
    assert "汉口分公司" in content and "汉口北营业所" in content and "武昌分公司" not in content
    page.screenshot(path=str(ARTIFACTS / "liaison-departments.png"), full_page=True)
    page.goto(demo_url + "/branchcontactview/list/")
    page.screenshot(path=str(ARTIFACTS / "liaison-contacts.png"), full_page=True)
    assert not outside, f"requests left the server: {outside}"


def act_in_browser(page, action, **fields):
    form = page.locator(f"#form-{action}")
    for name, value in fields.items():
        element = form.locator(f"[name={name}]")
        if element.evaluate("e => e.tagName") == "SELECT":
            # the option whose text starts with the value (a suggestion carries a mark)
            options = element.locator("option").all_inner_texts()
            element.select_option(label=next(o for o in options if o.startswith(value)))
        else:
            element.fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "操作成功" in page.content(), (
        page.inner_text(".alert-danger") if page.locator(".alert-danger").count() else action
    )


def switch_user(page, demo_url, username):
    page.goto(demo_url + "/logout/")
    page.click("#logout-confirm button[type=submit]")  # sign-out is a POST (issue 6 #18)
    page.goto(demo_url + "/login/")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state("networkidle")


def register_government_case(page, demo_url, content):
    page.goto(demo_url + "/register/")
    page.select_option("#channel_id", label="政务渠道 · 市民热线")
    page.select_option("#kind_id", label="业务办理")
    page.select_option("#business_category_id", label="表具")
    page.fill("#customer_name", "周先生")
    page.fill("#customer_phone", "13912340000")
    page.fill("#customer_address", "江岸区沿江大道100号")
    page.fill("#content", content)
    page.click("#register-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "已登记" in page.content()
    return page.url


def test_government_case_from_registration_to_closed_and_a_rehandle(browser, demo_url):
    """Art.13-2 in the browser: csd registers and dispatches, liaison_hankou signs and replies,
    csd approves and answers the government department, the branch calls back (Art.35); a
    second case is rated 不满意 and goes to 重办 (Art.21)."""
    page, outside = sign_in(browser, demo_url, "csd")
    urls = [
        register_government_case(page, demo_url, f"燃气表不走字，请上门检查（{n}）") for n in (1, 2)
    ]
    for url in urls:
        page.goto(url)
        act_in_browser(page, "dispatch", target="汉口分公司")
    page.screenshot(path=str(ARTIFACTS / "csd-dispatched.png"), full_page=True)
    switch_user(page, demo_url, "liaison_hankou")
    for url in urls:
        page.goto(url)
        act_in_browser(page, "sign_for")
        act_in_browser(page, "reply", result="已上门更换燃气表，客户认可。")
    switch_user(page, demo_url, "csd")
    for url in urls:
        page.goto(url)
        act_in_browser(page, "approve", note="同意")
        assert "待回复政务部门" in page.content()
        act_in_browser(page, "answer_government", note="已在政务平台回复。")
    switch_user(page, demo_url, "liaison_hankou")
    page.goto(urls[0])
    act_in_browser(page, "callback", result="满意", note="客户满意")
    assert "已办结" in page.inner_text(".panel-heading")
    page.screenshot(path=str(ARTIFACTS / "case-closed.png"), full_page=True)
    page.goto(urls[1])
    act_in_browser(page, "callback", result="不满意", note="客户认为上门太晚")
    assert "重办中" in page.inner_text(".panel-heading")
    page.screenshot(path=str(ARTIFACTS / "case-rehandling.png"), full_page=True)
    timeline = page.inner_text("#timeline")
    for step in ("登记", "派发", "签收", "回复办理结果", "同意", "回复政务部门", "回访"):
        assert step in timeline
    assert not outside, f"requests left the server: {outside}"
