"""Times are Asia/Shanghai whatever the host's zone, shown as 2026-11-28 14:05 (design §5)."""

from datetime import UTC, datetime

from app.domain import clock


def test_now_is_shanghai_time_without_microseconds():
    utc = datetime.now(UTC).replace(tzinfo=None)
    delta = (clock.now() - utc).total_seconds()
    assert abs(delta - 8 * 3600) < 5
    assert clock.now().microsecond == 0


def test_display_format():
    assert clock.format_datetime(datetime(2026, 11, 28, 14, 5, 59)) == "2026-11-28 14:05"
    assert clock.format_datetime(None) == ""


def test_the_app_runs_fab_timestamps_in_shanghai_time(app):
    import time

    assert time.strftime("%z") == "+0800"
