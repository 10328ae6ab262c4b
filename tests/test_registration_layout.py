"""The registration form (登记诉求) in sections: customer, request, classification, flags and
handling; two or three fields a row on wide screens; required fields marked and required by the
browser; every field, the CSRF token and each error next to its field kept."""

from __future__ import annotations

import re

from app.views import case_forms
from tests.conftest import csrf_token

SECTIONS = ["customer", "request", "classification", "flags", "handling"]
SECTION_TITLES = ["客户信息", "诉求内容", "分类", "标记", "办理与时限"]


def sections_of(html: str) -> dict[str, str]:
    """Section key -> the HTML of its fieldset."""
    found = re.findall(
        r'<fieldset class="suqiu-section" id="section-(\w+)">(.*?)</fieldset>', html, re.S
    )
    return dict(found)


def control(html: str, field_id: str) -> str:
    match = re.search(rf'<(?:input|select|textarea)\b[^>]*\bid="{field_id}"[^>]*>', html)
    assert match, f"no control #{field_id}"
    return match.group(0)


def label(html: str, field_id: str) -> str:
    match = re.search(rf'<label for="{field_id}"[^>]*>', html)
    assert match, f"no label for #{field_id}"
    return match.group(0)


def column_width(html: str, field_id: str) -> int:
    match = re.search(
        rf'<div class="col-sm-(\d+)">\s*<div class="(?:form-group|checkbox)[^"]*">\s*'
        rf'<label for="{field_id}"',
        html,
    )
    assert match, f"#{field_id} is not in a grid column"
    return int(match.group(1))


def test_the_form_is_in_titled_sections_holding_their_fields(app, login_as):
    html = login_as("agent").get("/register/").get_data(as_text=True)
    sections = sections_of(html)
    assert list(sections) == SECTIONS
    legends = [re.search(r"<legend>(.*?)</legend>", body).group(1) for body in sections.values()]
    assert legends == SECTION_TITLES
    expected = {
        "customer": ["customer_name", "customer_phone", "customer_address", "gas_account"],
        "request": ["content", "received_at", "external_ref"],
        "classification": ["channel_id", "kind_id", "business_category_id"],
        "flags": [
            "urgent",
            "media_involved",
            "adverse_impact",
            "major_interest",
            "property_loss",
            "casualties",
        ],
        "handling": ["negotiated_due", "negotiated_reason", "resolve_on_spot", "result"],
    }
    for key, names in expected.items():
        for name in names:
            assert f'id="{name}"' in sections[key], f"{name} not in section {key}"


def test_no_field_of_the_form_is_lost(app):
    """Every field is placed in a section (or shown under "Other"): none disappears."""
    sections = case_forms.REGISTRATION_SECTIONS
    placed = {name for _key, _title, fields in sections for name, _width in fields}
    with app.test_request_context():
        form = case_forms.RegistrationForm(meta={"csrf": False})
        visible = {f.name for f in form if f.type != "HiddenField"}
        assert visible <= placed | {"to_own_unit"}
        del form.urgent, form.customer_phone
        shown = {f.name for _key, _title, fields in form.sections() for f, _w in fields}
        assert shown == visible - {"urgent", "customer_phone"}


def test_wide_screens_get_two_or_three_fields_a_row(app, login_as):
    html = login_as("csd").get("/register/").get_data(as_text=True)
    assert column_width(html, "customer_name") == 6
    assert column_width(html, "customer_phone") == 6
    assert column_width(html, "channel_id") == 4
    assert column_width(html, "kind_id") == 4
    assert column_width(html, "urgent") == 4
    assert column_width(html, "content") == 12
    # Grid columns from the sm breakpoint: narrow screens stack the fields.
    assert not re.search(r'class="col-(?:xs)-\d+"', sections_of(html)["customer"])


def test_required_fields_carry_the_asterisk_and_the_required_attribute(app, login_as):
    html = login_as("csd").get("/register/").get_data(as_text=True)
    for name in ("customer_name", "content", "channel_id", "kind_id"):
        assert "required" in label(html, name).split('class="')[1].split('"')[0], name
        assert re.search(r"\brequired\b", control(html, name)), name
    for name in ("customer_phone", "customer_address", "gas_account", "external_ref"):
        assert "required" not in label(html, name), name
        assert not re.search(r"\brequired\b", control(html, name)), name
    assert "为必填项" in html
    assert 'href="/static/css/suqiu-layout.css"' in html
    css = app.test_client().get("/static/css/suqiu-layout.css").get_data(as_text=True)
    assert re.search(r"label\.required::after\s*\{\s*content:", css)


def test_errors_show_next_to_their_field_and_the_csrf_token_stays(app, login_as):
    client = login_as("csd")
    token = csrf_token(client, "/register/")
    response = client.post(
        "/register/",
        data={"csrf_token": token, "customer_name": "", "customer_phone": "123", "content": ""},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="csrf_token"' in html
    beside = {}
    for name in ("customer_name", "customer_phone", "content"):
        group = re.search(
            rf'<div class="form-group has-error">\s*<label for="{name}".*?</div>', html, re.S
        )
        assert group, f"no error beside {name}"
        beside[name] = " ".join(re.findall(r'<span class="help-block">(.*?)</span>', group[0]))
    assert "不是有效的电话号码" in beside["customer_phone"]
    assert beside["customer_name"] and beside["content"]
    assert not re.search(r'has-error">\s*<label for="gas_account"', html)
