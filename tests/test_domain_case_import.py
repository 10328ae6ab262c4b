"""Reading a platform's export as a person would (issue 11 item 3, Art.13): header synonyms,
a title row, merged and two-row headers, Excel serial dates, dates as text, full-width digits,
blank rows; every row problem (row, column, message) in Chinese."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.domain import case_import as dom
from app.domain.case_import import Field, ImportFileError, Vocabulary

NOW = datetime(2026, 11, 29, 10, 0)
WORDS = Vocabulary(
    channels={dom.key("市民热线"): 8, dom.key("citizen_hotline"): 8, dom.key("城市留言板"): 9},
    kinds={dom.key("投诉"): 3, dom.key("咨询"): 1},
    business_categories={dom.key("表具"): 5},
)
HEADER = ("工单编号", "受理时间", "来电人", "联系电话", "诉求内容", "来源渠道", "诉求类型")


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def parse(rows, **kwargs):
    header = dom.find_header(rows)
    return dom.parse_rows(rows[header.data_start :], header, WORDS, NOW, **kwargs)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (46329.5, datetime(2026, 11, 3, 12, 0)),  # an Excel day number, as a number
        (46329.586805555555, datetime(2026, 11, 3, 14, 5)),  # float noise rounds to the second
        ("46329", datetime(2026, 11, 3)),
        (datetime(2026, 11, 3, 14, 5, 7, 123), datetime(2026, 11, 3, 14, 5, 7)),
        ("2026/11/3", datetime(2026, 11, 3)),
        ("2026-11-03 14:05", datetime(2026, 11, 3, 14, 5)),
        ("2026-11-03T14:05:09", datetime(2026, 11, 3, 14, 5, 9)),
        ("2026.11.3 9:05", datetime(2026, 11, 3, 9, 5)),
        ("2026年11月3日 14时05分", datetime(2026, 11, 3, 14, 5)),
        ("2026年11月3日14时05分30秒", datetime(2026, 11, 3, 14, 5, 30)),
        ("２０２６年１１月３日　１４：０５", datetime(2026, 11, 3, 14, 5)),  # full-width
        ("20261103", datetime(2026, 11, 3)),
        ("20261103140500", datetime(2026, 11, 3, 14, 5)),
    ],
)
def test_dates_are_read_as_a_person_means_them(raw, expected):
    assert dom.parse_datetime(raw) == expected


@pytest.mark.parametrize("raw", ["2026-02-30", "昨天下午", "11/3", "-5", "2026-13-01 10:00"])
def test_an_unreadable_date_is_a_chinese_problem(app, raw):
    with app.test_request_context():
        with pytest.raises(dom.UnreadableDateError) as err:
            dom.parse_datetime(raw)
        message = str(err.value)
    assert chinese(message.replace(raw, "")), message


def test_header_synonyms_title_row_and_unknown_columns():
    rows = [
        ("12345市民服务热线工单导出（2026年11月）", None, None, None),
        (),
        ("诉求编号", "来件时间", "诉求人", "问题描述", "工单类型", "备注", "承办人"),
        ("A-1", "2026-11-03 09:00", "张三", "燃气表不走字", "咨询", "x", "y"),
    ]
    header = dom.find_header(rows)
    assert header.data_start == 3
    assert set(header.columns.values()) == {
        Field.EXTERNAL_REF,
        Field.RECEIVED_AT,
        Field.CUSTOMER_NAME,
        Field.CONTENT,
        Field.KIND,
    }
    assert header.ignored == ("备注", "承办人")
    assert header.labels[1] == "B 来件时间"


def test_merged_header_cells_carry_their_text_across():
    """A merged cell (read-only openpyxl: None over its tail) names every column it spans; a
    two-row header names the columns under a merged group title from the lower row, and a cell
    merged down over both rows from the upper row."""
    rows = [
        ("工单编号", "受理时间", "客户信息", None, None, "地址", None, "诉求内容", "诉求类型"),
        (None, None, "姓名", "联系电话", "燃气户号", None, None, None, None),
        (
            "A-1",
            "2026-11-03",
            "张三",
            "13907100001",
            "8800123",
            "江岸区",
            "解放大道1号",
            "漏气",
            "投诉",
        ),
    ]
    header = dom.find_header(rows)
    assert header.data_start == 2
    assert header.columns == {
        0: Field.EXTERNAL_REF,
        1: Field.RECEIVED_AT,
        2: Field.CUSTOMER_NAME,
        3: Field.CUSTOMER_PHONE,
        4: Field.GAS_ACCOUNT,
        5: Field.CUSTOMER_ADDRESS,
        6: Field.CUSTOMER_ADDRESS,
        7: Field.CONTENT,
        8: Field.KIND,
    }
    [row] = dom.parse_rows(rows[2:], header, WORDS, NOW, default_channel_id=8)
    assert row.valid, row.problems
    assert row.values[Field.CUSTOMER_ADDRESS] == "江岸区解放大道1号"


def test_full_width_digits_spaces_and_number_cells():
    rows = [
        HEADER + ("燃气户号",),
        (
            "ＧＤ２０２６１１０３０００１",
            "２０２６－１１－０３　１４：０５",
            "\u3000张三\u3000",
            "１３９ ０７１０ ０００１",
            "燃气表不走字，请上门。",
            "市民热线",
            "投诉",
            8800123.0,
        ),
        (20261103002, 46329.5, "李四", 13907100002, "咨询气价", " 市民热线 ", "咨询", None),
    ]
    first, second = parse(rows)
    assert first.valid and second.valid, (first.problems, second.problems)
    assert first.values[Field.EXTERNAL_REF] == "GD202611030001"
    assert first.values[Field.RECEIVED_AT] == datetime(2026, 11, 3, 14, 5)
    assert first.values[Field.CUSTOMER_NAME] == "张三"
    assert first.values[Field.CUSTOMER_PHONE] == "13907100001"
    assert first.values[Field.CONTENT] == "燃气表不走字，请上门。"  # its punctuation kept
    assert first.values[Field.GAS_ACCOUNT] == "8800123"
    assert first.values[Field.CHANNEL] == 8
    assert second.values[Field.EXTERNAL_REF] == "20261103002"
    assert second.values[Field.CUSTOMER_PHONE] == "13907100002"


def test_blank_rows_are_ignored_and_row_numbers_are_the_sheets():
    rows = [
        ("导出时间：2026-11-29",),
        HEADER,
        ("A-1", "2026-11-03", "张三", None, "内容", "市民热线", "咨询"),
        (None, None, None),
        ("A-2", "2026-11-03", "李四", None, "内容", "市民热线", "咨询"),
        *[(None, "  ", "\u3000")] * 50,
    ]
    parsed = parse(rows)
    assert [r.row for r in parsed] == [3, 5]


def test_a_reference_twice_in_the_file_is_one_case_and_a_row_error(app):
    rows = [
        HEADER,
        ("A-1", "2026-11-03", "张三", None, "内容", "市民热线", "咨询"),
        ("A-1", "2026-11-04", "张三", None, "内容二", "citizen_hotline", "咨询"),
        ("A-1", "2026-11-04", "张三", None, "内容三", "城市留言板", "咨询"),  # another channel
    ]
    with app.test_request_context():
        first, second, third = parse(rows)
    assert first.valid and third.valid
    [problem] = second.problems
    assert (problem.row, problem.column) == (3, "A 工单编号")
    assert "第 2 行" in problem.message and chinese(problem.message)


def test_every_problem_is_reported_with_row_column_and_chinese_message(app):
    rows = [
        HEADER + ("业务类别", "紧急程度", "客户编号"),
        (None, None, None, "12345", None, "微博", "投诉", "抄表", "很急", "1" * 41),
        ("A-2", "2027-01-01", "x" * 51, None, "内容", None, "吐槽", None, None, None),
        (
            "A-3",
            "2020-01-01 08:00",
            "王五",
            "027-1234567",
            "内容",
            "市民热线",
            "投诉",
            "表具",
            "紧急",
            None,
        ),
    ]
    with app.test_request_context():
        parsed = parse(rows)
    found = {(p.row, p.column.split()[0]) for r in parsed for p in r.problems}
    assert found == {
        (2, "A"),  # reference empty
        (2, "B"),  # time of receipt empty
        (2, "C"),  # name empty
        (2, "D"),  # phone
        (2, "E"),  # content empty
        (2, "F"),  # unknown channel
        (2, "H"),  # unknown business category
        (2, "I"),  # urgency
        (2, "J"),  # account too long
        (3, "B"),  # in the future
        (3, "C"),  # name too long
        (3, "F"),  # no channel and none chosen for the file
        (3, "G"),  # unknown kind
        (4, "B"),  # older than a year
        (4, "D"),  # landline with 7 digits
    }
    for row in parsed:
        for problem in row.problems:
            assert chinese(problem.message), problem
    assert parsed[2].values[Field.URGENT] is True


def test_a_file_without_the_required_columns_says_which(app):
    with app.test_request_context():
        with pytest.raises(ImportFileError) as err:
            dom.find_header([("姓名", "电话", "地址", "内容"), ("张三", "1", "x", "y")])
        message = str(err.value)
        assert "工单编号" in message and "受理时间" not in message.split("：")[0]
        with pytest.raises(ImportFileError) as err:
            dom.find_header([("a", "b"), ("c", "d")])
        assert chinese(str(err.value))


def test_a_default_channel_fills_rows_without_one():
    rows = [
        ("工单编号", "受理时间", "来电人", "诉求内容", "诉求类型"),
        ("A-1", "2026-11-03", "张三", "内容", "咨询"),
    ]
    [row] = parse(rows, default_channel_id=9)
    assert row.valid and row.values[Field.CHANNEL] == 9


def test_too_many_rows_is_a_file_error(monkeypatch):
    monkeypatch.setattr(dom, "MAX_DATA_ROWS", 3)
    rows = [HEADER] + [
        (f"A-{i}", "2026-11-03", "张三", None, "内容", "市民热线", "咨询") for i in range(4)
    ]
    with pytest.raises(ImportFileError):
        parse(rows)
