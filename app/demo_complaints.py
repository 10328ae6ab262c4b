"""Demo complaint determinations (投诉认定, Art.8/9/32), made through the services as real work
is: a draft of 汉口, one of 武昌 awaiting 客服部主管's approval, an approved 一般有效投诉 of 汉口
(an employee's personal cause, in the violation register, within its objection window) and one
of 武昌 the unit has objected to. The demo's other 投诉 cases stay in 待认定. Seeded once (a
second run keeps the data)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.clock import now as clock_now
from app.models import (
    Branch,
    BusinessCategory,
    CaseKind,
    Channel,
    ComplaintDetermination,
    SuqiuUser,
)
from app.services import complaints
from app.services.actor import Actor
from app.services.case_registration import Registration, register_case
from app.services.case_workflow import perform
from app.services.complaint_files import NO_UPLOADS, Upload, Uploads
from app.services.complaints import DeterminationForm

# A small valid PDF page: the demo's evidence opens in any viewer.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
# (unit, customer, phone, business, days ago received, request, end state)
SCRIPT = [
    (
        "hankou",
        "周女士",
        "13971000041",
        "meter",
        3,
        "客户投诉抄表员连续两个月未入户抄表，按估抄数收费，电话反映后无人回复。",
        "draft",
    ),
    (
        "wuchang",
        "吴先生",
        "13871000042",
        "installation",
        6,
        "客户投诉报装申请提交二十天仍未安排勘察，多次询问均称“在排队”。",
        "submitted",
    ),
    (
        "hankou",
        "郑先生",
        "13671000043",
        "repair",
        8,
        "客户投诉维修人员上门后态度恶劣，称“这不归我们管”，未处理即离开。",
        "counting",
    ),
    (
        "wuchang",
        "冯女士",
        "15927000044",
        "payment",
        12,
        "客户投诉营业厅要求其先补缴他人欠费才能办理过户，多次往返未果。",
        "objected",
    ),
]
FINDINGS = {
    "draft": "已调取近三个月抄表记录，待与抄表班组核实入户情况。",
    "submitted": "经核实，勘察派单积压，超出承诺时限十余天，未向客户说明原因，情况属实。",
    "counting": "调取上门录音及客户回访记录，维修人员确有推诿及言语生硬情况，投诉属实。",
    "objected": "经核实，营业厅以他人欠费为由拒办过户，不符合公司业务规定，投诉属实。",
}


def seed_demo_complaints(session: Session, now: datetime | None = None) -> int:
    if session.scalar(select(func.count()).select_from(ComplaintDetermination)):
        return 0
    now = now or clock_now()
    users = {u.username: Actor.of(u) for u in session.scalars(select(SuqiuUser))}
    folder = current_app.config["UPLOAD_FOLDER"] if has_app_context() else None
    for unit_code, name, phone, business, days, content, state in SCRIPT:
        unit = session.scalar(select(Branch).where(Branch.code == unit_code))
        received = (now - timedelta(days=days)).replace(hour=10, minute=0, second=0)
        case = register_case(
            session,
            users["csd"],
            Registration(
                channel_id=_id(session, Channel, "citizen_hotline"),
                kind_id=_id(session, CaseKind, "complaint"),
                business_category_id=_id(session, BusinessCategory, business),
                customer_name=name,
                customer_phone=phone,
                customer_address=f"{unit.name}辖区",
                content=content,
                received_at=received,
            ),
            now=received,
        )
        liaison = users[f"liaison_{unit_code}"]
        for who, action, hours, inputs in (
            (users["csd"], "dispatch", 0.5, {"branch_id": unit.id}),
            (liaison, "sign_for", 1, {}),
            (liaison, "reply", 20, {"result": "已联系客户致歉，并安排专人跟进处理。"}),
        ):
            session.expire_all()
            perform(
                session,
                who,
                case.id,
                action,
                version=None,
                now=received + timedelta(hours=hours),
                **inputs,
            )
        # The approved one within its objection window, the objected one lodged in its own.
        hours = {"draft": 26, "submitted": 20, "counting": 5, "objected": 50}[state]
        _determine(session, users, case.id, unit, state, now - timedelta(hours=hours), folder)
    return len(SCRIPT)


def _determine(session, users, case_id, unit, state, at, folder) -> None:
    personal = state == "counting"
    form = DeterminationForm(
        determination="valid",
        findings=FINDINGS[state],
        breach_category={"counting": "attitude", "objected": "rigid_process"}.get(
            state, "buck_passing"
        ),
        grade="general",
        branch_id=unit.id,
        responsibility="personal" if personal else "unit",
        employee_id=users[f"handler_{unit.code}"].user_id if personal else None,
        personal_cause="上门后推诿、言语生硬，未按规定处理即离开。" if personal else None,
    )
    if state == "draft":
        form = DeterminationForm(findings=FINDINGS[state], branch_id=unit.id)
    files = NO_UPLOADS
    if folder and state != "draft":
        files = Uploads([Upload("调查记录及通话录音摘要.pdf", io.BytesIO(PDF))], folder, 10 << 20)
    if state != "draft" and not files.files:
        return  # no upload folder (outside the application): nothing can be submitted
    found = complaints.save_draft(
        session,
        users["csd"],
        case_id,
        form,
        version=None,
        uploads=files,
        submit=state != "draft",
        now=at,
    )
    if state in ("draft", "submitted"):
        return
    found = complaints.approve(
        session,
        users["csd_head"],
        found.id,
        version=found.version,
        note="同意认定。",
        now=at + timedelta(hours=3),
    )
    if state == "objected":
        complaints.lodge_objection(
            session,
            users[f"liaison_{unit.code}"],
            found.id,
            version=found.version,
            reason="该客户名下确有关联欠费，营业厅按当时口径提示补缴，不属于流程僵硬。",
            evidence="附营业厅当日业务受理记录。",
            now=at + timedelta(days=1),
        )


def _id(session: Session, model, code: str) -> int:
    return session.scalar(select(model.id).where(model.code == code))
