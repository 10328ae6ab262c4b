"""Reading a batch of cases from a worksheet as government platforms export them (Art.13),
as a person would read it: the header row found among the first rows under any of the names
platforms use (a title row above it, merged header cells, a two-row header), Excel serial
dates and dates written as text, full-width digits and spaces, blank rows ignored. Each row
gives either a registration's fields or its problems: (row, column, message) in Chinese.

Pure: the caller passes the rows (tuples of cell values), the vocabularies (channel, kind and
business-category names → id) and ``now``."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from app.domain.errors import DomainError, InvalidPhoneError
from app.domain.i18n import _l
from app.domain.phone import normalise_phone
from app.domain.registration import ImplausibleReceiptTimeError, check_receipt_time

HEADER_SEARCH_ROWS = 10  # the header is among the first rows (a title row may come first)
MAX_DATA_ROWS = 20_000
EMPTY_RUN_STOP = 1_000  # a sheet "used" far below its data by formatting: stop reading
MAX_TEXT = {"external_ref": 60, "customer_name": 50, "gas_account": 40, "customer_address": 200}


class Field(StrEnum):
    EXTERNAL_REF = "external_ref"
    RECEIVED_AT = "received_at"
    CUSTOMER_NAME = "customer_name"
    CUSTOMER_PHONE = "customer_phone"
    CONTENT = "content"
    CHANNEL = "channel"
    KIND = "kind"
    BUSINESS_CATEGORY = "business_category"
    CUSTOMER_ADDRESS = "customer_address"
    GAS_ACCOUNT = "gas_account"
    URGENT = "urgent"


# The template's header (first name) and the names platforms write for the same column.
SYNONYMS: dict[Field, tuple[str, ...]] = {
    Field.EXTERNAL_REF: (
        "工单编号",
        "诉求编号",
        "工单号",
        "受理编号",
        "来电编号",
        "外部编号",
        "平台工单号",
        "编号",
    ),
    Field.RECEIVED_AT: (
        "来电时间",
        "受理时间",
        "登记时间",
        "来件时间",
        "交办时间",
        "派单时间",
        "创建时间",
        "诉求时间",
    ),
    Field.CUSTOMER_NAME: ("客户姓名", "来电人", "联系人", "诉求人", "反映人", "姓名", "市民姓名"),
    Field.CUSTOMER_PHONE: (
        "联系电话",
        "来电号码",
        "联系方式",
        "电话",
        "手机号码",
        "手机",
        "电话号码",
    ),
    Field.CONTENT: ("诉求内容", "来电内容", "问题描述", "诉求描述", "工单内容", "反映内容", "内容"),
    Field.CHANNEL: ("来源渠道", "渠道", "来源", "诉求来源"),
    Field.KIND: ("诉求类型", "工单类型", "类型", "诉求类别", "来电类型"),
    Field.BUSINESS_CATEGORY: ("业务类别", "业务类型", "业务分类"),
    Field.CUSTOMER_ADDRESS: ("地址", "诉求地址", "事发地址", "联系地址", "用户地址", "详细地址"),
    Field.GAS_ACCOUNT: ("燃气户号", "户号", "用户编号", "客户编号", "燃气用户号"),
    Field.URGENT: ("紧急程度", "是否紧急", "缓急程度"),
}
REQUIRED = (Field.EXTERNAL_REF, Field.RECEIVED_AT, Field.CUSTOMER_NAME, Field.CONTENT, Field.KIND)
TEMPLATE_FIELDS = tuple(SYNONYMS)
# Joined when a merged header spans several columns (区 + 详细地址); the others take the first.
_JOINED = {Field.CONTENT: "\n", Field.CUSTOMER_ADDRESS: ""}
_URGENT_WORDS = {"紧急", "是", "急", "特急", "加急", "y", "yes", "true", "1"}
_NOT_URGENT_WORDS = {"", "一般", "否", "普通", "不紧急", "n", "no", "false", "0"}

_EPOCH = datetime(1899, 12, 30)
_SERIAL_RANGE = (1.0, 2_958_465.0)  # 1900-01-01 … 9999-12-31
_DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
    r"(?:[\sTt]*(\d{1,2})\s*[:时點点]\s*(\d{1,2})\s*(?:[:分]\s*(?:(\d{1,2})(?:\.\d+)?\s*秒?)?)?)?$"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?$")
_SPACES = re.compile(r"\s+")


class ImportFileError(DomainError):
    """The file as a whole cannot be read (not a workbook, no recognisable header, too big)."""


@dataclass(frozen=True)
class RowProblem:
    row: int  # the row number as the spreadsheet shows it
    column: str  # "C 来电时间": the column's letter and its header as written in the file
    message: str


@dataclass(frozen=True)
class Vocabulary:
    """Names (as a person writes them, see ``key``) → ids of the active master data."""

    channels: Mapping[str, int]
    kinds: Mapping[str, int]
    business_categories: Mapping[str, int]


@dataclass
class ParsedRow:
    row: int
    values: dict[str, object] = field(default_factory=dict)  # Field value → parsed value
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class HeaderMap:
    data_start: int  # index (0-based) of the first data row
    columns: dict[int, Field]  # column index → field
    labels: dict[int, str]  # column index → "C 来电时间"
    ignored: tuple[str, ...]  # headers of the file no field takes


def key(text: object) -> str:
    """A name as compared: NFKC (full-width letters, digits, spaces), no spaces, lower case."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(text or ""))).lower()


_FIELD_OF = {key(name): f for f, names in SYNONYMS.items() for name in names}


def column_letter(index: int) -> str:
    name, index = "", index + 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _carried(row: Sequence[object]) -> list[str]:
    """The header texts of a row, a merged cell's text carried across its empty tail (read-only
    openpyxl gives None for the cells a merge covers)."""
    texts, last = [], ""
    for cell in row:
        text = str(cell).strip() if cell is not None else ""
        if text:
            last = text
        texts.append(text or last)
    return texts


def _header_candidate(upper: Sequence[object], lower: Sequence[object] | None) -> list[str]:
    top = _carried(upper)
    if lower is None:
        return top
    bottom = [str(c).strip() if c is not None else "" for c in lower]
    width = max(len(top), len(bottom))
    top += [""] * (width - len(top))
    bottom += [""] * (width - len(bottom))
    # A two-row header: the lower row names the columns under a merged group title; where it
    # is empty, the upper cell (merged down over both rows) names the column.
    return [b if key(b) in _FIELD_OF else (t or b) for t, b in zip(top, bottom, strict=True)]


def find_header(rows: Sequence[Sequence[object]]) -> HeaderMap:
    """The header among the first rows: the single row or pair of rows naming most fields."""

    def score(texts: list[str]) -> int:
        return len({_FIELD_OF[key(t)] for t in texts if key(t) in _FIELD_OF})

    searched = rows[:HEADER_SEARCH_ROWS]
    singles = [_header_candidate(row, None) for row in searched]
    best: tuple[int, int, list[str]] | None = None  # (score, data_start, texts)
    for index, texts in enumerate(singles):
        if best is None or score(texts) > best[0]:
            best = (score(texts), index + 1, texts)
    for index in range(len(searched) - 1):
        texts = _header_candidate(searched[index], searched[index + 1])
        # A two-row header only when it names more than either of its rows alone.
        alone = max(score(singles[index]), score(singles[index + 1]))
        if score(texts) > alone and (best is None or score(texts) > best[0]):
            best = (score(texts), index + 2, texts)
    if best is None or best[0] < 3:
        raise ImportFileError(
            _l(
                "No header row was found: the first rows must name the columns, e.g. "
                "%(names)s. Please use the template."
            ),
            names="、".join(SYNONYMS[f][0] for f in REQUIRED),
        )
    _, start, texts = best
    columns, labels, ignored = {}, {}, []
    for index, text in enumerate(texts):
        found = _FIELD_OF.get(key(text))
        if found is None:
            if text:
                ignored.append(text)
            continue
        columns[index] = found
        labels[index] = f"{column_letter(index)} {text}"
    missing = [f for f in REQUIRED if f not in columns.values()]
    if missing:
        raise ImportFileError(
            _l("The file lacks the columns %(names)s (any of their usual names will do)."),
            names="、".join(SYNONYMS[f][0] for f in missing),
        )
    return HeaderMap(start, columns, labels, tuple(dict.fromkeys(ignored)))


def text_of(value: object) -> str:
    """A cell as text: a whole number without ".0", spaces (full-width too) trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return str(value).replace("\u3000", " ").strip()


def code_of(value: object) -> str:
    """A reference or account number: NFKC (full-width digits), no inner spaces."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text_of(value)))


class UnreadableDateError(DomainError):
    pass


def parse_datetime(value: object) -> datetime:
    """A time of receipt as a person means it: a date cell, an Excel day number (45964.5),
    2026/11/3, 2026-11-03 14:05, 2026年11月3日 14时05分, 20261103, in full-width digits too."""
    if isinstance(value, datetime):
        return value.replace(microsecond=0)
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_serial(float(value))
    text = unicodedata.normalize("NFKC", text_of(value)).strip()
    if not text:
        raise UnreadableDateError(_l("The time of receipt is empty."))
    try:
        return _from_text(text)
    except ValueError:
        pass
    try:
        return _from_serial(float(text))
    except ValueError:
        raise UnreadableDateError(
            _l("“%(value)s” is not a date and time: write e.g. 2026-11-03 14:05."), value=text
        ) from None


def _from_serial(number: float) -> datetime:
    if not _SERIAL_RANGE[0] <= number <= _SERIAL_RANGE[1]:
        raise ValueError(number)
    moment = _EPOCH + timedelta(days=number)
    return (moment + timedelta(seconds=0.5)).replace(microsecond=0)  # Excel's float noise


def _from_text(text: str) -> datetime:
    match = _DATE_TEXT.match(text) or _COMPACT.match(text)
    if not match:
        raise ValueError(text)
    parts = [int(p) if p else 0 for p in match.groups()]
    parts += [0] * (6 - len(parts))
    year, month, day, hour, minute, second = parts
    return datetime(year, month, day, hour, minute, second)  # 2026-02-30 raises ValueError


def parse_urgent(value: object) -> bool | None:
    word = key(text_of(value))
    if word in _URGENT_WORDS:
        return True
    if word in _NOT_URGENT_WORDS:
        return False
    return None


def is_blank(row: Sequence[object]) -> bool:
    return all(text_of(cell) == "" for cell in row)


def parse_rows(
    rows: Iterable[Sequence[object]],
    header: HeaderMap,
    vocabulary: Vocabulary,
    now: datetime,
    *,
    default_channel_id: int | None = None,
) -> list[ParsedRow]:
    """Every non-blank row under the header, parsed and checked; a reference that a row above
    already gave (same channel) is a problem of the later row (one case per reference)."""
    parsed: list[ParsedRow] = []
    seen: dict[tuple[object, str], int] = {}
    empty_run = 0
    for offset, row in enumerate(rows):
        if is_blank(row):
            empty_run += 1
            if empty_run >= EMPTY_RUN_STOP:
                break
            continue
        empty_run = 0
        if len(parsed) >= MAX_DATA_ROWS:
            raise ImportFileError(
                _l("The file has more than %(count)d rows: please split it."),
                count=MAX_DATA_ROWS,
            )
        number = header.data_start + offset + 1
        result = parse_row(number, row, header, vocabulary, now, default_channel_id)
        ref = result.values.get(Field.EXTERNAL_REF)
        if isinstance(ref, str) and ref:
            identity = (result.values.get(Field.CHANNEL), ref)
            if identity in seen:
                result.problems.append(
                    _problem(
                        number,
                        header,
                        Field.EXTERNAL_REF,
                        str(
                            _l(
                                "The same reference as row %(row)d: the case is imported once, "
                                "from row %(row)d."
                            )
                            % {"row": seen[identity]}
                        ),
                    )
                )
            else:
                seen[identity] = number
        parsed.append(result)
    return parsed


def _problem(row: int, header: HeaderMap, which: Field, message: str) -> RowProblem:
    index = next((i for i, f in header.columns.items() if f is which), None)
    label = header.labels[index] if index is not None else str(_l("Source channel"))
    return RowProblem(row, label, message)


def _cells(row: Sequence[object], header: HeaderMap) -> dict[Field, list[object]]:
    cells: dict[Field, list[object]] = {}
    for index, which in header.columns.items():
        value = row[index] if index < len(row) else None
        if text_of(value) != "":
            cells.setdefault(which, []).append(value)
    return cells


def parse_row(
    number: int,
    row: Sequence[object],
    header: HeaderMap,
    vocabulary: Vocabulary,
    now: datetime,
    default_channel_id: int | None = None,
) -> ParsedRow:
    result = ParsedRow(number)
    cells = _cells(row, header)

    def first(which: Field) -> object:
        found = cells.get(which)
        if not found:
            return None
        if which in _JOINED:
            return _JOINED[which].join(text_of(v) for v in found)
        return found[0]

    def problem(which: Field, message) -> None:
        result.problems.append(_problem(number, header, which, str(message)))

    for which in REQUIRED:
        if first(which) is None:
            problem(which, _l("This column is empty."))
    ref = code_of(first(Field.EXTERNAL_REF))
    if ref:
        result.values[Field.EXTERNAL_REF] = ref
    for which in (Field.CUSTOMER_NAME, Field.CONTENT, Field.CUSTOMER_ADDRESS):
        text = text_of(first(which))
        if text:
            result.values[which] = text
    account = code_of(first(Field.GAS_ACCOUNT))
    if account:
        result.values[Field.GAS_ACCOUNT] = account
    for name, limit in MAX_TEXT.items():
        value = result.values.get(Field(name))
        if isinstance(value, str) and len(value) > limit:
            problem(Field(name), _l("Longer than %(n)d characters.") % {"n": limit})
    raw_time = first(Field.RECEIVED_AT)
    if raw_time is not None:
        try:
            received = parse_datetime(raw_time)
            check_receipt_time(received, now)
            result.values[Field.RECEIVED_AT] = received
        except (UnreadableDateError, ImplausibleReceiptTimeError) as exc:
            problem(Field.RECEIVED_AT, exc)
    raw_phone = first(Field.CUSTOMER_PHONE)
    if raw_phone is not None:
        try:
            phone_text = unicodedata.normalize("NFKC", text_of(raw_phone))
            result.values[Field.CUSTOMER_PHONE] = normalise_phone(phone_text)
        except InvalidPhoneError as exc:
            problem(Field.CUSTOMER_PHONE, exc)
    _lookup(result, first(Field.CHANNEL), vocabulary.channels, Field.CHANNEL, problem)
    if Field.CHANNEL not in result.values and first(Field.CHANNEL) is None:
        if default_channel_id is None:
            problem(Field.CHANNEL, _l("No channel: fill the column or choose one for the file."))
        else:
            result.values[Field.CHANNEL] = default_channel_id
    _lookup(result, first(Field.KIND), vocabulary.kinds, Field.KIND, problem)
    _lookup(
        result,
        first(Field.BUSINESS_CATEGORY),
        vocabulary.business_categories,
        Field.BUSINESS_CATEGORY,
        problem,
    )
    raw_urgent = first(Field.URGENT)
    if raw_urgent is not None:
        urgent = parse_urgent(raw_urgent)
        if urgent is None:
            problem(Field.URGENT, _l("Write 紧急 or 一般."))
        else:
            result.values[Field.URGENT] = urgent
    return result


def _lookup(result: ParsedRow, raw, names: Mapping[str, int], which: Field, problem) -> None:
    if raw is None:
        return
    found = names.get(key(raw))
    if found is None:
        problem(
            which,
            _l("“%(value)s” is not one of the valid values (see the template's second sheet).")
            % {"value": text_of(raw)},
        )
    else:
        result.values[which] = found
