"""Default master data (Art.5–8, Art.24) and the demo organisation, inserted idempotently."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.channels import ChannelCategoryCode
from app.models import (
    Branch,
    BusinessCategory,
    CaseKind,
    Channel,
    ChannelCategory,
    ContentClass,
    Department,
)

COMPANY, GOVERNMENT, ONLINE = (
    ChannelCategoryCode.COMPANY,
    ChannelCategoryCode.GOVERNMENT,
    ChannelCategoryCode.ONLINE,
)
CHANNEL_CATEGORIES = [
    (COMPANY, "公司渠道", "公司热线、投诉电话、微信公众号、一线员工、窗口、部门及单位（第七条）"),
    (
        GOVERNMENT,
        "政务渠道",
        "政府部门及集团公司转办，由客户服务部集中受理、派发并回复（第十三条）",
    ),
    (
        ONLINE,
        "网办渠道",
        "“一网通办”平台，由客户服务部受理派发，分子公司自行录入办理结果（第十三条）",
    ),
]
CHANNELS = [
    ("hotline_96511", "服务热线96511", COMPANY),
    ("complaint_phone", "投诉电话", COMPANY),
    ("wechat", "微信公众号", COMPANY),
    ("field_staff", "一线员工", COMPANY),
    ("service_window", "对外服务窗口", COMPANY),
    ("department_unit", "部门及单位", COMPANY),
    ("letter_visit_media", "客户来函、来访、网站及媒体报道", COMPANY),
    ("citizen_hotline", "市民热线", GOVERNMENT),
    ("city_message_board", "城市留言板", GOVERNMENT),
    ("sunshine_petition", "阳光信访", GOVERNMENT),
    ("city_zhiyong_office", "市治庸办", GOVERNMENT),
    ("city_gas_center", "市燃发中心", GOVERNMENT),
    ("city_online_mass_work", "市网上群众工作部", GOVERNMENT),
    ("group_company", "集团公司转办", GOVERNMENT),
    ("hubei_gov_service", "湖北政务服务网", ONLINE),
    ("construction_approval", "工程建设项目审批管理平台", ONLINE),
    ("real_estate_registration", "不动产登记平台", ONLINE),
    ("ehuiban", "鄂汇办", ONLINE),
    ("wuhan_zhanyi", "武汉战疫", ONLINE),
]
CONTENT_CLASSES = [
    ("request", "诉求"),
    ("praise", "赞誉"),
    ("suggestion", "建议"),
    ("complaint", "客户投诉"),
]
CASE_KINDS = [
    ("consultation", "咨询", "request"),
    ("business", "业务办理", "request"),
    ("complaint", "投诉", "complaint"),
    ("suggestion", "建议", "suggestion"),
    ("report", "举报", "request"),
    ("praise", "表扬", "praise"),
]
BUSINESS_CATEGORIES = [
    ("installation", "报装", "新装、改装燃气设施"),
    ("account_transfer", "开户过户", "开户、过户、销户"),
    ("payment", "缴费", "缴费渠道、欠费、票据"),
    ("tariff", "气价气费", "阶梯气价、气费争议"),
    ("meter", "表具", "燃气表故障、换表、计量"),
    ("safety_check", "安检", "入户安全检查、隐患整改"),
    ("repair", "维修", "户内外燃气设施维修"),
    ("supply_stop", "停气", "计划停气、突发停气、复气"),
    ("construction", "工程施工", "管网施工、道路开挖、外包工程队"),
    ("service_attitude", "服务态度", "员工服务态度与规范"),
    ("gas_leak", "燃气泄漏", "漏气报警与抢险"),
    ("other", "其他", "其他燃气业务"),
]
DEMO_BRANCHES = [
    ("hankou", "汉口分公司", "branch", None, "江岸区、江汉区、硚口区"),
    ("wuchang", "武昌分公司", "branch", None, "武昌区、洪山区、青山区"),
    ("hankou_north", "汉口北营业所", "station", "hankou", "黄陂区汉口北片区"),
]
DEMO_DEPARTMENTS = {
    "hankou": [
        ("客户服务科", ["payment", "account_transfer", "tariff"]),
        ("运行维修科", ["repair", "meter", "gas_leak", "supply_stop"]),
        ("工程管理科", ["installation", "construction"]),
    ],
    "wuchang": [
        ("客户服务科", ["payment", "account_transfer", "tariff"]),
        ("运行维修科", ["repair", "meter", "gas_leak", "supply_stop"]),
        ("安检科", ["safety_check"]),
    ],
    "hankou_north": [("营业厅", ["payment", "installation"])],
}


def _by_code(session: Session, model, code: str):
    return session.scalar(select(model).where(model.code == code))


def seed_catalog(session: Session) -> int:
    """Insert missing default master data; never overwrites an administrator's edits."""
    added = 0
    for order, (code, name, description) in enumerate(CHANNEL_CATEGORIES):
        if _by_code(session, ChannelCategory, code) is None:
            session.add(
                ChannelCategory(code=code, name=name, description=description, sort_order=order)
            )
            added += 1
    session.flush()
    for order, (code, name, category) in enumerate(CHANNELS):
        if _by_code(session, Channel, code) is None:
            session.add(
                Channel(
                    code=code,
                    name=name,
                    sort_order=order,
                    active=True,
                    category=_by_code(session, ChannelCategory, category),
                )
            )
            added += 1
    for order, (code, name) in enumerate(CONTENT_CLASSES):
        if _by_code(session, ContentClass, code) is None:
            session.add(ContentClass(code=code, name=name, sort_order=order))
            added += 1
    session.flush()
    for order, (code, name, content_class) in enumerate(CASE_KINDS):
        if _by_code(session, CaseKind, code) is None:
            session.add(
                CaseKind(
                    code=code,
                    name=name,
                    sort_order=order,
                    active=True,
                    content_class=_by_code(session, ContentClass, content_class),
                )
            )
            added += 1
    for order, (code, name, description) in enumerate(BUSINESS_CATEGORIES):
        if _by_code(session, BusinessCategory, code) is None:
            session.add(
                BusinessCategory(
                    code=code, name=name, description=description, sort_order=order, active=True
                )
            )
            added += 1
    session.commit()
    return added


def seed_reference_data(session: Session) -> int:
    """Everything `suqiu init` inserts when missing: master data, the official working-day
    calendar and the default time-limit rules."""
    from app.services.calendar import seed_official_calendar
    from app.services.time_limits import seed_default_rules

    added = seed_catalog(session)
    added += seed_official_calendar(session)
    added += seed_default_rules(session)
    return added


def seed_demo_branches(session: Session) -> dict[str, Branch]:
    """The demo units (with a sub-unit under 汉口) and their departments."""
    from app.services import masterdata
    from app.services.actor import Actor

    actor = Actor.system()
    for order, (code, name, unit_type, parent, territory) in enumerate(DEMO_BRANCHES):
        if _by_code(session, Branch, code) is None:
            branch = Branch(
                code=code,
                name=name,
                unit_type=unit_type,
                territory=territory,
                active=True,
                sort_order=order,
                parent=_by_code(session, Branch, parent) if parent else None,
            )
            masterdata.save(session, actor, branch, is_new=True)
    branches = {code: _by_code(session, Branch, code) for code, *_ in DEMO_BRANCHES}
    for code, departments in DEMO_DEPARTMENTS.items():
        for name, categories in departments:
            exists = session.scalar(
                select(Department).where(
                    Department.branch_id == branches[code].id, Department.name == name
                )
            )
            if exists is None:
                department = Department(
                    branch=branches[code],
                    name=name,
                    active=True,
                    business_categories=[
                        _by_code(session, BusinessCategory, c) for c in categories
                    ],
                )
                masterdata.save(session, actor, department, is_new=True)
    return branches
