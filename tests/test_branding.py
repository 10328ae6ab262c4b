"""The portal carries the company's name (SUQIU_COMPANY_NAME) in the navigation bar and on the
sign-in page, and an icon: linked from every page and answered at /favicon.ico."""

from __future__ import annotations

import re

from config import build_config
from tests.conftest import login

DEFAULT_COMPANY = "城市燃气集团"


def brand(html: str) -> str:
    match = re.search(r'<a class="navbar-brand suqiu-brand"[^>]*>(.*?)</a>', html, re.S)
    assert match, "no brand in the navigation bar"
    return match.group(1)


def login_heading(html: str) -> str:
    match = re.search(r'<div class="suqiu-login-heading[^"]*">(.*?)</div>', html, re.S)
    assert match, "no heading on the sign-in page"
    return match.group(1)


def test_the_company_name_is_configurable_with_a_neutral_default(monkeypatch):
    monkeypatch.delenv("SUQIU_COMPANY_NAME", raising=False)
    assert build_config()["SUQIU_COMPANY_NAME"] == DEFAULT_COMPANY
    monkeypatch.setenv("SUQIU_COMPANY_NAME", "  ")
    assert build_config()["SUQIU_COMPANY_NAME"] == DEFAULT_COMPANY
    monkeypatch.setenv("SUQIU_COMPANY_NAME", "江城燃气集团有限公司")
    assert build_config()["SUQIU_COMPANY_NAME"] == "江城燃气集团有限公司"


def test_sign_in_page_and_navbar_carry_the_company_and_portal_names(app, login_as):
    company, portal = app.config["SUQIU_COMPANY_NAME"], app.config["APP_NAME"]
    html = app.test_client().get("/login/").get_data(as_text=True)
    heading = login_heading(html)
    assert f"<h1>{company}</h1>" in heading and portal in heading
    assert company in brand(html) and portal in brand(html)
    for username in ("admin", "liaison_hankou"):
        page = login_as(username).get("/").get_data(as_text=True)
        assert company in brand(page) and portal in brand(page), username


def test_another_company_name_shows_everywhere(extra_app):
    other = extra_app(SUQIU_COMPANY_NAME="江城燃气集团有限公司")
    html = other.test_client().get("/login/").get_data(as_text=True)
    assert "<h1>江城燃气集团有限公司</h1>" in login_heading(html)
    client = login(other.test_client(), "csd")
    page = client.get("/register/").get_data(as_text=True)
    assert "江城燃气集团有限公司" in brand(page)
    assert DEFAULT_COMPANY not in page


def test_every_page_links_the_icon(app, login_as):
    pages = [
        app.test_client().get("/login/").get_data(as_text=True),
        login_as("csd").get("/register/").get_data(as_text=True),
    ]
    for html in pages:
        links = re.findall(r'<link rel="icon"[^>]*href="([^"]+)"', html)
        assert "/static/img/favicon.svg" in links
        assert "/static/img/favicon-32.png" in links


def test_the_icon_is_served(app):
    client = app.test_client()  # signed out: browsers ask before anyone signs in
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype.startswith("image/")
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    svg = client.get("/static/img/favicon.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert b"<svg" in svg.data
    png = client.get("/static/img/favicon-32.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png.data[:8] == b"\x89PNG\r\n\x1a\n"
