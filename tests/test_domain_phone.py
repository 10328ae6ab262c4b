"""Art.26: branches and liaisons must have valid, reachable contact numbers."""

import pytest

from app.domain.errors import InvalidPhoneError
from app.domain.phone import is_valid_phone, normalise_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13907100001", "13907100001"),
        ("139 0710 0001", "13907100001"),
        ("+86 139-0710-0001", "13907100001"),
        ("8613907100001", "13907100001"),
        ("027-87654321", "027-87654321"),
        ("(027) 8765 4321", "027-87654321"),
        ("010-12345678", "010-12345678"),
        ("0716-8123456", "0716-8123456"),
        ("07168123456", "0716-8123456"),
        ("027-87654321转801", "027-87654321-801"),
    ],
)
def test_art26_accepts_mobile_and_landline_numbers(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "12345",
        "12907100001",
        "1390710000",
        "139071000012",
        "027-1234567",
        "87654321",
        "abc",
        "96511",
        "0000-0000000",
    ],
)
def test_art26_rejects_unreachable_numbers_with_a_chinese_message(app, raw):
    with app.test_request_context():
        with pytest.raises(InvalidPhoneError) as err:
            normalise_phone(raw)
        message = str(err.value)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    assert not is_valid_phone(raw)
