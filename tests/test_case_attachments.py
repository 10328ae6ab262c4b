"""Attachments (design §2; fab-pitfalls "secure_filename strips Chinese", "download returns any
file"): type and size checked, Chinese names kept, downloads only for users who see the case."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from app.models import Attachment
from tests.case_helpers import act, branch_id, gen_case
from tests.conftest import csrf_token

PDF = b"%PDF-1.4\n" + b"0" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


@pytest.fixture
def hankou_case(db_session):
    case = gen_case(db_session)
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "hankou"))
    return case


def upload(client, case, name, content):
    token = csrf_token(client, f"/cases/show/{case.id}")
    return client.post(
        f"/cases/attach/{case.id}",
        data={"csrf_token": token, "note": "现场照片", "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def count(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(Attachment))


def test_a_chinese_file_name_is_kept_and_only_case_viewers_download_it(
    app, db_session, hankou_case, login_as
):
    client = login_as("liaison_hankou")
    page = upload(client, hankou_case, "现场证据.pdf", PDF).get_data(as_text=True)
    assert "现场证据.pdf" in page
    attachment = db_session.scalar(select(Attachment).where(Attachment.case_id == hankou_case.id))
    assert attachment.original_name == "现场证据.pdf" and attachment.stored_name.endswith(".pdf")
    response = client.get(f"/cases/attachment/{attachment.id}")
    assert response.status_code == 200 and response.data == PDF
    assert f"filename*=UTF-8''{quote('现场证据.pdf')}" in response.headers["Content-Disposition"]
    assert login_as("liaison_wuchang").get(f"/cases/attachment/{attachment.id}").status_code == 404
    assert login_as("csd").get(f"/cases/attachment/{attachment.id}").status_code == 200


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("病毒.exe", b"MZ" + b"0" * 50, "只能上传"),
        ("伪装.pdf", b"MZ" + b"0" * 50, "文件内容与类型不符"),
        ("空.png", b"", "文件为空"),
    ],
)
def test_forbidden_or_fake_files_are_refused(
    app, db_session, hankou_case, login_as, name, content, message
):
    before = count(db_session)
    page = upload(login_as("liaison_hankou"), hankou_case, name, content)
    assert message in page.get_data(as_text=True)
    assert count(db_session) == before


def test_a_too_large_file_is_refused(app, db_session, hankou_case, login_as):
    limit = app.config["SUQIU_MAX_ATTACHMENT_BYTES"]
    before = count(db_session)
    page = upload(login_as("liaison_hankou"), hankou_case, "大图.png", PNG + b"0" * limit)
    assert "文件超过" in page.get_data(as_text=True)
    assert count(db_session) == before


def test_a_photo_upload_is_on_the_timeline(app, db_session, hankou_case, login_as):
    page = upload(login_as("liaison_hankou"), hankou_case, "燃气表.png", PNG)
    assert "燃气表.png：现场照片" in page.get_data(as_text=True)
