"""Case attachments: checked on the way in, stored outside the web root under generated names,
served only to users who may see the case (fab-pitfalls: FAB's download serves any file)."""

from __future__ import annotations

import os
import unicodedata
import uuid
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from app.domain.clock import now as clock_now
from app.domain.i18n import _l
from app.domain.lifecycle import OPEN_STATUSES, STATUS_LABELS, CaseStatus
from app.domain.uploads import AttachmentRejectedError, check_attachment
from app.models import Attachment
from app.services.actor import Actor
from app.services.case_events import case_event
from app.services.case_permissions import load_visible_case, role_actions
from app.services.errors import OutOfScopeError, PermissionDeniedError
from app.services.privacy import attachment_visible
from app.services.private_files import write_private_file
from app.services.uow import transaction

HEAD_BYTES = 16
DOWNLOAD_ATTACHMENTS = "export.attachments"  # the capability (app.domain.capabilities)


def clean_name(filename: str) -> str:
    """Keep the original name (Chinese included), minus any path and control characters."""
    name = os.path.basename((filename or "").replace("\\", "/")).strip()
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    return name[:200] or "附件"


@transaction()
def add_attachment(
    session: Session,
    actor: Actor,
    case_id: int,
    filename: str,
    stream,
    upload_folder: str,
    max_bytes: int,
    note: str | None = None,
    now: datetime | None = None,
) -> Attachment:
    case = load_visible_case(session, actor, case_id)
    if not may_attach(actor, case):
        if is_finished(case):
            raise PermissionDeniedError(
                _l("The case is “%(status)s”: files can no longer be added to it (Art.31)."),
                status=STATUS_LABELS[CaseStatus(case.status)],
            )
        raise PermissionDeniedError(
            _l("Files can be added to open cases by those who work on them.")
        )
    data = stream.read(max_bytes + 1)
    name = clean_name(filename)
    extension, content_type = check_attachment(name, data[:HEAD_BYTES], len(data), max_bytes)
    stamp = now or clock_now()
    stored = f"{stamp:%Y%m}/{uuid.uuid4().hex}.{extension}"
    target = Path(upload_folder) / stored
    write_private_file(target, data)  # 0700 folders, 0600 file: the service user only
    try:
        event = case_event(
            case,
            "attach",
            actor,
            stamp,
            note=name + (f"：{note.strip()}" if note and note.strip() else ""),
        )
        attachment = Attachment(
            case=case,
            original_name=name,
            stored_name=stored,
            content_type=content_type,
            size=len(data),
            uploaded_by_id=actor.user_id,
            uploaded_at=stamp,
        )
        session.add_all([event, attachment])
        session.flush()
        attachment.event_id = event.id
    except Exception:
        target.unlink(missing_ok=True)  # the transaction rolls back: no orphan file either
        raise
    return attachment


def may_attach(actor: Actor, case) -> bool:
    """Whoever works on cases (any case action) may add evidence to an open case they can see;
    a finished case (closed, closed dissatisfied, voided: not in the lifecycle's open statuses)
    keeps its record as it was finished (Art.31). The upload service refuses by this rule and
    the case page offers the form by it (case_page.CasePage.can_attach)."""
    return bool(role_actions(actor)) and not is_finished(case)


def is_finished(case) -> bool:
    return CaseStatus(case.status) not in OPEN_STATUSES


def attachment_for_download(
    session: Session, actor: Actor, attachment_id: int, upload_folder: str
) -> tuple[Attachment, Path]:
    if not actor.may(DOWNLOAD_ATTACHMENTS):
        raise PermissionDeniedError(_l("Your role may not download the files of cases."))
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise OutOfScopeError(_l("The case does not exist or you may not see it."))
    case = load_visible_case(session, actor, attachment.case_id)  # same rule as the case
    if not attachment_visible(actor, case, attachment):
        raise OutOfScopeError(_l("The case does not exist or you may not see it."))
    path = (Path(upload_folder) / attachment.stored_name).resolve()
    if not path.is_relative_to(Path(upload_folder).resolve()) or not path.exists():
        raise OutOfScopeError(_l("The case does not exist or you may not see it."))
    return attachment, path


__all__ = ["AttachmentRejectedError", "add_attachment", "attachment_for_download"]
