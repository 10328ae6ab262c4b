"""Evidence files of complaint determinations (the investigation's and the unit's objection):
checked like case attachments, stored outside the web root under generated names with their
original (Chinese) names kept, served only to those who may see the determination."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.i18n import _l
from app.domain.uploads import check_attachment
from app.models import ComplaintDetermination, ComplaintEvidence, ComplaintObjection
from app.services.actor import Actor
from app.services.attachments import HEAD_BYTES, clean_name
from app.services.errors import OutOfScopeError
from app.services.private_files import write_private_file

INVESTIGATION = "investigation"
OBJECTION = "objection"


@dataclass(frozen=True)
class Upload:
    filename: str
    stream: BinaryIO


@dataclass(frozen=True)
class Uploads:
    """The files of one form, with where and how big they may be."""

    files: Sequence[Upload]
    folder: str
    max_bytes: int


NO_UPLOADS = Uploads((), "", 0)


def store(
    session: Session,
    actor: Actor,
    determination: ComplaintDetermination,
    uploads: Uploads,
    purpose: str,
    now: datetime,
    objection: ComplaintObjection | None = None,
) -> list[ComplaintEvidence]:
    """Check every file first (one bad file: none kept), then write them; the caller's
    transaction adds the rows. A file written for a transaction that then fails stays on disk
    unreferenced, never served: see ``discard``."""
    checked = []
    for upload in uploads.files:
        data = upload.stream.read(uploads.max_bytes + 1)
        name = clean_name(upload.filename)
        extension, content_type = check_attachment(
            name, data[:HEAD_BYTES], len(data), uploads.max_bytes
        )
        checked.append((name, extension, content_type, data))
    rows = []
    for name, extension, content_type, data in checked:
        stored = f"complaints/{now:%Y%m}/{uuid.uuid4().hex}.{extension}"
        write_private_file(Path(uploads.folder) / stored, data)  # 0700 folders, 0600 file
        row = ComplaintEvidence(
            determination=determination,
            objection=objection,
            purpose=purpose,
            original_name=name,
            stored_name=stored,
            content_type=content_type,
            size=len(data),
            uploaded_by_id=actor.user_id,
            uploaded_at=now,
        )
        session.add(row)
        rows.append(row)
    return rows


def discard(rows: Sequence[ComplaintEvidence], folder: str) -> None:
    """Remove the files of rows whose transaction failed (no orphan file either)."""
    for row in rows:
        (Path(folder) / row.stored_name).unlink(missing_ok=True)


def count(session: Session, determination_id: int, purpose: str = INVESTIGATION) -> int:
    query = select(func.count()).where(
        ComplaintEvidence.determination_id == determination_id,
        ComplaintEvidence.purpose == purpose,
    )
    return session.scalar(query) or 0


def evidence_of(session: Session, determination_id: int) -> list[ComplaintEvidence]:
    query = (
        select(ComplaintEvidence)
        .where(ComplaintEvidence.determination_id == determination_id)
        .order_by(ComplaintEvidence.id)
    )
    return list(session.scalars(query))


def located(row: ComplaintEvidence, folder: str) -> Path:
    """The file of ``row`` inside the upload folder, or OutOfScopeError."""
    path = (Path(folder) / row.stored_name).resolve()
    if not path.is_relative_to(Path(folder).resolve()) or not path.exists():
        raise OutOfScopeError(_l("The file does not exist or you may not see it."))
    return path
