"""Art.13 machine clients: token format and hash, scope of channels × operations, payload checks."""

from __future__ import annotations

import pytest

from app.domain.api_tokens import (
    CASE_FIELDS,
    Operation,
    TokenScope,
    bearer_token,
    check_batch,
    check_fields,
    cursor_value,
    display_prefix,
    new_token,
    page_size,
    same_hash,
    token_hash,
    well_formed,
)


def test_art13_a_token_is_random_text_stored_as_its_sha256():
    token = new_token(bytes(range(32)))
    assert well_formed(token) and token.startswith("sqk_") and len(token) == 47
    assert token_hash(token) != token and len(token_hash(token)) == 64
    assert same_hash(token_hash(token), token) and not same_hash(token_hash(token), token + "x")
    assert display_prefix(token) == token[:12]
    with pytest.raises(ValueError):
        new_token(b"short")
    assert not well_formed("sqk_short") and not well_formed(None)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Bearer abc", "abc"),
        ("bearer  abc ", "abc"),
        ("Basic abc", None),
        ("", None),
        ("Bearer", None),
    ],
)
def test_the_bearer_header_is_read_strictly(header, expected):
    assert bearer_token(header) == expected


def test_art13_a_token_works_only_on_its_channels_and_operations():
    scope = TokenScope(frozenset({"wechat"}), frozenset({Operation.CREATE_CASE}))
    assert scope.allows(Operation.CREATE_CASE, "wechat")
    assert scope.allows(Operation.CREATE_CASE)
    assert not scope.allows(Operation.CREATE_CASE, "citizen_hotline")
    assert not scope.allows(Operation.SURVEY, "wechat")


def test_case_fields_are_checked_per_field():
    values, errors = check_fields(
        CASE_FIELDS,
        {
            "channel": "wechat",
            "external_ref": " A1 ",
            "kind": "consultation",
            "customer_name": "名" * 51,
            "content": "内容",
            "urgent": "yes",
            "colour": 1,
        },
    )
    assert values["external_ref"] == "A1"
    assert set(errors) == {"customer_name", "urgent", "colour"}
    assert check_fields(CASE_FIELDS, [1])[1] == {"": "The request body must be a JSON object."}
    assert set(check_fields(CASE_FIELDS, {})[1]) == {
        "channel",
        "external_ref",
        "kind",
        "customer_name",
        "content",
    }


def test_text_no_database_can_store_is_refused_per_field():
    """A lone UTF-16 surrogate is valid JSON (\\ud800) but no UTF-8 text: refused as a field
    error, not left to fail in the database."""
    body = {
        "channel": "wechat",
        "external_ref": "A\ud800",
        "kind": "consultation",
        "customer_name": "名",
        "content": "内容\x00",
    }
    assert set(check_fields(CASE_FIELDS, body)[1]) == {"external_ref", "content"}


def test_a_batch_is_an_object_with_a_list_of_1_to_100_cases():
    assert check_batch({"cases": [{}, 1]}) == ([{}, 1], {})
    for body in ({"cases": []}, {"cases": {}}, {"cases": [{}] * 101}, {}):
        assert check_batch(body)[0] == [] and set(check_batch(body)[1]) == {"cases"}
    assert set(check_batch({"cases": [{}], "more": []})[1]) == {"more"}
    assert set(check_batch([{}])[1]) == {""}


@pytest.mark.parametrize(
    ("raw", "size", "cursor"),
    [
        (None, 100, 0),
        ("5", 5, 5),
        ("0", None, 0),
        ("501", None, 501),
        ("-1", None, None),
        ("x", None, None),
    ],
)
def test_the_change_feed_reads_its_paging_arguments(raw, size, cursor):
    assert page_size(raw) == size and cursor_value(raw) == cursor
