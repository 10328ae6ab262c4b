"""重复诉求 rules (issue 11 item 4) on hand-made cases: the same customer by normalised phone
number, gas account or address; the window's edges; open cases only; the 主单 is the earlier
case; no self links and no chains."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.domain import repeats as r
from app.domain.repeats import CaseFacts, Customer, RepeatLinkError

WINDOW = timedelta(days=30)
NOW = datetime(2026, 11, 30, 12, 0)


def facts(
    id_,
    received,
    *,
    status="in_progress",
    closed_at=None,
    phone="13912345678",
    account=None,
    address=None,
    primary_id=None,
    has_repeats=False,
):
    return CaseFacts(
        id_,
        received,
        status,
        closed_at,
        Customer.of(phone, account, address),
        primary_id,
        has_repeats,
    )


# -- Normalisation ------------------------------------------------------------------------------


def test_phone_numbers_compare_as_registration_stores_them_full_width_digits_too():
    assert r.phone_key("１３９１２３４５６７８") == "13912345678"  # full-width digits
    assert r.phone_key("+86 139-1234-5678") == "13912345678"
    assert r.phone_key("０２７－８７６５４３２１") == "027-87654321"  # full-width hyphen too
    assert r.phone_key("(027) 8765 4321") == "027-87654321"
    assert r.phone_key("12345") is None  # not a number: nothing to compare
    assert r.phone_key("   ") is None
    assert r.phone_key(None) is None


def test_gas_accounts_compare_without_blanks_or_case():
    assert r.account_key(" ａｂ 1234 5678 ") == "AB12345678"
    assert r.account_key("ab12345678") == r.account_key("AB12345678")
    assert r.account_key("  ") is None


def test_addresses_compare_without_blanks_and_short_ones_name_no_household():
    assert r.address_key("江岸区 黄浦大街１号") == "江岸区黄浦大街1号"
    assert r.clean_address("  江岸区  黄浦大街1号 ") == "江岸区黄浦大街1号"
    assert r.address_key("武昌区") is None  # 3 characters: would match strangers
    assert r.clean_address("武昌区") == "武昌区"  # still stored
    assert r.address_key("") is None


def test_same_customer_names_the_keys_that_match_and_ignores_missing_ones():
    a = Customer.of("13912345678", "AB1", "江岸区黄浦大街1号")
    assert r.same_customer(a, Customer.of("139 1234 5678", None, None)) == ("phone",)
    assert r.same_customer(a, Customer.of(None, "ab1", "江岸区 黄浦大街1号")) == (
        "account",
        "address",
    )
    assert r.same_customer(a, Customer.of("13900000000", "AB2", "武昌区中北路9号")) == ()
    # Two cases without a number are not the same customer for it.
    assert r.same_customer(Customer(), Customer()) == ()
    assert not Customer().known


# -- The window and open cases ------------------------------------------------------------------


def test_the_window_includes_its_first_instant_and_not_the_one_before():
    new = Customer.of("13912345678", None, None)
    edge = NOW - WINDOW
    assert r.is_candidate(new, NOW, facts(1, edge), WINDOW)  # exactly 30 days before
    assert not r.is_candidate(new, NOW, facts(1, edge - timedelta(seconds=1)), WINDOW)
    assert r.is_candidate(new, NOW, facts(1, NOW), WINDOW)  # received the same instant
    assert not r.is_candidate(new, NOW, facts(1, NOW + timedelta(seconds=1)), WINDOW)  # later


def test_a_window_of_seven_days_is_honoured():
    new = Customer.of("13912345678", None, None)
    week = timedelta(days=7)
    assert r.is_candidate(new, NOW, facts(1, NOW - week), week)
    assert not r.is_candidate(new, NOW, facts(1, NOW - week - timedelta(minutes=1)), week)


def test_only_open_cases_are_candidates():
    new = Customer.of("13912345678", None, None)
    received = NOW - timedelta(days=3)
    assert not r.is_candidate(
        new, NOW, facts(1, received, status="closed", closed_at=NOW - timedelta(days=1)), WINDOW
    )
    assert not r.is_candidate(new, NOW, facts(1, received, status="voided"), WINDOW)
    assert r.is_candidate(new, NOW, facts(1, received, status="pending_callback"), WINDOW)
    # Another customer's open case is never shown.
    assert not r.is_candidate(
        Customer.of("13900000000", None, None), NOW, facts(1, received), WINDOW
    )


def test_a_case_finished_after_the_repeat_arrived_was_open_then():
    closed = facts(1, NOW - timedelta(days=5), status="closed", closed_at=NOW - timedelta(days=1))
    assert r.open_at(closed, NOW - timedelta(days=2))
    assert not r.open_at(closed, NOW - timedelta(days=1))  # closed at that very instant
    assert not r.open_at(closed, NOW - timedelta(days=6))  # not received yet


# -- 主单 / 关联单 ------------------------------------------------------------------------------


def test_the_primary_is_the_earlier_case_and_the_lower_id_on_a_tie():
    early, late = facts(9, NOW - timedelta(days=2)), facts(3, NOW)
    assert r.primary_of(early, late) is early
    assert r.primary_of(late, early) is early
    same_a, same_b = facts(4, NOW), facts(7, NOW)
    assert r.primary_of(same_b, same_a) is same_a


def test_a_later_case_may_be_linked_to_an_earlier_open_one_of_the_same_customer():
    primary = facts(1, NOW - timedelta(days=10))
    r.check_link(facts(2, NOW), primary, WINDOW)  # no error


@pytest.mark.parametrize(
    ("repeat", "primary", "message"),
    [
        (facts(1, NOW), facts(1, NOW), "不能与自身关联"),
        (facts(2, NOW), facts(1, NOW - timedelta(days=1), primary_id=5), "本身是关联单"),
        (facts(2, NOW, has_repeats=True), facts(1, NOW - timedelta(days=1)), "已是其他工单的主单"),
        (facts(2, NOW, primary_id=7), facts(1, NOW - timedelta(days=1)), "已是另一工单的关联单"),
        (facts(2, NOW - timedelta(days=2)), facts(1, NOW), "主单必须是较早"),
        (facts(2, NOW), facts(1, NOW - timedelta(days=1), phone="13900000000"), "既无相同"),
        (facts(2, NOW), facts(1, NOW - timedelta(days=31)), "30"),
        (
            facts(2, NOW),
            facts(1, NOW - timedelta(days=3), status="closed", closed_at=NOW - timedelta(days=1)),
            "已不在办理中",
        ),
    ],
    ids=[
        "self",
        "chain-primary-is-repeat",
        "chain-repeat-has-repeats",
        "already-linked-elsewhere",
        "primary-later",
        "other-customer",
        "outside-window",
        "primary-closed",
    ],
)
def test_links_that_break_a_rule_are_refused_in_chinese(app, repeat, primary, message):
    with app.test_request_context():
        with pytest.raises(RepeatLinkError) as refused:
            r.check_link(repeat, primary, WINDOW)
        text = str(refused.value)
    assert message in text


def test_unlinking_a_case_that_is_no_repeat_is_refused():
    with pytest.raises(RepeatLinkError):
        r.check_unlink(facts(1, NOW))
    r.check_unlink(facts(2, NOW, primary_id=1))
