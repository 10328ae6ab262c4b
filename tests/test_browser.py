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


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    instance = tmp_path_factory.mktemp("demo-instance")
    port = _free_port()
    env = {**os.environ, "SUQIU_INSTANCE_PATH": str(instance), "SUQIU_DEMO_PASSWORD": PASSWORD}
    env.pop("DATABASE_URL", None)
    env.pop("SECRET_KEY", None)
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
