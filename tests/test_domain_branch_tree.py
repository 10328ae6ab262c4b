"""Branches form a tree; a parent sees its children (design §1); no unit is its own ancestor."""

import pytest

from app.domain.branch_tree import check_new_parent, is_within, path_for, rebase
from app.domain.errors import BranchCycleError


def test_path_of_a_child_extends_its_parent():
    assert path_for(9, "/1/4/") == "/1/4/9/"
    assert path_for(1, None) == "/1/"


def test_descendants_are_within_their_ancestor_but_not_siblings():
    assert is_within("/1/4/9/", "/1/")
    assert is_within("/1/", "/1/")
    assert not is_within("/11/", "/1/")  # the trailing slash keeps 11 out of 1's subtree


@pytest.mark.parametrize(
    ("node", "parent"), [("/1/", "/1/"), ("/1/", "/1/4/"), ("/1/4/", "/1/4/9/")]
)
def test_a_unit_cannot_move_under_itself_or_its_descendants(app, node, parent):
    with app.test_request_context(), pytest.raises(BranchCycleError):
        check_new_parent(node, parent)


def test_moving_under_an_unrelated_unit_is_fine():
    check_new_parent("/1/4/", "/2/")
    check_new_parent(None, "/2/")
    assert rebase("/1/4/9/", "/1/4/", "/2/4/") == "/2/4/9/"
