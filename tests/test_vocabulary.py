"""The closed vocabularies are typed (issue 7): channel-category codes (Art.7) and the statuses
of an extension request (Art.30) are enums of the domain, and the code compares with their
members, never with bare strings that a typo would silently never match."""

from __future__ import annotations

import ast
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.domain.channels import BRANCH_CALLBACK_CATEGORIES, ChannelCategoryCode
from app.domain.lifecycle import ExtensionStatus
from app.models import Case, ChannelCategory, ExtensionRequest
from app.seed import CHANNEL_CATEGORIES, CHANNELS
from app.services.extensions import decide_extension, request_extension
from tests.case_helpers import act, actor, branch_id, gen_case

APP = Path(__file__).resolve().parent.parent / "app"
VOCABULARY = {str(m) for m in ChannelCategoryCode} | {str(m) for m in ExtensionStatus}


def test_art7_the_seeded_categories_are_exactly_the_codes_of_the_domain(app, db_session):
    assert [code for code, *_ in CHANNEL_CATEGORIES] == list(ChannelCategoryCode)
    assert {category for *_, category in CHANNELS} == set(ChannelCategoryCode)
    stored = set(db_session.scalars(select(ChannelCategory.code)))
    assert stored == set(ChannelCategoryCode)


def test_art35_government_and_online_cases_are_called_back_by_the_branch():
    assert set(BRANCH_CALLBACK_CATEGORIES) == {
        ChannelCategoryCode.GOVERNMENT,
        ChannelCategoryCode.ONLINE,
    }


def test_every_category_code_has_a_label():
    from app.views.case_labels import CHANNEL_CATEGORY_LABELS

    assert set(CHANNEL_CATEGORY_LABELS) == set(ChannelCategoryCode)


def test_the_values_fit_their_columns():
    width = Case.__table__.c.channel_category_code.type.length
    assert max(len(m) for m in ChannelCategoryCode) <= width
    assert max(len(m) for m in ExtensionStatus) <= ExtensionRequest.__table__.c.status.type.length


def test_art30_an_extension_request_goes_through_the_statuses_of_the_domain(app, db_session):
    case = gen_case(db_session)
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "hankou"))
    now = datetime(2026, 10, 12, 11, 0)

    def ask():
        return request_extension(
            db_session,
            actor(db_session, "liaison_hankou"),
            case.id,
            version=None,
            requested_due=datetime(2026, 11, 30, 23, 59, 59),
            reason="需现场勘察",
            now=now,
        )

    first = ask()
    assert first.status == ExtensionStatus.PENDING
    decide_extension(
        db_session, actor(db_session, "csd"), first.id, approve=False, note="理由不足", now=now
    )
    second = ask()
    act(db_session, "liaison_hankou", case, "return_case", reason="不属本单位辖区")
    db_session.expire_all()
    statuses = {
        ExtensionStatus(db_session.get(ExtensionRequest, r.id).status) for r in (first, second)
    }
    assert statuses == {ExtensionStatus.REJECTED, ExtensionStatus.CANCELLED}


def _bare_vocabulary(tree: ast.AST) -> list[tuple[int, str]]:
    """String literals of the vocabulary compared with (==, !=, or in a literal container on
    the right of ``in``) or passed to SQL ``in_()``: a key looked up with ``"x" in d`` is not."""
    found: list[tuple[int, str]] = []

    def literals(node: ast.AST) -> list[ast.Constant]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node]
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return [c for e in node.elts for c in literals(e)]
        return []

    for node in ast.walk(tree):
        candidates: list[ast.Constant] = []
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for op, left, right in zip(node.ops, operands[:-1], operands[1:], strict=True):
                if isinstance(op, ast.Eq | ast.NotEq | ast.Is | ast.IsNot):
                    candidates += literals(left) + literals(right)
                elif isinstance(op, ast.In | ast.NotIn):
                    candidates += literals(right)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "in_"
        ):
            candidates = [c for arg in node.args for c in literals(arg)]
        found += [(c.lineno, c.value) for c in candidates if c.value in VOCABULARY]
    return found


def _python_files() -> list[Path]:
    return sorted(APP.rglob("*.py"))


def test_the_scanner_finds_a_bare_literal():
    code = 'a == "company"\nb in ("government", "x")\nq.in_(["pending"])\n"approved" in d\n'
    assert _bare_vocabulary(ast.parse(code)) == [
        (1, "company"),
        (2, "government"),
        (3, "pending"),
    ]


@pytest.mark.parametrize("path", _python_files(), ids=lambda p: str(p.relative_to(APP)))
def test_no_bare_category_or_extension_status_literal_in_comparisons(path):
    relative = path.relative_to(APP).as_posix()
    found = _bare_vocabulary(ast.parse(path.read_text(encoding="utf-8")))
    assert not found, f"{relative}: compare with ChannelCategoryCode/ExtensionStatus: {found}"
