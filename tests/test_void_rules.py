"""Voiding a case must not make a request or a deduction count nowhere: a 主单 with live 关联单
(counted once, as the 主单: app.domain.kpis LIVE) and a case with an approved valid complaint
(Art.8/41: 有效投诉 and its register entry) cannot be voided; the message says why."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.domain.complaints import DeterminationError, check_voidable_with_determination
from app.domain.repeats import RepeatLinkError, check_voidable_primary
from app.models import Case, ComplaintDetermination
from tests.case_helpers import act, gen_case


def test_a_primary_case_with_live_repeats_is_not_voidable():
    with pytest.raises(RepeatLinkError) as refused:
        check_voidable_primary(["SQ202611290002", "SQ202611290003"])
    assert "SQ202611290002、SQ202611290003" in str(refused.value)
    check_voidable_primary([])


@pytest.mark.parametrize("status", ["approved", "objected", "upheld", "change_pending", "changed"])
def test_art41_a_case_with_an_approved_valid_complaint_is_not_voidable(status):
    with pytest.raises(DeterminationError):
        check_voidable_with_determination(status, "valid")


@pytest.mark.parametrize(
    ("status", "determination"),
    [("approved", "invalid"), ("draft", "valid"), ("pending_approval", "valid"), (None, None)],
)
def test_art41_an_invalid_or_unapproved_determination_does_not_block_voiding(status, determination):
    check_voidable_with_determination(status, determination)


def test_voiding_a_primary_case_is_refused_until_its_repeats_are_unlinked(db_session):
    primary = gen_case(db_session)
    repeat = gen_case(db_session)
    repeat.primary_case_id = primary.id
    db_session.commit()
    with pytest.raises(RepeatLinkError):
        act(db_session, "csd", primary, "void", reason="登记错误")
    db_session.expire_all()
    assert db_session.get(Case, primary.id).status != "voided"
    db_session.get(Case, repeat.id).primary_case_id = None
    db_session.commit()
    act(db_session, "csd", primary, "void", reason="登记错误")
    db_session.expire_all()
    assert db_session.get(Case, primary.id).status == "voided"


def test_art41_voiding_a_case_with_an_approved_valid_complaint_is_refused(db_session):
    case = gen_case(db_session)
    db_session.add(
        ComplaintDetermination(
            case_id=case.id,
            status="approved",
            determination="valid",
            grade="general",
            approved_at=datetime(2026, 10, 13, 9, 0),
        )
    )
    db_session.commit()
    with pytest.raises(DeterminationError):
        act(db_session, "csd", case, "void", reason="登记错误")
    db_session.expire_all()
    assert db_session.get(Case, case.id).status != "voided"
