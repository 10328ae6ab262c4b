"""Business time is Asia/Shanghai whatever the host's zone (design §5).

Datetimes are stored naive in Shanghai local time: China has no daylight saving, so a naive
Shanghai timestamp is unambiguous and reads the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    return datetime.now(SHANGHAI).replace(tzinfo=None, microsecond=0)


def format_datetime(value: datetime | None) -> str:
    """``2026-11-28 14:05``: the display format of every timestamp in the portal."""
    return value.strftime("%Y-%m-%d %H:%M") if value else ""
