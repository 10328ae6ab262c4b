"""The one menu label with a count (app.views.menu_labels.CountedLabel): every counted menu
entry reads and caps its count the same way."""

from __future__ import annotations

from app.services.counting import MENU_CAP, MenuCount
from app.views.menu_labels import CountedLabel


def test_a_count_is_shown_in_full_width_brackets_and_capped_at_999_plus(app):
    with app.test_request_context("/"):
        assert str(CountedLabel("a", "待审核通报", lambda: 3)) == "待审核通报（3）"
        assert str(CountedLabel("a", "待审核通报", lambda: MENU_CAP + 1)) == "待审核通报（999+）"
        assert str(CountedLabel("a", "待认定", lambda: MenuCount(5000))) == "待认定（999+）"
        assert str(CountedLabel("a", "待认定", lambda: 0)) == "待认定（0）"


def test_no_count_or_a_hidden_zero_leaves_the_bare_label(app):
    with app.test_request_context("/"):
        assert str(CountedLabel("a", "待录入处理意见", lambda: None)) == "待录入处理意见"
        assert str(CountedLabel("a", "重大事项", lambda: 0, hide_zero=True)) == "重大事项"
        assert str(CountedLabel("a", "重大事项", lambda: 2, hide_zero=True)) == "重大事项（2）"


def test_outside_a_request_the_count_is_not_read():
    def boom():
        raise AssertionError("read outside a request")

    assert str(CountedLabel("a", "待我签收", boom)) == "待我签收"


def test_labels_are_equal_by_key():
    assert CountedLabel(("queue", "x"), "甲", lambda: 1) == CountedLabel(("queue", "x"), "乙", None)
    assert CountedLabel("x", "甲", None) != CountedLabel("y", "甲", None)
    assert len({CountedLabel("x", "甲", None), CountedLabel("x", "乙", None)}) == 1
