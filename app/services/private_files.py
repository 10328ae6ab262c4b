"""Files only the service user may read (issue 6 #19): the instance folder, the SQLite database
with its WAL files, and uploaded attachments hold personal data."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path) -> None:
    """Create ``path`` and any missing parents readable by the service user only (an existing
    folder is left as it is: it may be shared on purpose)."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        os.chmod(folder, PRIVATE_DIR)  # mkdir's mode is subject to the umask


def write_private_file(target: Path, data: bytes) -> None:
    """Write a new file with mode 0600 from its first byte (no window with a wider mode)."""
    private_dir(target.parent)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as stream:
        stream.write(data)


def make_private(path: str) -> None:
    """0600 on a database file and its -wal/-shm companions, when they are ours to change
    (SQLite gives new WAL files the mode of the database file)."""
    for name in (path, f"{path}-wal", f"{path}-shm"):
        try:
            os.chmod(name, PRIVATE_FILE)
        except FileNotFoundError:
            continue
        except PermissionError:  # someone else's file: their permissions, not ours to change
            continue
