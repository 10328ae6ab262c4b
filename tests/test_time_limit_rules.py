"""Time-limit rules (Art.19; design §2): which rule gives a case its deadlines, as a table over
the default rules; a blank selector means "any" whether stored as NULL or ''; an urgent case
never gets more time than the same case when not urgent; contradictory tables are refused."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from app.domain.calendar import WorkCalendar, official_exceptions
from app.domain.deadlines import Clock, LimitUnit
from app.domain.time_limit_rules import (
    CaseFacts,
    Limit,
    NoApplicableRuleError,
    Rule,
    TimeLimitRuleError,
    case_deadlines,
    check_removal,
    check_table,
    choose_rules,
)
from app.models import BusinessCategory, Case, CaseKind, ChannelCategory, TimeLimitRule
from app.services import masterdata
from app.services.time_limits import DEFAULT_RULES
from tests.case_helpers import actor, gen_case
from tests.conftest import csrf_token

W, N = LimitUnit.WORKING_DAYS, LimitUnit.NATURAL_DAYS
H, M = LimitUnit.HOURS, LimitUnit.MINUTES
CATEGORIES = {"company": 1, "government": 2, "online": 3}
KINDS = {"consultation": 11, "business": 12, "complaint": 13, "suggestion": 14, "report": 15}
KINDS["praise"] = 16
RECEIVED = datetime(2026, 10, 12, 9, 0)  # a Monday


def _official_calendar() -> WorkCalendar:
    years, exceptions = official_exceptions()
    return WorkCalendar(years, {day: work for day, (work, _) in exceptions.items()})


CALENDAR = _official_calendar()


def default_rules() -> list[Rule]:
    """DEFAULT_RULES as domain values (codes mapped to the ids above)."""
    return [
        Rule(
            sign=Limit(sign[0], sign[1]),
            finish=Limit(finish[0], finish[1]),
            channel_category_id=CATEGORIES.get(category),
            kind_id=KINDS.get(kind),
            urgent=urgent,
            business_code=business,
            note=note,
            id=index,
        )
        for index, (category, kind, urgent, business, sign, finish, note) in enumerate(
            DEFAULT_RULES, start=1
        )
    ]


def deadlines(rules, category, kind, urgent, business=None, received=RECEIVED):
    facts = CaseFacts(CATEGORIES[category], KINDS[kind], urgent, business)
    found = case_deadlines(choose_rules(rules, facts), received, CALENDAR)
    return found.sign.due, found.finish.due


def due(amount, unit, received=RECEIVED):
    return Limit(amount, unit).due(received, CALENDAR).due


@pytest.mark.parametrize(
    ("category", "kind", "urgent", "business", "sign", "finish"),
    [
        ("company", "business", False, None, (1, W), (5, W)),
        ("company", "consultation", False, None, (1, W), (3, W)),
        ("government", "complaint", False, None, (1, W), (10, W)),
        ("online", "report", False, None, (1, W), (10, W)),
        ("company", "suggestion", False, "payment", (1, W), (5, W)),
        ("company", "praise", False, None, (1, W), (5, W)),
        # the urgent-only rules never apply to a case that is not urgent
        ("company", "business", False, "gas_leak", (1, W), (5, W)),
        # urgent: 2 hours to sign (24×7), and never longer than when not urgent
        ("company", "consultation", True, None, (2, H), (3, W)),  # was 5 working days
        ("government", "consultation", True, "payment", (2, H), (3, W)),
        ("company", "business", True, None, (2, H), (5, W)),
        ("company", "complaint", True, None, (2, H), (5, W)),
        ("online", "report", True, None, (2, H), (5, W)),
        ("company", "consultation", True, "gas_leak", (2, H), (3, W)),
        ("government", "business", True, "supply_stop", (2, H), (3, W)),
        ("company", "complaint", True, "gas_leak", (2, H), (3, W)),
    ],
)
def test_art19_default_rules_as_a_table(category, kind, urgent, business, sign, finish):
    assert deadlines(default_rules(), category, kind, urgent, business) == (
        due(*sign),
        due(*finish),
    )


def test_art19_a_blank_string_selector_means_any_like_null():
    """The admin form once stored '' for the business category: the rule matched nothing."""
    rules = default_rules()
    consultation = rules[1]
    edited = Rule(**{**consultation.__dict__, "business_code": "", "urgent": None})
    rules[1] = edited
    assert deadlines(rules, "company", "consultation", False) == (due(1, W), due(3, W))


def test_art19_the_rule_naming_more_features_wins_then_business_before_kind():
    rules = [
        *default_rules(),
        Rule(Limit(4, H), Limit(2, W), CATEGORIES["government"], KINDS["consultation"], id=20),
        Rule(Limit(1, W), Limit(4, W), business_code="payment", id=21),
        Rule(Limit(1, W), Limit(7, W), kind_id=KINDS["business"], urgent=False, id=22),
    ]
    # channel category + kind (two features) beats the kind alone
    assert deadlines(rules, "government", "consultation", False) == (
        due(4, H),
        due(2, W),
    )
    # two features beat one even when the one is the business category
    assert deadlines(rules, "government", "consultation", False, "payment")[1] == due(2, W)
    # one feature each: the business category counts before the kind
    assert deadlines(rules, "company", "consultation", False, "payment")[1] == due(4, W)
    # a rule written for "not urgent" beats one for either, other things equal
    assert deadlines(rules, "company", "business", False)[1] == due(7, W)


def test_art19_urgent_takes_the_earlier_due_date_across_units():
    """2 natural days against 1 working day: earlier on a Friday, later on a Monday; the
    urgent case gets whichever is earlier for its own receipt time."""
    rules = [
        Rule(Limit(1, W), Limit(1, W), id=1),
        Rule(Limit(2, H), Limit(2, N), urgent=True, id=2),
    ]
    friday = datetime(2026, 10, 16, 9, 0)
    facts = CaseFacts(1, 11, True)
    on_friday = case_deadlines(choose_rules(rules, facts), friday, CALENDAR)
    assert on_friday.finish.due == datetime(2026, 10, 18, 23, 59, 59)  # Sunday, 2 days
    on_monday = case_deadlines(choose_rules(rules, facts), RECEIVED, CALENDAR)
    assert on_monday.finish.due == datetime(2026, 10, 13, 23, 59, 59)  # Tuesday, 1 working day
    assert on_monday.sign.due == datetime(2026, 10, 12, 11, 0)


def test_art19_no_rule_at_all_is_a_chinese_error_not_a_lookup_error():
    with pytest.raises(NoApplicableRuleError):
        choose_rules([Rule(Limit(1, W), Limit(3, W), kind_id=11)], CaseFacts(1, 12, False))


# -- refused on save (pure checks) -----------------------------------------------------------


URGENT_LONGER = "紧急诉求的"
DUPLICATE = "已有相同"


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (Rule(Limit(1, W), Limit(4, W), kind_id=KINDS["consultation"]), DUPLICATE),
        (
            Rule(Limit(1, W), Limit(4, W), kind_id=KINDS["consultation"], business_code=""),
            DUPLICATE,
        ),
        (Rule(Limit(2, H), Limit(6, W), urgent=True), DUPLICATE),
        (Rule(Limit(2, H), Limit(11, W), urgent=True, kind_id=KINDS["complaint"]), URGENT_LONGER),
        (Rule(Limit(2, H), Limit(4, W), urgent=True, kind_id=KINDS["consultation"]), URGENT_LONGER),
        (Rule(Limit(2, W), Limit(3, W), urgent=True, kind_id=KINDS["consultation"]), URGENT_LONGER),
        (Rule(Limit(0, W), Limit(3, W), kind_id=KINDS["business"]), "正整数"),
        (Rule(Limit(1, W), Limit(-1, W), kind_id=KINDS["business"]), "正整数"),
        (Rule(Limit(1, W), Limit(5, W), kind_id=KINDS["business"]), None),
        (Rule(Limit(2, H), Limit(3, W), urgent=True, kind_id=KINDS["consultation"]), None),
        # longer only for some receipt times: allowed, registration takes the earlier date
        (Rule(Limit(2, H), Limit(4, N), urgent=True, kind_id=KINDS["consultation"]), None),
        (Rule(Limit(30, M, Clock.WORKING_DAYS), Limit(1, W), urgent=True, kind_id=11), None),
    ],
)
def test_art19_contradictory_rules_are_refused(db_session, rule, message):
    """Checked in a request context: the messages are the Chinese ones users see."""
    if message is None:
        check_table(rule, default_rules())
        return
    with pytest.raises(TimeLimitRuleError) as refused:
        check_table(rule, default_rules())
    assert message in str(refused.value)


@pytest.mark.parametrize(
    ("urgent_finish", "normal_finish", "refused"),
    [
        ((3, W), (2, N), True),  # 3 working days always end after 2 natural days
        ((49, H), (1, W), False),  # 1 working day may span a week-long holiday
        ((3, N), (48, H), True),
        ((2, N), (48, H), True),  # at least 48 hours, even received at 23:59:59
        ((2, N), (49, H), False),  # received at 23:30, 2 days end before 49 hours
        ((3, W), (3, N), False),
    ],
)
def test_art19_urgent_longer_across_units_only_when_longer_for_every_receipt(
    db_session, urgent_finish, normal_finish, refused
):
    praise = KINDS["praise"]
    normal = Rule(Limit(1, W), Limit(*normal_finish), kind_id=praise, id=30)
    urgent = Rule(Limit(2, H), Limit(*urgent_finish), kind_id=praise, urgent=True)
    others = [*default_rules(), normal]
    if refused:
        with pytest.raises(TimeLimitRuleError, match=URGENT_LONGER):
            check_table(urgent, others)
    else:
        check_table(urgent, others)


def test_art19_the_default_rules_pass_their_own_checks():
    rules = default_rules()
    for rule in rules:
        check_table(rule, rules)


def test_art19_the_last_general_rule_cannot_go(db_session):
    rules = default_rules()
    general = rules[0]
    with pytest.raises(TimeLimitRuleError, match="最后一条通用规则"):
        check_removal(general, rules)
    disabled = Rule(**{**general.__dict__, "active": False})
    with pytest.raises(TimeLimitRuleError, match="通用"):
        check_table(disabled, rules)
    check_removal(rules[1], rules)


# -- through the database, the services and the admin form -----------------------------------


def _rule_by_kind(session, code):
    return session.scalar(
        select(TimeLimitRule)
        .join(CaseKind)
        .where(CaseKind.code == code, TimeLimitRule.urgent.is_(None))
    )


def _form(rule: TimeLimitRule, **changes) -> dict:
    data = {
        "channel_category": str(rule.channel_category_id or ""),
        "kind": str(rule.kind_id or ""),
        "urgent": "" if rule.urgent is None else str(int(rule.urgent)),
        "business_category_code": rule.business_category_code or "",
        "sign_amount": str(rule.sign_amount),
        "sign_unit": rule.sign_unit,
        "sign_clock": rule.sign_clock,
        "finish_amount": str(rule.finish_amount),
        "finish_unit": rule.finish_unit,
        "finish_clock": rule.finish_clock,
        "note": rule.note or "",
        "active": "y",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("blank", ["", "any"])  # an old form's '', the select's "any"
def test_art19_editing_a_rule_in_the_admin_form_keeps_it_working(app, db_session, login_as, blank):
    """Regression: saving the 咨询 rule unchanged stored '' as business category, the rule
    stopped matching and the next 咨询 case got the 5-day default."""
    rule = _rule_by_kind(db_session, "consultation")
    client = login_as("admin")
    url = f"/timelimitruleview/edit/{rule.id}"
    form = _form(rule, urgent=blank, business_category_code=blank)
    response = client.post(url, data={"csrf_token": csrf_token(client, url), **form})
    assert response.status_code == 302, response.get_data(as_text=True)
    case = gen_case(db_session, kind="consultation")  # received Monday 2026-10-12 09:00
    assert case.finish_due == datetime(2026, 10, 15, 23, 59, 59)  # 3 working days
    db_session.expire_all()
    assert db_session.get(TimeLimitRule, rule.id).business_category_code is None  # not ''


def test_art19_rows_already_holding_a_blank_string_still_match(db_session):
    rule = _rule_by_kind(db_session, "consultation")
    rule.business_category_code = ""  # as existing databases contain
    db_session.commit()
    case = gen_case(db_session, kind="consultation")
    assert case.finish_due == datetime(2026, 10, 15, 23, 59, 59)


def test_art19_an_urgent_consultation_gets_no_longer_than_a_normal_one(db_session):
    normal = gen_case(db_session, kind="consultation")
    urgent = gen_case(db_session, kind="consultation", urgent=True)
    assert urgent.finish_due == normal.finish_due == datetime(2026, 10, 15, 23, 59, 59)
    assert urgent.sign_due == datetime(2026, 10, 12, 11, 0)
    event = db_session.get(Case, urgent.id).events[0]
    assert "紧急" in event.detail and "咨询" in event.detail


def test_art19_a_duplicate_rule_is_refused_with_a_chinese_message(app, db_session, login_as):
    rule = _rule_by_kind(db_session, "consultation")
    client = login_as("admin")
    url = "/timelimitruleview/add"
    form = _form(rule, finish_amount="4", note="重复的咨询规则")
    response = client.post(
        url, data={"csrf_token": csrf_token(client, url), **form}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "已有相同渠道类型、诉求类型、紧急程度和业务类别的有效规则" in page
    assert (
        db_session.scalar(select(TimeLimitRule).where(TimeLimitRule.note == "重复的咨询规则"))
        is None
    )


def test_art19_an_urgent_rule_longer_than_normal_is_refused_on_save(db_session):
    consultation = db_session.scalar(select(CaseKind).where(CaseKind.code == "consultation"))
    rule = TimeLimitRule(
        kind=consultation,
        urgent=True,
        sign_amount=2,
        sign_unit="hours",
        sign_clock="24x7",
        finish_amount=5,
        finish_unit="working_days",
        finish_clock="24x7",
        active=True,
    )
    with pytest.raises(TimeLimitRuleError, match="紧急"):
        masterdata.save(db_session, actor(db_session, "admin"), rule, is_new=True)
    assert (
        db_session.scalar(
            select(TimeLimitRule).where(
                TimeLimitRule.urgent.is_(True), TimeLimitRule.kind_id == consultation.id
            )
        )
        is None
    )


def test_art19_unknown_business_codes_and_the_last_general_rule_are_refused(db_session):
    admin = actor(db_session, "admin")
    general = db_session.scalar(
        select(TimeLimitRule).where(
            TimeLimitRule.kind_id.is_(None),
            TimeLimitRule.urgent.is_(None),
            TimeLimitRule.business_category_code.is_(None),
        )
    )
    with pytest.raises(TimeLimitRuleError):
        masterdata.delete(db_session, admin, general)
    general.active = False
    with pytest.raises(TimeLimitRuleError):
        masterdata.save(db_session, admin, general, is_new=False)
    business = db_session.scalar(select(CaseKind).where(CaseKind.code == "business"))
    typo = TimeLimitRule(
        kind=business,
        business_category_code="gasleak",
        sign_amount=1,
        sign_unit="working_days",
        sign_clock="24x7",
        finish_amount=2,
        finish_unit="working_days",
        finish_clock="24x7",
        active=True,
    )
    with pytest.raises(TimeLimitRuleError, match="业务类别"):
        masterdata.save(db_session, admin, typo, is_new=True)


def test_rule_pages_show_chinese_names_not_codes(app, db_session, login_as):
    client = login_as("admin")
    listing = client.get("/timelimitruleview/list/").get_data(as_text=True)
    assert "燃气泄漏" in listing and "停气" in listing and "咨询" in listing
    assert "gas_leak" not in listing and "supply_stop" not in listing
    leak = db_session.scalar(
        select(TimeLimitRule).where(TimeLimitRule.business_category_code == "gas_leak")
    )
    shown = client.get(f"/timelimitruleview/show/{leak.id}").get_data(as_text=True)
    assert "燃气泄漏" in shown and "gas_leak" not in shown
    form = client.get(f"/timelimitruleview/edit/{leak.id}").get_data(as_text=True)
    # a select of Chinese names whose values are the codes, the current one selected
    assert '<option selected value="gas_leak">燃气泄漏</option>' in form
    assert '<select class="form-control" id="business_category_code"' in form or (
        'id="business_category_code"' in form and "<select" in form
    )
    names = db_session.scalars(select(BusinessCategory.name)).all()
    assert all(name in form for name in names)
    category = db_session.scalar(
        select(ChannelCategory).where(ChannelCategory.code == "government")
    )
    assert category.name in form
