"""The shape of the generated data (issue 12): how cases are spread over channels, kinds, units
and time, and the paths they take through the lifecycle.

A path is a string of actions (``APPROVE`` reads "approve, then answer the government department
for a 政务 case"); every path is walked once per channel category through
``app.domain.lifecycle.next_status`` when this module is imported, so the statuses the generator
writes are the ones the workflow would have produced, and a path the workflow forbids fails at
once. Weights are relative; the open paths end in every open state.
"""

from __future__ import annotations

from bisect import bisect
from dataclasses import dataclass
from itertools import accumulate

from app.domain.channels import ChannelCategoryCode
from app.domain.lifecycle import (
    OPEN_STATUSES,
    Action,
    CallbackResult,
    CaseStatus,
    next_status,
    opens_rehandle,
)

OPEN_SHARE = 0.096  # of all cases (issue 12)
NOTIFICATIONS_PER_CASE = 0.58
RECENT_DAYS, RECENT_OPEN = 7, 0.85  # a case of the last week is usually still open
MONTH_DAYS, MONTH_OPEN = 30, 0.5

CHANNEL_WEIGHTS = {  # seed channel code -> share; a channel added by an administrator gets 1
    "hotline_96511": 30,
    "complaint_phone": 4,
    "wechat": 8,
    "field_staff": 2,
    "service_window": 5,
    "department_unit": 1,
    "letter_visit_media": 1,
    "citizen_hotline": 18,
    "city_message_board": 5,
    "sunshine_petition": 2,
    "city_zhiyong_office": 1,
    "city_gas_center": 2,
    "city_online_mass_work": 2,
    "group_company": 2,
    "hubei_gov_service": 6,
    "construction_approval": 3,
    "real_estate_registration": 3,
    "ehuiban": 4,
    "wuhan_zhanyi": 1,
}
KIND_WEIGHTS = {
    "consultation": 35,
    "business": 30,
    "complaint": 20,
    "suggestion": 5,
    "report": 3,
    "praise": 7,
}
FLAG_SHARES = {
    "urgent": 0.05,
    "media_involved": 0.01,
    "adverse_impact": 0.005,
    "major_interest": 0.003,
    "property_loss": 0.005,
    "casualties": 0.0005,
}
# Units: the demo's three plus these (code, name, parent code or None); 22 in all.
EXTRA_UNITS = [
    ("hanyang", "汉阳分公司", None),
    ("qingshan", "青山分公司", None),
    ("hongshan", "洪山分公司", None),
    ("dongxihu", "东西湖分公司", None),
    ("jiangxia", "江夏分公司", None),
    ("caidian", "蔡甸分公司", None),
    ("huangpi", "黄陂分公司", None),
    ("xinzhou", "新洲分公司", None),
    ("lng", "液化天然气子公司", None),
    ("pipeline", "管网工程子公司", None),
    ("hankou_station", "汉口火车站营业所", "hankou"),
    ("hankou_jiangtan", "江滩营业所", "hankou"),
    ("wuchang_station", "武昌火车站营业所", "wuchang"),
    ("wuchang_optics", "光谷营业所", "wuchang"),
    ("hanyang_zhongjia", "钟家村营业所", "hanyang"),
    ("hongshan_jiedaokou", "街道口营业所", "hongshan"),
    ("dongxihu_jinyinhu", "金银湖营业所", "dongxihu"),
    ("jiangxia_zhifang", "纸坊营业所", "jiangxia"),
    ("huangpi_qianchuan", "前川营业所", "huangpi"),
]
UNIT_WEIGHTS = {"hankou": 10, "wuchang": 10, "hankou_north": 3}  # others: 4 each
HANDLERS_PER_UNIT = 4

# name: (weight when closed, weight when open, categories (None = all), actions)
PATHS = {
    "full": (12, 0, None, "dispatch sign_for assign progress reply APPROVE callback:satisfied"),
    "quick": (60, 0, None, "dispatch sign_for reply APPROVE callback:basically_satisfied"),
    "on_spot": (125, 0, "company", "resolve_on_spot callback:satisfied"),
    "returned": (
        4,
        0,
        None,
        "dispatch return_case dispatch sign_for assign progress reply APPROVE callback:satisfied",
    ),
    "rejected": (
        4,
        0,
        None,
        "dispatch sign_for assign progress reply reject progress reply APPROVE callback:satisfied",
    ),
    "rehandled": (
        3,
        0,
        None,
        "dispatch sign_for assign progress reply APPROVE callback:dissatisfied progress reply "
        "APPROVE callback:satisfied",
    ),
    "dissatisfied": (
        1.5,
        0,
        None,
        "dispatch sign_for assign reply APPROVE callback:dissatisfied progress reply APPROVE "
        "callback:dissatisfied",
    ),
    "unreachable": (
        2,
        0,
        None,
        "dispatch sign_for assign reply APPROVE callback:unreachable callback:unreachable "
        "callback:unreachable",
    ),
    "extended": (
        3,
        0,
        None,
        "dispatch sign_for assign request_extension decide_extension:approve progress reply "
        "APPROVE callback:satisfied",
    ),
    "extension_rejected": (
        1,
        0,
        None,
        "dispatch sign_for assign request_extension decide_extension:reject progress reply "
        "APPROVE callback:satisfied",
    ),
    "reminded": (
        3,
        0,
        None,
        "dispatch sign_for assign remind progress reply APPROVE callback:satisfied",
    ),
    "supervised": (
        1.5,
        0,
        None,
        "dispatch sign_for assign supervise progress progress reply APPROVE callback:satisfied",
    ),
    "voided": (1, 0, None, "void"),
    "voided_in_unit": (0.5, 0, None, "dispatch void"),
    "on_spot_rehandled": (
        0.5,
        0,
        "company",
        "resolve_on_spot callback:dissatisfied dispatch sign_for reply APPROVE callback:satisfied",
    ),
    # Open: every open state, the overdue backlog included.
    "registered": (0, 5, None, ""),
    "on_spot_reopened": (0, 0.5, "company", "resolve_on_spot callback:dissatisfied"),
    "dispatched": (0, 8, None, "dispatch"),
    "redispatched": (0, 1, None, "dispatch return_case dispatch"),
    "signed": (0, 5, None, "dispatch sign_for"),
    "assigned": (0, 15, None, "dispatch sign_for assign"),
    "handling": (0, 14, None, "dispatch sign_for assign progress"),
    "extension_pending": (0, 3, None, "dispatch sign_for assign request_extension"),
    "extended_open": (
        0,
        2,
        None,
        "dispatch sign_for assign request_extension decide_extension:approve progress",
    ),
    "reminded_open": (0, 3, None, "dispatch sign_for assign remind"),
    "sent_back": (0, 2, None, "dispatch sign_for assign progress reply reject"),
    "to_review": (0, 10, None, "dispatch sign_for assign progress reply"),
    "to_answer": (0, 4, "government", "dispatch sign_for assign progress reply approve"),
    "to_callback": (0, 15, None, "dispatch sign_for assign progress reply APPROVE"),
    "callback_retry": (0, 4, None, "dispatch sign_for assign reply APPROVE callback:unreachable"),
    "rehandling": (0, 5, None, "dispatch sign_for assign reply APPROVE callback:dissatisfied"),
    "rehandling_progress": (
        0,
        3,
        None,
        "dispatch sign_for assign reply APPROVE callback:dissatisfied progress",
    ),
}


@dataclass(frozen=True)
class Step:
    action: str
    value: str | None  # the callback result, or "approve"/"reject" of an extension decision
    before: CaseStatus
    after: CaseStatus


@dataclass(frozen=True)
class Path:
    name: str
    steps: tuple[Step, ...]
    final: CaseStatus


def _expand(actions: str, category: str) -> list[tuple[str, str | None]]:
    tokens: list[tuple[str, str | None]] = []
    for token in actions.split():
        if token == "APPROVE":  # noqa: S105 - not a password
            tokens.append(("approve", None))
            if category == ChannelCategoryCode.GOVERNMENT:
                tokens.append(("answer_government", None))
            continue
        action, _, value = token.partition(":")
        tokens.append((action, value or None))
    return tokens


def walk(name: str, actions: str, category: str) -> Path:
    """The path's statuses through the domain's transition table (and its counters)."""
    status, rehandles, unreachable, has_unit = CaseStatus.PENDING_DISPATCH, 0, 0, False
    steps = []
    for action, value in _expand(actions, category):
        callback = CallbackResult(value) if action == "callback" else None
        after = next_status(
            status,
            Action(action),
            government=category == ChannelCategoryCode.GOVERNMENT,
            rehandle_count=rehandles,
            callback=callback,
            unreachable_attempts=unreachable,
            has_unit=has_unit,
        )
        if action == "dispatch":
            has_unit = True
        elif action == "return_case":
            has_unit = False
        if callback is CallbackResult.UNREACHABLE:
            unreachable += 1
        if opens_rehandle(callback, after):
            rehandles += 1
        steps.append(Step(action, value, status, after))
        status = after
    return Path(name, tuple(steps), status)


class Chooser:
    """A weighted choice by one random number (bisect on cumulative weights)."""

    def __init__(self, items, weights):
        self.items = list(items)
        self.cumulative = list(accumulate(weights))
        self.total = self.cumulative[-1]

    def pick(self, rng):
        return self.items[bisect(self.cumulative, rng.random() * self.total)]


def path_choosers() -> dict[tuple[str, bool, bool], Chooser]:
    """(category, registered by someone who may resolve on the spot, open) -> paths."""
    choosers = {}
    for category in ChannelCategoryCode:
        for on_spot in (False, True):
            for is_open in (False, True):
                items, weights = [], []
                for name, (closed_w, open_w, only, actions) in PATHS.items():
                    weight = open_w if is_open else closed_w
                    if not weight or (only is not None and only != category):
                        continue
                    if actions.startswith("resolve_on_spot") and not on_spot:
                        continue
                    path = walk(name, actions, category)
                    if (path.final in OPEN_STATUSES) != is_open:
                        raise AssertionError(f"path {name} ends in {path.final}")
                    items.append(path)
                    weights.append(weight)
                choosers[(category, on_spot, is_open)] = Chooser(items, weights)
    return choosers
