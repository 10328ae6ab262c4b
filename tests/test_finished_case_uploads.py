"""A finished case (the lifecycle's final statuses: closed, closed dissatisfied, voided) keeps its
record as it was finished (Art.31): the upload service refuses a file, whoever sends it and
however, and the case page, whose flag comes from the same rule (case_page.can_attach), offers
no upload form. Open cases keep both."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from app.domain.lifecycle import OPEN_STATUSES, CaseStatus
from app.models import Attachment, Case
from app.services.attachments import add_attachment
from app.services.case_page import case_page
from app.services.errors import PermissionDeniedError
from tests.case_helpers import actor, case_in_status
from tests.conftest import csrf_token

PDF = b"%PDF-1.4\n" + b"0" * 100
NOW = datetime(2026, 10, 14, 10, 0)
FINAL = [s for s in CaseStatus if s not in OPEN_STATUSES]


def reach(session, status: CaseStatus) -> Case:
    return case_in_status(session, status, NOW - timedelta(hours=21))


def attachments(session, case) -> int:
    return session.scalar(
        select(func.count()).select_from(Attachment).where(Attachment.case_id == case.id)
    )


def stored_files(app) -> set[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return set(folder.rglob("*")) if folder.exists() else set()


def upload(client, case):
    token = csrf_token(client, f"/cases/show/{case.id}")
    return client.post(
        f"/cases/attach/{case.id}",
        data={"csrf_token": token, "note": "补充材料", "file": (io.BytesIO(PDF), "补充.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_the_final_statuses_are_those_the_lifecycle_stops_the_clock_in():
    assert set(FINAL) == {CaseStatus.CLOSED, CaseStatus.CLOSED_DISSATISFIED, CaseStatus.VOIDED}


@pytest.mark.parametrize("status", FINAL)
@pytest.mark.parametrize("username", ["csd", "liaison_hankou"])
def test_art31_a_finished_case_takes_no_file_and_shows_no_upload_form(
    app, db_session, login_as, status, username
):
    case = reach(db_session, status)
    who = actor(db_session, username)
    assert case_page(db_session, who, case.id, NOW).can_attach is False
    with pytest.raises(PermissionDeniedError) as refused:
        add_attachment(
            db_session,
            who,
            case.id,
            "补充.pdf",
            io.BytesIO(PDF),
            app.config["UPLOAD_FOLDER"],
            10**6,
        )
    assert "不能再添加附件" in str(refused.value)
    client = login_as(username)
    files = stored_files(app)
    html = client.get(f"/cases/show/{case.id}").get_data(as_text=True)
    assert 'id="form-attach"' not in html and "/cases/attach/" not in html
    response = upload(client, case).get_data(as_text=True)
    assert "不能再添加附件" in response
    assert attachments(db_session, case) == 0
    assert stored_files(app) == files  # nothing written either


@pytest.mark.parametrize("status", FINAL)
def test_art31_the_rule_is_the_status_not_a_closing_time(app, db_session, login_as, status):
    """A finished case recorded without a closing time (imported, or older data) is finished
    all the same."""
    case = reach(db_session, status)
    db_session.execute(update(Case).where(Case.id == case.id).values(closed_at=None))
    db_session.commit()
    client = login_as("csd")
    assert 'id="form-attach"' not in client.get(f"/cases/show/{case.id}").get_data(as_text=True)
    assert "不能再添加附件" in upload(client, case).get_data(as_text=True)
    assert attachments(db_session, case) == 0


@pytest.mark.parametrize("status", sorted(OPEN_STATUSES))
def test_an_open_case_offers_the_form_and_takes_the_file(app, db_session, login_as, status):
    case = reach(db_session, status)
    client = login_as("csd")
    assert 'id="form-attach"' in client.get(f"/cases/show/{case.id}").get_data(as_text=True)
    assert "补充.pdf：补充材料" in upload(client, case).get_data(as_text=True)
    assert attachments(db_session, case) == 1
