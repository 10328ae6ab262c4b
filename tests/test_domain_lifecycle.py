"""The case state machine of design §2 (Art.13, 20, 21, 30, 36)."""

import pytest

from app.domain.lifecycle import (
    OPEN_STATUSES,
    TRANSITIONS,
    Action,
    CallbackResult,
    CaseStatus,
    ForbiddenTransitionError,
    allowed_actions,
    next_status,
)

S, A, R = CaseStatus, Action, CallbackResult


@pytest.mark.parametrize(
    ("status", "action", "target"),
    [
        (S.PENDING_DISPATCH, A.DISPATCH, S.PENDING_SIGN),
        (S.PENDING_DISPATCH, A.RESOLVE_ON_SPOT, S.PENDING_CALLBACK),
        (S.PENDING_SIGN, A.SIGN_FOR, S.IN_PROGRESS),
        (S.PENDING_SIGN, A.RETURN_CASE, S.PENDING_DISPATCH),
        (S.IN_PROGRESS, A.REPLY, S.PENDING_REVIEW),
        (S.PENDING_REVIEW, A.APPROVE, S.PENDING_CALLBACK),
        (S.PENDING_REVIEW, A.REJECT, S.IN_PROGRESS),
        (S.IN_PROGRESS, A.PROGRESS, S.IN_PROGRESS),
        (S.IN_PROGRESS, A.REMIND, S.IN_PROGRESS),
        (S.PENDING_SIGN, A.VOID, S.VOIDED),
    ],
)
def test_art13_art19_design_transitions(status, action, target):
    assert next_status(status, action) == target


def test_art13_government_results_wait_for_csds_reply_to_the_department():
    assert next_status(S.PENDING_REVIEW, A.APPROVE, government=True) == S.PENDING_GOVERNMENT_REPLY
    assert next_status(S.PENDING_GOVERNMENT_REPLY, A.ANSWER_GOVERNMENT) == S.PENDING_CALLBACK


def test_art21_first_dissatisfied_opens_one_rehandle_art36_second_closes_dissatisfied():
    assert next_status(S.PENDING_CALLBACK, A.CALLBACK, callback=R.DISSATISFIED) == S.REHANDLING
    assert next_status(S.REHANDLING, A.REPLY, rehandle_count=1) == S.PENDING_REVIEW
    assert next_status(S.PENDING_REVIEW, A.REJECT, rehandle_count=1) == S.REHANDLING
    assert (
        next_status(S.PENDING_CALLBACK, A.CALLBACK, callback=R.DISSATISFIED, rehandle_count=1)
        == S.CLOSED_DISSATISFIED
    )


@pytest.mark.parametrize("result", [R.SATISFIED, R.BASICALLY_SATISFIED])
def test_art20_satisfied_callback_closes(result):
    assert next_status(S.PENDING_CALLBACK, A.CALLBACK, callback=result) == S.CLOSED


def test_art20_unreachable_is_retried_up_to_the_limit():
    assert (
        next_status(S.PENDING_CALLBACK, A.CALLBACK, callback=R.UNREACHABLE, unreachable_attempts=0)
        == S.PENDING_CALLBACK
    )
    assert (
        next_status(S.PENDING_CALLBACK, A.CALLBACK, callback=R.UNREACHABLE, unreachable_attempts=2)
        == S.CLOSED
    )


def test_art20_a_callback_needs_a_result_and_a_replied_case(app):
    with app.test_request_context():
        with pytest.raises(ForbiddenTransitionError):
            next_status(S.PENDING_CALLBACK, A.CALLBACK)
        with pytest.raises(ForbiddenTransitionError) as err:
            next_status(S.IN_PROGRESS, A.CALLBACK, callback=R.SATISFIED)
        assert "办理中" in str(err.value)


def test_art31_closed_and_voided_cases_allow_nothing():
    for status in (S.CLOSED, S.CLOSED_DISSATISFIED, S.VOIDED):
        assert allowed_actions(status) == set()


def test_art10_every_open_status_can_be_reminded_supervised_and_voided():
    for status in OPEN_STATUSES:
        assert {A.REMIND, A.SUPERVISE, A.VOID} <= allowed_actions(status)
    assert all(state in S for state, _ in TRANSITIONS)


def test_art21_a_case_resolved_on_the_spot_rated_dissatisfied_goes_back_to_dispatch():
    """No unit holds a case resolved on the spot: its 重办 starts at 待派发 so that CSD (or
    the registering agent) dispatches it; signing for it then means re-handling."""
    assert (
        next_status(S.PENDING_CALLBACK, A.CALLBACK, callback=R.DISSATISFIED, has_unit=False)
        == S.PENDING_DISPATCH
    )
    assert next_status(S.PENDING_SIGN, A.SIGN_FOR, rehandle_count=1) == S.REHANDLING
    assert (
        next_status(
            S.PENDING_CALLBACK,
            A.CALLBACK,
            callback=R.DISSATISFIED,
            rehandle_count=1,
            has_unit=False,
        )
        == S.CLOSED_DISSATISFIED
    )


def test_art20_unreachable_attempts_must_be_spaced():
    from datetime import datetime, timedelta

    from app.domain.lifecycle import CallbackTooSoonError, ensure_callback_retry_spaced

    last = datetime(2026, 10, 12, 9, 0)
    spacing = timedelta(hours=2)
    with pytest.raises(CallbackTooSoonError, match="11:00"):
        ensure_callback_retry_spaced(R.UNREACHABLE, last, last + timedelta(minutes=119), spacing)
    ensure_callback_retry_spaced(R.UNREACHABLE, last, last + spacing, spacing)
    ensure_callback_retry_spaced(R.SATISFIED, last, last, spacing)  # an answer is never too soon
    ensure_callback_retry_spaced(R.UNREACHABLE, None, last, spacing)  # the first attempt
