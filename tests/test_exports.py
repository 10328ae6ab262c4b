"""Excel exports (issue 9 item 5): the case list under any filter, in the reader's scope whatever
the URL says (design §1), the same rows as the list's count; the customer masked for roles
without read.contact_details and a 举报 reporter hidden from the branch reported on (Art.13);
text that looks like a formula stays text; Chinese headers, sheet names and file names; an
export of nothing says so. The KPI scorecard by unit for a period."""

from __future__ import annotations

import io
import re
from datetime import datetime
from urllib.parse import unquote

import openpyxl
import pytest
from sqlalchemy import or_, select

from app.domain import period_text
from app.domain.kpis import PeriodError, PeriodKind
from app.models import Branch, Case, SuqiuUser
from app.services.xlsx import Column, Workbook
from tests.case_helpers import act, branch_id, gen_case

HEADERS = [
    "工单号",
    "状态",
    "已超期",
    "渠道类型",
    "来源渠道",
    "诉求类型",
    "业务类别",
    "客户姓名",
    "客户电话",
    "地址",
    "承办单位",
    "受理时间",
    "办结时限",
    "办结时间",
    "回访结果",
    "诉求内容",
]
NUMBER, STATUS, NAME, PHONE, ADDRESS, UNIT, RECEIVED = 0, 1, 7, 8, 9, 10, 11


CUSTOMER = ("customer_name", "customer_phone", "customer_address")


def _case(session, unit: str | None, *, received=datetime(2026, 10, 12, 9, 0), **extra):
    customer = {key: extra.pop(key) for key in CUSTOMER if key in extra}
    content = extra.pop("content", None)
    case = gen_case(session, received=received, now=received, **extra)
    if customer or content:  # test data as a customer might have typed it
        for key, value in customer.items():
            setattr(case, key, value)
        case.content = content or case.content
        session.commit()
    if unit:
        act(session, "csd", case, "dispatch", branch_id=branch_id(session, unit), now=received)
    session.expire_all()
    return session.get(Case, case.id)


@pytest.fixture
def two_sides(db_session):
    """Cases of 汉口 and of 武昌 in October 2026, registered by CSD."""
    made = {
        "hankou": [
            _case(db_session, "hankou", received=datetime(2026, 10, d, 9, 0)) for d in (3, 9)
        ],
        "wuchang": [
            _case(db_session, "wuchang", received=datetime(2026, 10, d, 9, 0)) for d in (4, 9)
        ],
    }
    return {side: [c.number for c in cases] for side, cases in made.items()}


def workbook(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(response.data))


def data_rows(book) -> list[tuple]:
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    return rows[1:]


def numbers(book) -> list[str]:
    return [row[NUMBER] for row in data_rows(book)]


def download_name(response) -> str:
    disposition = response.headers["Content-Disposition"]
    match = re.search(r"filename\*=UTF-8''([^;]+)", disposition)
    assert match, disposition
    return unquote(match.group(1))


def listed(client, query: str = "") -> set[str]:
    response = client.get(f"/cases/list/?psize_CaseView=100&{query}")
    assert response.status_code == 200, query
    return set(re.findall(r"SQ\d{12}", response.get_data(as_text=True)))


def _visible_numbers(session, username: str) -> set[str]:
    user = session.scalar(select(SuqiuUser).where(SuqiuUser.username == username))
    unit = session.get(Branch, user.branch_id)
    units = select(Branch.id).where(Branch.path.startswith(unit.path))
    return set(
        session.scalars(
            select(Case.number).where(
                or_(Case.branch_id.in_(units), Case.first_contact_id == user.id)
            )
        )
    )


WHATEVER_THE_URL_SAYS = [
    "",
    "_flt_0_branch={wuchang}",
    "_flt_1_branch={hankou}",
    "_flt_0_branch={wuchang}&_flt_0_branch={hankou}",
    "_flt_0_customer_phone=13912345678",
    "_flt_0_number=SQ",
    "_flt_7_branch={wuchang}&_flt_x_status=closed",
    "_oc_CaseView=customer_phone&_od_CaseView=asc",
]


@pytest.mark.parametrize("query", WHATEVER_THE_URL_SAYS)
def test_liaison_hankou_export_never_holds_wuchang_rows(login_as, db_session, two_sides, query):
    """Design §1: a unit reads its own cases (and those it received first, Art.18), whatever
    the URL asks: the export's rows are exactly what the list shows the liaison."""
    ids = {"hankou": branch_id(db_session, "hankou"), "wuchang": branch_id(db_session, "wuchang")}
    client = login_as("liaison_hankou")
    url_query = query.format(**ids)
    response = client.get(f"/cases/export?{url_query}")
    allowed = _visible_numbers(db_session, "liaison_hankou")
    if response.status_code == 302:  # nothing of theirs under that filter
        assert not listed(client, url_query) & allowed
        return
    book = workbook(response)
    got = numbers(book)
    assert set(got) <= allowed
    assert not set(got) & set(two_sides["wuchang"])
    assert {row[UNIT] for row in data_rows(book)} <= {
        name
        for (name,) in db_session.execute(
            select(Branch.name).where(
                Branch.path.startswith(db_session.get(Branch, ids["hankou"]).path)
            )
        )
    }
    assert "武昌" not in "".join(str(v) for row in data_rows(book) for v in row if v)


def test_export_has_the_lists_rows_under_a_filter(login_as, db_session, two_sides):
    """The export reads the list's query: under a filter, the same cases as the list, and as
    many as its count, in the list's order (received at, newest first, then by key)."""
    client = login_as("csd")
    query = (
        "_flt_0_received_at=2026-10-01&_flt_1_received_at=2026-10-31"
        "&_flt_0_channel_category_code=government"
    )
    response = client.get(f"/cases/export?{query}")
    got = numbers(workbook(response))
    on_list = listed(client, query)
    assert set(got) == on_list
    assert len(got) == len(on_list) >= 4
    expected = [
        number
        for (number,) in db_session.execute(
            select(Case.number)
            .where(Case.number.in_(got))
            .order_by(Case.received_at.desc(), Case.id.desc())
        )
    ]
    assert got == expected
    # the other order the list offers
    response = client.get(f"/cases/export?{query}&_oc_CaseView=number&_od_CaseView=asc")
    assert numbers(workbook(response)) == sorted(got)


def test_export_status_filter_matches_the_list_count(login_as, db_session, two_sides):
    client = login_as("leader")
    for query in ("_flt_0_status=pending_sign", "_flt_1_status=pending_sign", "_flt_0_overdue=n"):
        response = client.get(f"/cases/export?{query}")
        if response.status_code == 302:
            assert not listed(client, query)
            continue
        assert set(numbers(workbook(response))) == listed(client, query)


def test_masked_phone_and_address_for_roles_without_contact_details(login_as, db_session):
    """PIPL (design §5): the leader and a branch head see masked details, as on the case page;
    CSD and the liaison see them whole."""
    case = _case(
        db_session,
        "hankou",
        customer_name="赵女士",
        customer_phone="13712349876",
        customer_address="江汉区解放大道100号5栋2单元",
    )
    seen = {}
    for username in ("leader", "head_hankou", "csd", "liaison_hankou"):
        response = login_as(username).get(f"/cases/export?_flt_0_number={case.number}")
        (row,) = data_rows(workbook(response))
        seen[username] = (row[NAME], row[PHONE], row[ADDRESS])
    masked = ("赵女士", "137****9876", "江汉区解放大……")
    whole = ("赵女士", "13712349876", "江汉区解放大道100号5栋2单元")
    assert seen == {"leader": masked, "head_hankou": masked, "csd": whole, "liaison_hankou": whole}


def test_reporter_of_a_report_is_hidden_from_the_branch_reported_on(login_as, db_session):
    """Art.13: the branch a 举报 is about never learns who reported it, in an export neither."""
    case = _case(db_session, "hankou", kind="report", customer_name="举报人甲")
    response = login_as("liaison_hankou").get(f"/cases/export?_flt_0_number={case.number}")
    (row,) = data_rows(workbook(response))
    assert (row[NAME], row[PHONE], row[ADDRESS]) == ("***", None, None)
    assert "举报人甲" not in response.get_data().decode("latin-1")  # nor in the raw file
    response = login_as("csd").get(f"/cases/export?_flt_0_number={case.number}")
    assert data_rows(workbook(response))[0][NAME] == "举报人甲"


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://evil","点此")', "+1+2", "-3*7", "@SUM(A1:A9)", "\t=1+1", "\r=1"],
)
def test_text_that_looks_like_a_formula_stays_text(login_as, db_session, text):
    case = _case(db_session, "hankou", customer_name=text[:50], content=text)
    response = login_as("csd").get(f"/cases/export?_flt_0_number={case.number}")
    sheet = workbook(response).worksheets[0]
    for cell in (sheet.cell(2, NAME + 1), sheet.cell(2, 16)):
        assert cell.data_type == "s"
        assert cell.value == text[:50] if cell.column == NAME + 1 else cell.value == text
        assert cell.quotePrefix  # stays text when the cell is edited
    raw = io.BytesIO(response.data)
    import zipfile

    sheet_xml = zipfile.ZipFile(raw).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml


def test_chinese_headers_sheets_dates_labels_and_file_name(login_as, db_session, two_sides):
    client = login_as("liaison_hankou")
    response = client.get(
        "/cases/export?_flt_0_received_at=2026-10-01&_flt_1_received_at=2026-10-31"
    )
    book = workbook(response)
    assert book.sheetnames == ["服务诉求", "导出说明"]
    rows = data_rows(book)
    first = book.worksheets[0]
    received = first.cell(2, RECEIVED + 1)
    assert isinstance(received.value, datetime)
    assert received.number_format == "yyyy-mm-dd hh:mm"
    assert all(row[STATUS] == "待签收" for row in rows if row[NUMBER] in two_sides["hankou"])
    assert {row[3] for row in rows} <= {"政务渠道", "公司渠道"}
    assert download_name(response) == "服务诉求_汉口分公司_2026-10-01至2026-10-31.xlsx"
    notes = dict(list(book.worksheets[1].iter_rows(values_only=True))[1:])
    assert notes["单位"] == "汉口分公司"
    assert notes["行数"] == len(rows)
    assert "受理时间" in notes["筛选条件"]
    leader = login_as("leader").get(
        f"/cases/export?_flt_0_branch={branch_id(db_session, 'wuchang')}"
    )
    assert download_name(leader) == "服务诉求_武昌分公司_全部日期.xlsx"
    assert download_name(login_as("csd").get("/cases/export")) == "服务诉求_全公司_全部日期.xlsx"


def test_export_of_nothing_goes_back_to_the_list_with_a_message(login_as, db_session):
    client = login_as("liaison_hankou")
    query = "_flt_0_number=SQ1999"
    response = client.get(f"/cases/export?{query}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/list/?{query}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "没有符合筛选条件的诉求，无可导出的数据。" in page


@pytest.mark.parametrize(
    "query",
    [
        "_flt_0_received_at=notaday",
        "_flt_0_branch=abc",
        "_flt_0_branch=99999999999999999999",
        "_flt_99_status=closed",
        "_flt_0_status=%00",
        "_oc_CaseView=content&_od_CaseView=sideways",
        "page_CaseView=-1&psize_CaseView=abc",
    ],
)
def test_malformed_filters_are_ignored_as_on_the_list(login_as, db_session, query):
    """Bad input: never a 500; a filter that cannot be read is ignored, as the list ignores it."""
    client = login_as("leader")
    response = client.get(f"/cases/export?{query}")
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert set(numbers(workbook(response))) == listed(client, query)


def test_export_button_on_the_list_for_those_who_may_export(login_as):
    page = (
        login_as("liaison_hankou").get("/cases/list/?_flt_0_status=closed").get_data(as_text=True)
    )
    assert 'id="export-cases"' in page
    assert "/cases/export?_flt_0_status=closed" in page
    assert "导出电子表格" in page
    assert 'id="export-cases"' not in login_as("agent").get("/cases/list/").get_data(as_text=True)
    assert login_as("agent").get("/cases/export").status_code == 403


# --- the writer ------------------------------------------------------------------------------


def test_writer_cells_read_back():
    buffer = io.BytesIO()
    with Workbook(buffer) as book:
        sheet = book.add_sheet("诉求[清单]:2026/11", [Column("甲"), Column("乙"), Column("丙")])
        sheet.append(["a<b>&c", 3, datetime(2026, 11, 28, 14, 5)])
        sheet.append(["x\x01y", None, "_x0041_"])
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames == ["诉求_清单__2026_11"]
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[1] == ("a<b>&c", 3, datetime(2026, 11, 28, 14, 5))
    assert rows[2][1] is None
    assert book.worksheets[0].freeze_panes == "A2"
    assert book.worksheets[0].auto_filter.ref == "A1:C3"


# --- the scorecard ---------------------------------------------------------------------------


def test_period_text_reads_and_writes_every_kind():
    today = datetime(2026, 11, 28, 14, 5)
    assert period_text.parse("", today).kind is PeriodKind.MONTH
    for text, kind in (
        ("2026-11", PeriodKind.MONTH),
        ("2026-Q4", PeriodKind.QUARTER),
        ("2026", PeriodKind.YEAR),
        ("2026-11-01~2026-11-28", PeriodKind.CUSTOM),
    ):
        period = period_text.parse(text, today)
        assert period.kind is kind
        assert period_text.parse(period_text.text(period), today) == period
    for bad in (
        "2026-13",
        "2026-Q5",
        "1999",
        "2026-11-30~2026-11-01",
        "abc",
        "2026-02-30~2026-03-01",
    ):
        with pytest.raises(PeriodError):
            period_text.parse(bad, today)


def _scorecard(client, period="2026-10"):
    response = client.get(f"/exports/scorecard.xlsx?period={period}")
    book = workbook(response)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    return response, book, rows


def test_scorecard_of_a_branch_holds_its_own_units_only(login_as, db_session, two_sides):
    """A liaison's scorecard: 汉口 and its sub-units, never 武昌, whatever the URL says."""
    response, book, rows = _scorecard(login_as("liaison_hankou"))
    assert rows[0][:2] == ("名次", "承办单位")
    assert rows[0][2:] == (
        "受理量",
        "及时签收率",
        "按时办结率",
        "回访率",
        "满意率",
        "重办率",
        "退单率",
        "延期率",
        "超期件数",
        "重复诉求数",
        "一般有效投诉",
        "重大有效投诉",
    )
    units = [row[1] for row in rows[1:]]
    assert "汉口分公司" in units and units[-1] == "合计"
    assert not any("武昌" in unit for unit in units)
    hankou = next(row for row in rows[1:] if row[1] == "汉口分公司")
    assert hankou[0] == 1 and hankou[2] == 2  # the two cases of October dispatched to 汉口
    assert hankou[6] == "—"  # no case of 汉口 was closed in October: no satisfaction rate
    assert download_name(response) == "考核指标排名_汉口分公司_2026年10月.xlsx"
    assert book.sheetnames == ["考核指标排名", "导出说明"]
    for query in (f"&branch={branch_id(db_session, 'wuchang')}", "&_flt_0_branch=1"):
        other = login_as("liaison_hankou").get(f"/exports/scorecard.xlsx?period=2026-10{query}")
        assert not any("武昌" in str(row[1]) for row in data_rows_plain(other))


def data_rows_plain(response):
    return list(workbook(response).worksheets[0].iter_rows(values_only=True))


def test_scorecard_company_wide_for_the_leader(login_as, two_sides):
    _, _, rows = _scorecard(login_as("leader"), "2026-Q4")
    units = [row[1] for row in rows[1:]]
    assert "汉口分公司" in units and "武昌分公司" in units
    total = rows[-1]
    assert total[1] == "合计"
    assert total[2] == sum(row[2] for row in rows[1:-1])


def test_scorecard_file_is_the_dashboards_scorecard(login_as, two_sides):
    """Screen and file agree: the export's rows are the dashboard's scorecard table for the
    same period, and so is the scorecard sheet of the dashboard's own export."""
    client = login_as("leader")
    _, _, rows = _scorecard(client, "2026-Q4")
    page = client.get("/dashboards/?period=quarter&year=2026&quarter=4").get_data(as_text=True)
    for row in rows[1:]:
        assert row[1] in page
    assert 'id="dashboard-export"' in page  # the page's own export button
    board = workbook(client.get("/dashboards/export?period=quarter&year=2026&quarter=4"))
    assert list(board["考核指标排名"].iter_rows(values_only=True)) == rows


def test_dashboard_export_follows_the_page_filters_and_scope(login_as, db_session, two_sides):
    """The dashboard's export: a sheet a table, the page's filters, the reader's units only
    (another unit's is refused as on the page), a Chinese file name with period and unit."""
    response = login_as("liaison_hankou").get("/dashboards/export?year=2026&month=10")
    book = workbook(response)
    assert download_name(response) == "数据看板_汉口分公司_2026年10月.xlsx"
    assert "考核指标排名" in book.sheetnames and book.sheetnames[-1] == "导出说明"
    text = " ".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
    )
    assert "汉口分公司" in text and "武昌" not in text
    wuchang = branch_id(db_session, "wuchang")
    refused = login_as("liaison_hankou").get(f"/dashboards/export?unit={wuchang}")
    assert refused.status_code == 403
    assert refused.mimetype == "text/html"
    assert login_as("agent").get("/dashboards/export").status_code == 403


@pytest.mark.parametrize("period", ["2026-13", "2026-11-30~2026-11-01", "x", "9999"])
def test_scorecard_bad_period_is_a_chinese_message(login_as, period):
    client = login_as("leader")
    response = client.get(f"/exports/scorecard.xlsx?period={period}")
    assert response.status_code == 302
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert re.search(r"统计期间|请选择", page)


def test_scorecard_needs_the_dashboard_export_permission(login_as):
    assert login_as("agent").get("/exports/scorecard.xlsx").status_code == 403
    assert login_as("risk").get("/exports/scorecard.xlsx").status_code == 403


def test_more_cases_than_a_worksheet_holds_are_cut_with_a_note(login_as, db_session, monkeypatch):
    """A worksheet holds 1,048,575 cases under its header: beyond, the export stops there and
    its notes say so (here with a limit of 3)."""
    from app.services import case_export

    monkeypatch.setattr(case_export, "MAX_ROWS", 3)
    book = workbook(login_as("csd").get("/cases/export"))
    assert len(data_rows(book)) == 3
    notes = dict(list(book.worksheets[1].iter_rows(values_only=True))[1:])
    assert notes["行数"] == 3
    assert notes["未导出"] == "一个工作表只能容纳前 3 条诉求，其余未导出，请缩小筛选范围。"
