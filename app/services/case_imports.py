"""Excel import of cases (issue 11 item 3, Art.13): upload → a preview kept server-side (a
``case_import`` row holding the parsed rows) → confirm → every valid row registered in ONE
transaction through ``register_case`` (the same numbers, deadlines, history events and
notifications as a registration by hand), all or nothing.

Idempotency as the API's: one case per (channel, external reference). ``existing_case_id`` is
the one lookup of an earlier case; a row whose reference exists is "已存在，跳过" (not an
error, never a second case); two rows of one file with the same reference give one case and a
row error; a case of the same reference committed meanwhile (an API delivery racing the
import) fails the commit: everything is rolled back and the batch says so.

Progress: the import runs inside the confirming request, in one transaction; its progress
(rows done) goes to a small file under the instance folder through ``progress`` — not to the
database, since the import's own transaction holds SQLite's write lock and its uncommitted rows
are invisible to other connections anyway. The confirm page posts with JavaScript and polls
the progress meanwhile (app/views/case_imports.py); without JavaScript the post simply waits."""

from __future__ import annotations

import hashlib
import io
import json
import secrets
import zipfile
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import IO

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app.domain import case_import as dom
from app.domain.case_import import Field, ImportFileError, Vocabulary
from app.domain.clock import now as clock_now
from app.domain.errors import DomainError
from app.domain.i18n import _l
from app.models import BusinessCategory, CaseImport, CaseKind, Channel
from app.services.actor import Actor
from app.services.case_registration import (
    DuplicateSubmissionError,
    Registration,
    register_case,
    registrable_channels,
)
from app.services.errors import ConflictError, OutOfScopeError, PermissionDeniedError
from app.services.external_refs import existing_case_ids
from app.services.uow import transaction

CAPABILITY = "import.cases"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
PROGRESS_EVERY = 200
XLSX_MAGIC = b"PK\x03\x04"


class BatchStatus(StrEnum):
    PREVIEWED = "previewed"
    IMPORTED = "imported"
    FAILED = "failed"


class RowOutcome(StrEnum):
    VALID = "valid"  # would be imported
    ERROR = "error"
    SKIPPED = "skipped"  # 已存在，跳过
    IMPORTED = "imported"


def _ensure_may(actor: Actor) -> None:
    if not actor.may(CAPABILITY):
        raise PermissionDeniedError(_l("You may not import cases."))


def read_rows(data: bytes, file_name: str, max_bytes: int = DEFAULT_MAX_BYTES) -> list[tuple]:
    """The first worksheet's rows (cell values) of an .xlsx file, or ImportFileError."""
    if len(data) > max_bytes:
        raise ImportFileError(
            _l("The file is larger than %(size)s: please split it."), size=_size(max_bytes)
        )
    if not data:
        raise ImportFileError(_l("The file is empty."))
    lower = file_name.lower()
    if lower.endswith((".xls", ".et", ".csv")) or not data.startswith(XLSX_MAGIC):
        raise ImportFileError(
            _l(
                "This is not an Excel workbook (.xlsx). An older .xls or a .csv file must be "
                "saved as .xlsx first (Excel: 另存为 → Excel 工作簿)."
            )
        )
    import openpyxl  # the app's one reader of workbooks: read-only mode, streamed rows
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(
            _l("The workbook cannot be read (damaged or not an .xlsx file).")
        ) from exc
    try:
        sheet = book.worksheets[0]
        rows: list[tuple] = []
        empty_run = 0
        for row in sheet.iter_rows(values_only=True):
            rows.append(row)
            empty_run = empty_run + 1 if dom.is_blank(row) else 0
            if empty_run >= dom.EMPTY_RUN_STOP:
                break
            if len(rows) > dom.MAX_DATA_ROWS + dom.HEADER_SEARCH_ROWS + dom.EMPTY_RUN_STOP:
                raise ImportFileError(
                    _l("The file has more than %(count)d rows: please split it."),
                    count=dom.MAX_DATA_ROWS,
                )
        return rows
    finally:
        book.close()


def _size(count: int) -> str:
    return f"{count // 1048576} MB" if count >= 1048576 else f"{max(count // 1024, 1)} KB"


def vocabulary(session: Session, actor: Actor) -> Vocabulary:
    """The names a file may give: channels the actor may register from, active kinds and
    business categories, by name and by code."""
    channels = registrable_channels(session, actor)
    kinds = session.scalars(select(CaseKind).where(CaseKind.active.is_(True))).all()
    business = session.scalars(
        select(BusinessCategory).where(BusinessCategory.active.is_(True))
    ).all()

    def names(items) -> dict[str, int]:
        found = {dom.key(i.code): i.id for i in items}
        found.update({dom.key(i.name): i.id for i in items})
        return found

    return Vocabulary(names(channels), names(kinds), names(business))


@transaction()
def preview_import(
    session: Session,
    actor: Actor,
    file_name: str,
    data: bytes,
    *,
    default_channel_id: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    now: datetime | None = None,
) -> CaseImport:
    """Parse and check the file; keep the result as a batch awaiting confirmation. A file that
    cannot be read at all raises ImportFileError (nothing is stored)."""
    _ensure_may(actor)
    now = now or clock_now()
    words = vocabulary(session, actor)
    if default_channel_id is not None and default_channel_id not in set(words.channels.values()):
        default_channel_id = None
    rows = read_rows(data, file_name, max_bytes)
    header = dom.find_header(rows)
    parsed = dom.parse_rows(
        rows[header.data_start :], header, words, now, default_channel_id=default_channel_id
    )
    if not parsed:
        raise ImportFileError(_l("The file has a header but no rows of cases."))
    entries = [_entry(row) for row in parsed]
    _mark_existing(session, entries)
    batch = CaseImport(
        created_by_id=actor.user_id,
        created_at=now,
        file_name=(file_name or "")[-255:],
        sha256=hashlib.sha256(data).hexdigest(),
        status=BatchStatus.PREVIEWED,
        default_channel_id=default_channel_id,
        confirm_key=secrets.token_urlsafe(24),
        rows_json=json.dumps(
            {"ignored": list(header.ignored), "rows": entries}, ensure_ascii=False
        ),
    )
    _count(batch, entries)
    session.add(batch)
    session.flush()
    return batch


def _entry(row: dom.ParsedRow) -> dict:
    values = {
        k: (v.isoformat(sep=" ") if isinstance(v, datetime) else v) for k, v in row.values.items()
    }
    return {
        "row": row.row,
        "values": values,
        "problems": [[p.column, p.message] for p in row.problems],
        "outcome": RowOutcome.VALID if row.valid else RowOutcome.ERROR,
    }


def _key(entry: dict) -> tuple[int, str]:
    return entry["values"][Field.CHANNEL], entry["values"][Field.EXTERNAL_REF]


def _mark_existing(session: Session, entries: list[dict]) -> None:
    """Valid rows whose reference is registered already: 已存在，跳过 (never a second case)."""
    valid = [e for e in entries if e["outcome"] == RowOutcome.VALID]
    found = existing_case_ids(session, [_key(e) for e in valid])
    for entry in valid:
        if _key(entry) in found:
            entry["outcome"], entry["case_id"] = RowOutcome.SKIPPED, found[_key(entry)]


def _count(batch: CaseImport, entries: list[dict]) -> None:
    outcomes = [e["outcome"] for e in entries]
    batch.total_rows = len(entries)
    batch.valid_rows = outcomes.count(RowOutcome.VALID) + outcomes.count(RowOutcome.IMPORTED)
    batch.error_rows = outcomes.count(RowOutcome.ERROR)
    batch.skipped_rows = outcomes.count(RowOutcome.SKIPPED)
    batch.imported_rows = outcomes.count(RowOutcome.IMPORTED)


def load_batch(session: Session, actor: Actor, batch_id: int) -> CaseImport:
    """A batch of the actor's (an administrator sees every batch); another user's is 404."""
    _ensure_may(actor)
    batch = session.get(CaseImport, batch_id)
    if batch is None or (batch.created_by_id != actor.user_id and not actor.is_admin):
        raise OutOfScopeError(_l("No such import."))
    return batch


def batch_rows(batch: CaseImport) -> dict:
    return json.loads(batch.rows_json)


def earlier_imports_of_the_same_file(session: Session, batch: CaseImport) -> list[CaseImport]:
    """Batches that imported the very same file (its SHA-256) before this one."""
    return list(
        session.scalars(
            select(CaseImport)
            .where(
                CaseImport.sha256 == batch.sha256,
                CaseImport.id < batch.id,
                CaseImport.status == BatchStatus.IMPORTED,
            )
            .order_by(CaseImport.id)
        )
    )


def names_by_id(session: Session) -> dict[str, dict[int, str]]:
    """The names of the channels, kinds and business categories, to show a preview's rows."""

    def pairs(id_column, name_column) -> dict[int, str]:
        return {row[0]: row[1] for row in session.execute(select(id_column, name_column))}

    return {
        str(Field.CHANNEL): pairs(Channel.id, Channel.name),
        str(Field.KIND): pairs(CaseKind.id, CaseKind.name),
        str(Field.BUSINESS_CATEGORY): pairs(BusinessCategory.id, BusinessCategory.name),
    }


def recent_batches(session: Session, actor: Actor, limit: int = 20) -> list[CaseImport]:
    _ensure_may(actor)
    query = select(CaseImport).order_by(CaseImport.id.desc()).limit(limit)
    if not actor.is_admin:
        query = query.where(CaseImport.created_by_id == actor.user_id)
    return list(session.scalars(query))


class ImportFailedError(DomainError):
    """Nothing of the batch was imported (the batch records why)."""


def confirm_import(
    session: Session,
    actor: Actor,
    batch_id: int,
    key: str,
    *,
    progress: Callable[[int, int], None] | None = None,
    now: datetime | None = None,
) -> CaseImport:
    """Register every valid row in one transaction. A second confirmation (a double click, a
    resent form) finds the key spent and returns the batch as the first one left it."""
    batch = load_batch(session, actor, batch_id)
    if batch.status != BatchStatus.PREVIEWED:
        return batch
    if not key or not secrets.compare_digest(key, batch.confirm_key or ""):
        raise ConflictError(_l("This import was already confirmed or the page is out of date."))
    now = now or clock_now()
    try:
        imported = _claim_and_import(session, actor, batch_id, key, progress, now)
    except OperationalError as exc:  # SQLite busy beyond its timeout: nothing happened
        raise ConflictError(
            _l("The database was busy. Nothing was imported: please try again.")
        ) from exc
    except (DomainError, IntegrityError) as exc:  # rolled back: nothing was imported
        return _failed(session, batch_id, exc, now)
    if imported is None:  # another confirmation claimed it first
        return load_batch(session, actor, batch_id)
    if progress is not None:
        total = imported.imported_rows or 0
        progress(total, total)
    return imported


@transaction()
def _claim_and_import(session, actor, batch_id, key, progress, now) -> CaseImport | None:
    """Claim the batch and register its valid rows, all in one transaction: of two
    confirmations racing, one changes the batch row, the other none (and gets None); a worker
    killed midway leaves nothing, the batch still awaiting confirmation."""
    claimed = (
        session.query(CaseImport)
        .filter(CaseImport.id == batch_id, CaseImport.confirm_key == key)
        .update({CaseImport.confirm_key: None}, synchronize_session=False)
    )
    if claimed != 1:
        return None
    batch = session.get_one(CaseImport, batch_id)
    content = batch_rows(batch)
    entries = content["rows"]
    _mark_existing(session, entries)  # registered since the preview
    todo = [e for e in entries if e["outcome"] == RowOutcome.VALID]
    _register_rows(session, actor, todo, progress, now)
    batch.status = BatchStatus.IMPORTED
    batch.message = None
    _count(batch, entries)
    batch.finished_at = now
    batch.rows_json = json.dumps(content, ensure_ascii=False)
    session.flush()
    return batch


def _register_rows(session, actor, todo, progress, now) -> None:
    total = len(todo)
    for done, entry in enumerate(todo, start=1):
        values = entry["values"]
        try:
            case = register_case(session, actor, _registration(values), now=now)
        except DuplicateSubmissionError as exc:  # the flush met a concurrent delivery's row
            raise (exc.__cause__ or exc) from None
        except DomainError as exc:  # master data changed since the preview
            raise ImportFailedError(
                _l("Row %(row)d: %(problem)s"), row=entry["row"], problem=str(exc)
            ) from exc
        entry["outcome"], entry["case_id"], entry["number"] = (
            RowOutcome.IMPORTED,
            case.id,
            case.number,
        )
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)


def _registration(values: dict) -> Registration:
    return Registration(
        channel_id=values[Field.CHANNEL],
        kind_id=values[Field.KIND],
        customer_name=values[Field.CUSTOMER_NAME],
        content=values[Field.CONTENT],
        business_category_id=values.get(Field.BUSINESS_CATEGORY),
        customer_phone=values.get(Field.CUSTOMER_PHONE),
        customer_address=values.get(Field.CUSTOMER_ADDRESS),
        gas_account=values.get(Field.GAS_ACCOUNT),
        external_ref=values[Field.EXTERNAL_REF],
        urgent=bool(values.get(Field.URGENT)),
        received_at=datetime.fromisoformat(values[Field.RECEIVED_AT]),
    )


@transaction()
def _failed(session: Session, batch_id: int, exc: Exception, now) -> CaseImport:
    """Nothing was imported: the batch is marked failed with the reason, in a transaction of
    its own (the import's was rolled back)."""
    batch = session.get_one(CaseImport, batch_id)
    if isinstance(exc, IntegrityError):
        reason = str(
            _l(
                "A case with one of these references was registered meanwhile (e.g. delivered "
                "by the API). Nothing was imported: please upload the file again."
            )
        )
    elif isinstance(exc, OperationalError):
        reason = str(_l("The database was busy. Nothing was imported: please try again."))
    else:
        reason = str(exc)
    batch.status = BatchStatus.FAILED
    batch.message = reason
    batch.finished_at = now
    return batch


def write_template(handle: IO[bytes], session: Session, actor: Actor) -> int:
    """The template: the columns under their usual names, and a second sheet of the valid
    values (channels, kinds, business categories) and of the other names each column may have."""
    from app.services.xlsx import Column, Workbook

    _ensure_may(actor)
    channels = registrable_channels(session, actor)
    kinds = session.scalars(
        select(CaseKind).where(CaseKind.active.is_(True)).order_by(CaseKind.sort_order)
    ).all()
    business = session.scalars(
        select(BusinessCategory)
        .where(BusinessCategory.active.is_(True))
        .order_by(BusinessCategory.sort_order)
    ).all()
    with Workbook(handle) as book:
        book.add_sheet(
            str(_l("Cases")), [Column(dom.SYNONYMS[f][0], _width(f)) for f in dom.TEMPLATE_FIELDS]
        )
        sheet = book.add_sheet(
            str(_l("Valid values")),
            [
                Column(str(_l("Source channel")), 18),
                Column(str(_l("Kind")), 12),
                Column(str(_l("Business category")), 14),
                Column(str(_l("Urgency")), 10),
                Column(str(_l("Column")), 12),
                Column(str(_l("Required")), 8),
                Column(str(_l("Also accepted as header")), 50),
            ],
        )
        lists = [
            [c.name for c in channels],
            [k.name for k in kinds],
            [b.name for b in business],
            ["紧急", "一般"],
        ]
        fields = dom.TEMPLATE_FIELDS
        for index in range(max(len(fields), *(len(x) for x in lists))):
            cells = [x[index] if index < len(x) else None for x in lists]
            if index < len(fields):
                which = fields[index]
                cells += [
                    dom.SYNONYMS[which][0],
                    str(_l("yes")) if which in dom.REQUIRED else "",
                    "、".join(dom.SYNONYMS[which][1:]),
                ]
            sheet.append(cells)
    return 1


def _width(which: Field) -> float:
    return {Field.CONTENT: 50, Field.CUSTOMER_ADDRESS: 30, Field.RECEIVED_AT: 18}.get(which, 14)
