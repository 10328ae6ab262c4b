"""Demo cases made through the same services as real work, so each has the history of events
that brought it to its state: every channel category, kind and state, both demo branches,
some overdue, some extended, some re-handled. Seeded once (a second run keeps the data)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.demo_repeats import seed_demo_repeats
from app.domain.channels import ChannelCategoryCode
from app.domain.clock import now as clock_now
from app.models import Branch, Bulletin, BusinessCategory, Case, CaseKind, Channel, SuqiuUser
from app.services.actor import Actor
from app.services.case_registration import Registration, register_case
from app.services.case_workflow import perform
from app.services.extensions import decide_extension, request_extension
from app.services.sweep import sweep_overdue

CUSTOMERS = [
    ("王建国", "13971000001", "江岸区黄浦大街18号3栋", "江岸区"),
    ("李秀兰", "13871000002", "武昌区中南路99号2单元", "武昌区"),
    ("张志强", "13671000003", "江汉区新华路126号", "江汉区"),
    ("陈静", "15927000004", "洪山区珞喻路1037号", "洪山区"),
    ("刘洋", "18627000005", "硚口区解放大道368号", "硚口区"),
    ("赵敏", "13907100006", "青山区和平大道809号", "青山区"),
]
# (channel code, kind code, business code, customer index, days ago, path, extra)
SCRIPT = [
    ("citizen_hotline", "business", "meter", 0, 9, "closed", {}),
    ("city_message_board", "complaint", "service_attitude", 1, 4, "in_progress", {}),
    ("sunshine_petition", "consultation", "tariff", 2, 0, "pending_sign", {}),
    ("hubei_gov_service", "business", "installation", 3, 6, "pending_callback", {}),
    ("hotline_96511", "consultation", "payment", 4, 1, "resolved_on_spot", {}),
    ("wechat", "suggestion", "payment", 5, 0, "pending_dispatch", {}),
    ("citizen_hotline", "complaint", "repair", 0, 12, "rehandling", {}),
    ("group_company", "complaint", "construction", 2, 25, "closed_dissatisfied", {}),
    ("citizen_hotline", "business", "repair", 4, 21, "overdue", {}),
    ("ehuiban", "business", "installation", 1, 8, "extended", {}),
    ("city_gas_center", "report", "construction", 3, 3, "returned", {}),
    ("complaint_phone", "complaint", "service_attitude", 5, 2, "voided", {}),
    ("citizen_hotline", "consultation", "safety_check", 2, 2, "pending_review", {}),
    ("city_zhiyong_office", "business", "supply_stop", 0, 5, "pending_government_reply", {}),
    ("hotline_96511", "praise", "repair", 3, 3, "closed_praise", {}),
    (
        "hotline_96511",
        "business",
        "gas_leak",
        1,
        0,
        "urgent",
        {"urgent": True, "adverse_impact": True},
    ),
]


def _ids(session, model, code):
    return session.scalar(select(model).where(model.code == code))


def seed_demo_cases(session: Session, now: datetime | None = None) -> int:
    if session.scalar(select(func.count()).select_from(Case)):
        return 0
    now = now or clock_now()
    users = {u.username: Actor.of(u) for u in session.scalars(select(SuqiuUser))}
    hankou, wuchang = _ids(session, Branch, "hankou"), _ids(session, Branch, "wuchang")
    session.add_all(
        [
            Bulletin(
                kind="emergency",
                title="汉口北片区计划停气通知",
                talking_points="因管网改造，汉口北片区今日9:00至18:00停气。请向客户致歉，"
                "说明恢复时间，提醒关闭灶前阀，复气后先检查再点火。",
                expected_recovery_at=now.replace(hour=18, minute=0, second=0),
                starts_at=now - timedelta(hours=3),
                branch=hankou,
                active=True,
            ),
            Bulletin(
                kind="business_change",
                title="燃气费缴纳渠道调整",
                talking_points="自本月起，营业厅现金缴费改为扫码缴费，微信公众号、"
                "银行代扣渠道不变。老年客户可由营业厅工作人员协助办理。",
                starts_at=now - timedelta(days=10),
                active=True,
            ),
        ]
    )
    session.commit()
    for index, (channel, kind, business, who, days, path, extra) in enumerate(SCRIPT):
        received = (now - timedelta(days=days)).replace(hour=9, minute=10 + index, second=0)
        if received > now:
            received = now - timedelta(minutes=30 - index)
        case = register_demo_case(
            session,
            users,
            (channel, kind, business, who),
            received,
            f"0271{index:06d}",
            on_the_spot="已告知客户微信公众号缴费步骤，客户表示清楚。"
            if path == "resolved_on_spot"
            else None,
            **extra,
        )
        play_path(session, users, case, path, received, now, hankou if index % 2 == 0 else wuchang)
    seed_demo_repeats(session, now)  # 重复诉求: 关联单 of open cases
    sweep_overdue(session, now=now)
    return len(SCRIPT)


def register_demo_case(
    session, users, script, received, gas_account, on_the_spot=None, **extra
):  # fmt: skip
    """A demo case registered as its channel's people would (``script``: channel, kind and
    business codes and a customer of CUSTOMERS); ``on_the_spot``: resolved so, at once."""
    channel, kind, business, who = script
    name, phone, address, _ = CUSTOMERS[who]
    registrar = "agent" if channel in ("hotline_96511", "wechat", "complaint_phone") else "csd"
    data = Registration(
        channel_id=_ids(session, Channel, channel).id,
        kind_id=_ids(session, CaseKind, kind).id,
        business_category_id=_ids(session, BusinessCategory, business).id,
        customer_name=name,
        customer_phone=phone,
        customer_address=address,
        gas_account=gas_account,
        content=CONTENT[kind],
        received_at=received,
        resolve_on_spot=on_the_spot is not None,
        result=on_the_spot,
        **extra,
    )
    return register_case(session, users[registrar], data, now=received)


CONTENT = {
    "business": "客户反映燃气表计量异常，申请上门检测并更换。",
    "complaint": "客户投诉维修人员未按约定时间上门，多次催促无果，态度生硬。",
    "consultation": "客户咨询阶梯气价的计算方式及本月气费偏高原因。",
    "suggestion": "客户建议在微信公众号增加预约安检的功能。",
    "report": "客户举报小区内有施工队私自开挖，疑似影响燃气管道安全。",
    "praise": "客户表扬维修师傅雨天及时上门，处理细致耐心。",
}


def play_path(session, users, case, path, received, now, branch) -> None:
    """Move a freshly registered case along ``path`` through the workflow services."""
    step = {"t": received}

    def at(hours: float) -> datetime:
        step["t"] = min(step["t"] + timedelta(hours=hours), now)
        return step["t"]

    def do(username, action, hours=1.0, **inputs):
        session.flush()  # inside a caller's transaction (demo_quarter) nothing pending is lost
        session.expire_all()
        perform(session, users[username], case.id, action, version=None, now=at(hours), **inputs)

    liaison = "liaison_hankou" if branch.code == "hankou" else "liaison_wuchang"
    handler = "handler_hankou" if branch.code == "hankou" else "handler_wuchang"
    if path in ("pending_dispatch", "urgent"):
        if path == "urgent":
            do("agent", "dispatch", 0.1, branch_id=branch.id)
        return
    if path == "resolved_on_spot":
        do("agent", "callback", 3, result="satisfied", note="系统满意度调查：满意")
        return
    if path == "returned":
        do("csd", "dispatch", 0.5, branch_id=branch.id)
        do(liaison, "return_case", 1, reason="地址不在本单位辖区，请改派。")
        other = session.scalar(
            select(Branch).where(Branch.code.in_(("hankou", "wuchang")), Branch.id != branch.id)
        )
        do("csd", "dispatch", 0.5, branch_id=other.id)
        return
    if path == "voided":
        do("csd", "void", 1, reason="与工单重复登记，已合并处理。")
        return
    do(
        "csd" if case.channel_category_code != ChannelCategoryCode.COMPANY else "agent",
        "dispatch",
        0.5,
        branch_id=branch.id,
    )
    if path == "pending_sign":
        return
    do(liaison, "sign_for", 1)
    if path == "overdue":
        do(liaison, "progress", 24, note="已联系客户，等待备件。")
        return
    if path == "extended":
        due = session.get(Case, case.id).finish_due
        request = request_extension(
            session,
            users[liaison],
            case.id,
            version=None,
            requested_due=due + timedelta(days=7),
            reason="需报装审批及现场勘察，申请延期7天。",
            now=at(20),
        )
        decide_extension(
            session,
            users["csd"],
            request.id,
            approve=True,
            note="同意延期，请按新时限办结。",
            now=at(2),
        )
        return
    if path in ("in_progress",):
        do(
            liaison,
            "assign",
            1,
            handler_id=session.scalar(select(SuqiuUser.id).where(SuqiuUser.username == handler)),
        )
        do(handler, "progress", 3, note="已电话联系客户致歉，约定明日上门。")
        return
    do(liaison, "reply", 20, result="已上门处理完毕，向客户解释说明，客户认可。")
    if path == "pending_review":
        return
    do("csd", "approve", 2, note="处理规范，同意。")
    if case.channel_category_code == ChannelCategoryCode.GOVERNMENT:
        if path == "pending_government_reply":
            return
        do("csd", "answer_government", 1, note="已在政务平台回复办理结果。")
    if path in ("pending_callback",):
        return
    caller = liaison if case.channel_category_code != ChannelCategoryCode.COMPANY else "agent"
    if path in ("rehandling", "closed_dissatisfied"):
        do(caller, "callback", 4, result="dissatisfied", note="客户认为上门不及时，要求重新处理。")
        if path == "rehandling":
            return
        do(liaison, "reply", 24, result="再次上门，更换管件并赔礼道歉。")
        do("csd", "approve", 2)
        do("csd", "answer_government", 1, note="已再次回复集团公司。")
        do(caller, "callback", 4, result="dissatisfied", note="客户仍要求赔偿，已解释相关规定。")
        return
    do(caller, "callback", 4, result="satisfied", note="客户表示满意。")
