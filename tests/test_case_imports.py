"""Excel import of cases (issue 11 item 3): a workbook as a government platform exports it
(title row, merged two-row header, serial and text dates, full-width digits, a blank formatted
block below the data, bad rows) is previewed with each row's problems in Chinese, and its
valid rows are registered in one transaction on confirmation — as registrations by hand (numbers,
deadlines, history). One case per (channel, reference): a reference already registered is
skipped, a repeated one in the file is a row error; a second confirmation adds nothing; a failed
commit leaves nothing behind. Files that are not workbooks, too big, or without the needed
columns are refused with a clear message."""

from __future__ import annotations

import io
import re
import time
from datetime import datetime, timedelta

import openpyxl
import pytest
from openpyxl.styles import Font
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.domain.clock import now as clock_now
from app.models import Case, CaseEvent, CaseImport, Channel
from app.services import case_imports
from app.services.case_imports import BatchStatus, RowOutcome
from tests.case_helpers import actor, channel_id, gen_case
from tests.conftest import csrf_token
from tests.racing import at_once

BASE = (clock_now() - timedelta(days=3)).replace(hour=0, minute=0, second=0, microsecond=0)


def excel_serial(moment: datetime) -> float:
    return (moment - datetime(1899, 12, 30)).total_seconds() / 86400


def platform_workbook(extra_rows=(), *, blank_block=True) -> bytes:
    """Like a 12345 platform's export: a merged title row, a two-row header with merged group
    cells (客户信息 over 姓名/联系电话, 工单编号 merged down), then the rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "工单列表"
    sheet.append(["市民服务热线工单明细（导出时间 2026-11-28）"])
    sheet.merge_cells("A1:I1")
    sheet.append(
        [
            "工单编号",
            "受理时间",
            "客户信息",
            None,
            "诉求内容",
            "来源",
            "诉求类型",
            "业务类别",
            "地址",
        ]
    )
    sheet.append([None, None, "来电人", "联系电话", None, None, None, None, None])
    for column in "ABEFGHI":
        sheet.merge_cells(f"{column}2:{column}3")
    sheet.merge_cells("C2:D2")
    day = BASE
    rows = [
        # a date cell
        [
            "GD-0001",
            day + timedelta(hours=9, minutes=5),
            "张三",
            "13907100001",
            "燃气表不走字。",
            "市民热线",
            "投诉",
            "表具",
            "江岸区解放大道1号",
        ],
        # an Excel day number without a date format, a phone number as a number
        [
            "GD-0002",
            excel_serial(day + timedelta(hours=14, minutes=30)),
            "李四",
            13907100002,
            "咨询阶梯气价。",
            "市民热线",
            "咨询",
            "气价气费",
            None,
        ],
        # a text date in Chinese, full-width digits in the phone and the reference
        [
            "ＧＤ－０００３",
            f"{day:%Y年%m月%d日} 10时15分",
            "王五",
            "１３９ ０７１０ ０００３",
            "申请开户。",
            "城市留言板",
            "业务办理",
            None,
            "武昌区中北路2号",
        ],
        # bad: a date that is no date, an unknown kind
        ["GD-0004", "前天下午", "赵六", "13907100004", "漏气。", "市民热线", "吐槽", None, None],
        # bad: the same reference as row 4 on the same channel
        [
            "GD-0001",
            f"{day:%Y/%m/%d}",
            "张三",
            "13907100001",
            "又打来了。",
            "市民热线",
            "投诉",
            None,
            None,
        ],
        # bad: an unreachable phone, no content
        ["GD-0006", f"{day:%Y-%m-%d %H:%M}", "孙七", "12345", None, "市民热线", "咨询", None, None],
        *extra_rows,
    ]
    for row in rows:
        sheet.append(row)
    if blank_block:  # formatted but empty cells far below: not rows of cases
        for row in range(20, 60):
            sheet.cell(row=row, column=1).font = Font(bold=True)
            sheet.cell(row=row, column=2).value = "  "
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def count_cases(session) -> int:
    return session.scalar(select(func.count()).select_from(Case))


def upload(client, data: bytes, name="工单导出.xlsx", **form):
    token = csrf_token(client, "/caseimports/")
    return client.post(
        "/caseimports/upload",
        data={"csrf_token": token, "file": (io.BytesIO(data), name), **form},
        content_type="multipart/form-data",
    )


def confirm(client, batch: CaseImport, key: str | None = None):
    token = csrf_token(client, f"/caseimports/{batch.id}")
    return client.post(
        f"/caseimports/{batch.id}/confirm",
        data={"csrf_token": token, "key": batch.confirm_key if key is None else key},
    )


def latest_batch(session) -> CaseImport:
    session.expire_all()
    return session.scalar(select(CaseImport).order_by(CaseImport.id.desc()))


def test_preview_shows_each_problem_then_confirm_registers_the_valid_rows(login_as, db_session):
    client = login_as("csd")
    before = count_cases(db_session)
    response = upload(client, platform_workbook())
    assert response.status_code == 302
    batch = latest_batch(db_session)
    assert batch.status == BatchStatus.PREVIEWED
    assert (batch.total_rows, batch.valid_rows, batch.error_rows, batch.skipped_rows) == (
        6,
        3,
        3,
        0,
    )
    assert count_cases(db_session) == before  # nothing registered before the confirmation

    page = client.get(f"/caseimports/{batch.id}").get_data(as_text=True)
    problems = re.findall(
        r"<tr><td>(\d+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>",
        page[page.index('id="import-problems"') :],
    )
    assert {(row, column) for row, column, _ in problems} == {
        ("7", "B 受理时间"),
        ("7", "G 诉求类型"),
        ("8", "A 工单编号"),
        ("9", "D 联系电话"),
        ("9", "E 诉求内容"),
    }
    assert all(re.search("[\u4e00-\u9fff]", message) for _, _, message in problems)
    assert "与第 4 行的工单编号重复" in page
    assert "导入 3 条有效数据" in page
    every = re.findall(r'<tr class="outcome-(\w+)"><td>(\d+)</td>', page)
    assert every == [
        ("valid", "4"),
        ("valid", "5"),
        ("valid", "6"),
        ("error", "7"),
        ("error", "8"),
        ("error", "9"),
    ]
    assert "2026-" not in page.split('id="import-rows"')[1].split("</tr>")[0]  # the header
    page = client.get(f"/caseimports/{batch.id}?show=error").get_data(as_text=True)
    assert re.findall(r'<tr class="outcome-(\w+)"><td>(\d+)</td>', page) == [
        ("error", "7"),
        ("error", "8"),
        ("error", "9"),
    ]
    assert client.get(f"/caseimports/{batch.id}?show=x&page=-4").status_code == 200

    response = confirm(client, batch)
    assert response.status_code == 302
    batch = latest_batch(db_session)
    assert batch.status == BatchStatus.IMPORTED and batch.imported_rows == 3
    assert count_cases(db_session) == before + 3
    cases = {
        c.external_ref: c
        for c in db_session.scalars(
            select(Case).where(Case.external_ref.in_(["GD-0001", "GD-0002", "GD-0003"]))
        )
    }
    first, second, third = cases["GD-0001"], cases["GD-0002"], cases["GD-0003"]
    assert first.received_at == BASE + timedelta(hours=9, minutes=5)
    assert second.received_at == BASE + timedelta(hours=14, minutes=30)
    assert third.received_at == BASE + timedelta(hours=10, minutes=15)
    assert (second.customer_phone, third.customer_phone) == ("13907100002", "13907100003")
    assert first.business_category.name == "表具" and first.kind.name == "投诉"
    assert third.channel.name == "城市留言板"
    # as a registration by hand: a number, deadlines, the history's register event
    for case in cases.values():
        assert case.number.startswith("SQ") and case.finish_due > case.received_at
        assert db_session.scalar(
            select(func.count()).where(CaseEvent.case_id == case.id, CaseEvent.action == "register")
        )
    page = client.get(f"/caseimports/{batch.id}").get_data(as_text=True)
    for case in cases.values():
        assert f'href="/cases/show/{case.id}"' in page and case.number in page


def test_references_already_registered_are_skipped_and_a_second_confirm_adds_nothing(
    login_as, db_session
):
    existing = gen_case(db_session, received=BASE, now=BASE + timedelta(hours=1))
    existing.external_ref = "GD-0002"
    db_session.commit()
    client = login_as("csd")
    data = platform_workbook()
    upload(client, data)
    batch = latest_batch(db_session)
    assert (batch.valid_rows, batch.skipped_rows) == (2, 1)
    page = client.get(f"/caseimports/{batch.id}").get_data(as_text=True)
    assert "已存在，跳过" in page and f'href="/cases/show/{existing.id}"' in page
    before = count_cases(db_session)
    key = batch.confirm_key
    confirm(client, batch)
    confirm(client, batch, key)  # a double click / a resent form
    assert count_cases(db_session) == before + 2
    assert db_session.scalar(select(func.count()).where(Case.external_ref == "GD-0002")) == 1
    # the same file again: everything valid is already there
    upload(client, data)
    again = latest_batch(db_session)
    assert (again.valid_rows, again.skipped_rows, again.error_rows) == (0, 3, 3)
    page = client.get(f"/caseimports/{again.id}").get_data(as_text=True)
    assert "没有可导入的行" in page and "同一文件已于" in page


def test_a_case_registered_between_preview_and_confirm_is_skipped(login_as, db_session):
    client = login_as("csd")
    upload(client, platform_workbook())
    batch = latest_batch(db_session)
    arrived = gen_case(db_session, received=BASE, now=BASE + timedelta(hours=1))
    arrived.external_ref = "GD-0001"
    db_session.commit()
    before = count_cases(db_session)
    confirm(client, batch)
    batch = latest_batch(db_session)
    assert (batch.imported_rows, batch.skipped_rows) == (2, 1)
    assert count_cases(db_session) == before + 2


def test_nothing_is_written_when_the_import_fails_midway(login_as, db_session, monkeypatch):
    """A concurrent delivery of one of the references (the API's unique index) fails the
    transaction: none of the rows is kept, the batch says why."""
    calls = []
    real = case_imports.register_case

    def racing(session, actor_, data, **kwargs):
        calls.append(data.external_ref)
        if len(calls) == 2:
            raise IntegrityError("INSERT INTO service_case", {}, Exception("unique"))
        return real(session, actor_, data, **kwargs)

    monkeypatch.setattr(case_imports, "register_case", racing)
    client = login_as("csd")
    upload(client, platform_workbook())
    batch = latest_batch(db_session)
    before = count_cases(db_session)
    events = db_session.scalar(select(func.count()).select_from(CaseEvent))
    response = confirm(client, batch)
    assert response.status_code == 302
    batch = latest_batch(db_session)
    assert batch.status == BatchStatus.FAILED and "未导入任何数据" in batch.message
    assert count_cases(db_session) == before
    assert db_session.scalar(select(func.count()).select_from(CaseEvent)) == events
    page = client.get(f"/caseimports/{batch.id}").get_data(as_text=True)
    assert "失败，未导入" in page and 'id="form-confirm"' not in page


def test_a_failing_commit_leaves_nothing(app, db_session, monkeypatch):
    session = db_session
    csd = actor(session, "csd")
    batch = case_imports.preview_import(session, csd, "x.xlsx", platform_workbook())
    before = count_cases(session)
    real_commit, failures = session.commit, []

    def commit():
        if not failures:
            failures.append(1)
            raise IntegrityError("COMMIT", {}, Exception("unique"))
        real_commit()

    monkeypatch.setattr(session, "commit", commit)
    with app.test_request_context():
        result = case_imports.confirm_import(session, csd, batch.id, batch.confirm_key)
        assert result.status == BatchStatus.FAILED
    session.expire_all()
    assert count_cases(session) == before


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "旧格式.xls", "另存为 .xlsx"),
        ("工单编号,受理时间\nA,2026-11-03".encode(), "导出.xlsx", "不是 Excel 工作簿"),
        (b"PK\x03\x04" + b"\0" * 100, "坏文件.xlsx", "无法读取该工作簿"),
        (b"", "空.xlsx", "文件为空"),
    ],
)
def test_files_that_are_not_workbooks_are_refused_in_chinese(
    login_as, db_session, data, name, expected
):
    client = login_as("csd")
    batches = db_session.scalar(select(func.count()).select_from(CaseImport))
    response = upload(client, data, name)
    assert response.status_code == 302
    page = client.get("/caseimports/").get_data(as_text=True)
    assert expected in page
    assert db_session.scalar(select(func.count()).select_from(CaseImport)) == batches


def test_wrong_columns_and_oversized_files_are_refused(app, login_as, db_session):
    book = openpyxl.Workbook()
    book.active.append(["序号", "姓名", "电话", "内容"])
    book.active.append([1, "张三", "13907100001", "漏气"])
    buffer = io.BytesIO()
    book.save(buffer)
    client = login_as("csd")
    upload(client, buffer.getvalue())
    page = client.get("/caseimports/").get_data(as_text=True)
    assert "文件缺少以下列：工单编号、来电时间、诉求类型" in page
    app.config["SUQIU_IMPORT_MAX_BYTES"] = 4096
    try:
        upload(client, platform_workbook())
        page = client.get("/caseimports/").get_data(as_text=True)
        assert "文件超过 4 KB，请拆分后分批导入" in page
    finally:
        app.config.pop("SUQIU_IMPORT_MAX_BYTES")
    assert db_session.scalar(select(func.count()).select_from(CaseImport)) == 0


def test_only_csd_imports_and_a_batch_is_its_uploaders(login_as, db_session):
    liaison = login_as("liaison_hankou")
    assert liaison.get("/caseimports/").status_code == 403
    assert upload_status(liaison) == 403
    assert liaison.get("/caseimports/template.xlsx").status_code == 403
    client = login_as("csd")
    upload(client, platform_workbook())
    batch = latest_batch(db_session)
    other = login_as("csd_head")
    assert other.get(f"/caseimports/{batch.id}").status_code == 404
    assert other.get(f"/caseimports/{batch.id}/progress").status_code == 404
    assert confirm(other, batch).status_code == 404
    assert login_as("admin").get(f"/caseimports/{batch.id}").status_code == 200
    assert latest_batch(db_session).status == BatchStatus.PREVIEWED


def upload_status(client) -> int:
    token = csrf_token(client, "/cases/")
    return client.post(
        "/caseimports/upload",
        data={"csrf_token": token, "file": (io.BytesIO(b"x"), "a.xlsx")},
        content_type="multipart/form-data",
    ).status_code


def test_the_template_lists_columns_and_valid_values_and_reads_back(login_as, db_session):
    client = login_as("csd")
    response = client.get("/caseimports/template.xlsx")
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    cases, values = book.worksheets
    header = [c.value for c in cases[1]]
    assert header[:5] == ["工单编号", "来电时间", "客户姓名", "联系电话", "诉求内容"]
    listed = {c.value for row in values.iter_rows() for c in row if c.value}
    assert {"市民热线", "城市留言板", "投诉", "咨询", "表具", "紧急"} <= listed
    assert "诉求编号、工单号" not in listed
    assert any("诉求编号" in str(v) for v in listed)
    cases.append(
        ["T-1", BASE + timedelta(hours=8), "周八", "027-87654321", "停气咨询", "市民热线", "咨询"]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    upload(client, buffer.getvalue())
    batch = latest_batch(db_session)
    assert (batch.total_rows, batch.valid_rows) == (1, 1)


def test_ten_thousand_rows_with_some_bad_ones(app, db_session, capsys):
    """A large file: every 100th row is bad; the preview and the import are timed."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("工单")
    sheet.append(["工单编号", "受理时间", "来电人", "联系电话", "诉求内容", "诉求类型"])
    for i in range(10_000):
        bad = i % 100 == 7
        sheet.append(
            [
                f"BIG-{i:05d}",
                "不详" if bad else excel_serial(BASE + timedelta(minutes=i % 600)),
                f"客户{i}",
                f"139{i:08d}",
                f"第 {i} 件：燃气表读数异常，请上门核查。",
                "咨询",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    csd = actor(db_session, "csd")
    hotline = db_session.scalar(select(Channel.id).where(Channel.code == "citizen_hotline"))
    started = time.perf_counter()
    batch = case_imports.preview_import(
        db_session, csd, "big.xlsx", buffer.getvalue(), default_channel_id=hotline
    )
    previewed = time.perf_counter() - started
    assert (batch.total_rows, batch.valid_rows, batch.error_rows) == (10_000, 9_900, 100)
    progress = []
    before = count_cases(db_session)
    started = time.perf_counter()
    with app.test_request_context():
        batch = case_imports.confirm_import(
            db_session,
            csd,
            batch.id,
            batch.confirm_key,
            progress=lambda done, total: progress.append(done),
        )
        imported = time.perf_counter() - started
        with capsys.disabled():
            print(f"\n10,000 rows: preview {previewed:.1f} s, import of 9,900 {imported:.1f} s")
        assert batch.status == BatchStatus.IMPORTED and batch.imported_rows == 9_900
        rows = case_imports.batch_rows(batch)["rows"]
    assert count_cases(db_session) == before + 9_900
    assert progress[0] == case_imports.PROGRESS_EVERY and progress[-1] == 9_900
    assert sum(r["outcome"] == RowOutcome.IMPORTED for r in rows) == 9_900


def test_channel_from_the_file_or_the_form(app, db_session):
    csd = actor(db_session, "csd")
    book = openpyxl.Workbook()
    book.active.append(["工单编号", "受理时间", "来电人", "诉求内容", "诉求类型"])
    book.active.append(["C-1", BASE, "张三", "内容", "咨询"])
    buffer = io.BytesIO()
    book.save(buffer)
    with app.test_request_context():
        without = case_imports.preview_import(db_session, csd, "a.xlsx", buffer.getvalue())
        [entry] = case_imports.batch_rows(without)["rows"]
        assert entry["problems"][0][0] == "来源渠道" and entry["outcome"] == RowOutcome.ERROR
        board = channel_id(db_session, "city_message_board")
        chosen = case_imports.preview_import(
            db_session, csd, "a.xlsx", buffer.getvalue(), default_channel_id=board
        )
        [entry] = case_imports.batch_rows(chosen)["rows"]
        assert entry["values"]["channel"] == board and entry["outcome"] == RowOutcome.VALID


def test_two_confirmations_at_once_import_once(app, db_session):
    """Two clicks racing (two workers): one claims the batch's one-time key, the other finds it
    spent and shows the batch as the first left it."""
    csd = actor(db_session, "csd")
    batch = case_imports.preview_import(db_session, csd, "x.xlsx", platform_workbook())
    batch_id, key = batch.id, batch.confirm_key
    before = count_cases(db_session)

    def click(session):
        result = case_imports.confirm_import(session, actor(session, "csd"), batch_id, key)
        return result.status, result.imported_rows

    results = at_once(app, click, click)
    assert results == [(BatchStatus.IMPORTED, 3)] * 2
    db_session.expire_all()
    assert count_cases(db_session) == before + 3


@pytest.mark.parametrize("channel", ["²", "-1", "1.5", "x" * 300, "99999999999999999999"])
def test_a_malformed_default_channel_is_ignored_not_a_server_error(login_as, channel):
    """A channel id that is no plain whole number (a superscript digit passes str.isdigit)
    reads as none chosen: the file is checked as usual, never a 500."""
    response = upload(login_as("csd"), platform_workbook(), channel_id=channel)
    assert response.status_code in (200, 302), response.status_code
