"""Which files may be attached to a case (photos, PDFs, call recordings), checked by name and
by content, and how big they may be."""

from __future__ import annotations

from app.domain.errors import DomainError
from app.domain.i18n import _l

# extension -> (content type, magic prefixes)
ALLOWED = {
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "pdf": ("application/pdf", (b"%PDF-",)),
    "mp3": ("audio/mpeg", (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")),
    "wav": ("audio/wav", (b"RIFF",)),
    "amr": ("audio/amr", (b"#!AMR",)),
    "m4a": ("audio/mp4", (b"\x00\x00\x00",)),
}


class AttachmentRejectedError(DomainError):
    pass


def check_attachment(filename: str, head: bytes, size: int, max_bytes: int) -> tuple[str, str]:
    """(extension, content type) of an acceptable file, or AttachmentRejectedError."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in ALLOWED:
        raise AttachmentRejectedError(
            _l(
                "Only photos (JPG, PNG), PDF files and call recordings (MP3, WAV, AMR, M4A) "
                "can be attached."
            )
        )
    if size == 0:
        raise AttachmentRejectedError(_l("The file is empty."))
    if size > max_bytes:
        raise AttachmentRejectedError(
            _l("The file is larger than %(mb)d MB."), mb=max_bytes // (1024 * 1024)
        )
    content_type, magics = ALLOWED[extension]
    if not any(head.startswith(magic) for magic in magics):
        raise AttachmentRejectedError(_l("The file's content does not match its type."))
    return extension, content_type
