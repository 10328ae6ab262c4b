"""The route matrix's complaint determinations (tests/scoping_data.build_matrix): per side a
投诉 case of the unit in each state a route acts on — none yet, awaiting approval, approved
(within its objection window), objected, a change awaiting approval (proposed by csd) — each
determination naming the case's unit, with an
evidence file whose content carries a marker."""

from __future__ import annotations

import io
from datetime import datetime

from app.services import complaints
from app.services.complaint_files import Upload, Uploads, evidence_of
from tests.case_helpers import act, actor, gen_case

STATES = (
    "complaint_new",
    "complaint_pending",
    "complaint_approved",
    "complaint_objected",
    "complaint_change_pending",
)
PDF = b"%PDF-1.4\n"


def evidence_marker(side: str) -> str:
    return f"MATRIX-EVIDENCE-{side.upper()}"


def build(session, put, unit, side: str, name: str, upload_folder: str, now: datetime) -> None:
    liaison = f"liaison_{side}"
    for state in STATES:
        case = gen_case(session, kind="complaint", received=now, now=now)
        act(session, "csd", case, "dispatch", now=now, branch_id=unit.id)
        act(session, liaison, case, "sign_for", now=now)
        put(f"case:{state}", side, case.id, case.number, case_id=case.id)
        if state == "complaint_new":
            continue
        marker = evidence_marker(side) if state == "complaint_approved" else f"{side}-{state}"
        found = complaints.save_draft(
            session,
            actor(session, "csd"),
            case.id,
            complaints.DeterminationForm(
                determination="valid",
                findings=f"{name}矩阵调查情况",
                breach_category="attitude",
                grade="general",
                branch_id=unit.id,
                responsibility="unit",
            ),
            version=None,
            uploads=Uploads(
                [Upload(f"{name}矩阵认定证据.pdf", io.BytesIO(PDF + marker.encode()))],
                upload_folder,
                10 * 1024 * 1024,
            ),
            submit=True,
            now=now,
        )
        if state == "complaint_pending":
            continue
        found = complaints.approve(
            session, actor(session, "csd_head"), found.id, version=found.version, now=now
        )
        if state == "complaint_approved":
            (row,) = evidence_of(session, found.id)
            put("complaint_evidence", side, row.id, marker, case_id=case.id)
            continue
        complaints.lodge_objection(
            session,
            actor(session, liaison),
            found.id,
            version=found.version,
            reason=f"{name}矩阵异议理由",
            now=now,
        )
        if state == "complaint_change_pending":
            found = complaints.determination_of_case(session, case.id)
            complaints.answer_objection(
                session,
                actor(session, "csd"),
                found.id,
                version=found.version,
                change=True,
                answer=f"{name}矩阵拟变更",
                form=complaints.DeterminationForm(
                    determination="invalid",
                    findings=f"{name}矩阵复核：不属实",
                    invalid_reason="not_true",
                    branch_id=unit.id,
                ),
                now=now,
            )
