"""Branches and subsidiaries form a tree; a parent sees its children (design §1).

Each branch keeps a materialised path (``/1/4/9/``) so "this branch and everything below it" is one
indexed prefix comparison instead of a recursive query.
"""

from __future__ import annotations

from app.domain.errors import BranchCycleError
from app.domain.i18n import _l


def path_for(branch_id: int, parent_path: str | None) -> str:
    return f"{parent_path or '/'}{branch_id}/"


def is_within(path: str, ancestor_path: str) -> bool:
    """True when the node at ``path`` is ``ancestor_path`` itself or one of its descendants."""
    return path.startswith(ancestor_path)


def check_new_parent(node_path: str | None, parent_path: str | None) -> None:
    """A branch may not become its own parent or the child of one of its descendants."""
    if node_path and parent_path and is_within(parent_path, node_path):
        raise BranchCycleError(
            _l("A unit cannot be placed under itself or under one of its own sub-units.")
        )


def rebase(path: str, old_prefix: str, new_prefix: str) -> str:
    """The path of a descendant after its ancestor moved from ``old_prefix`` to ``new_prefix``."""
    return new_prefix + path[len(old_prefix) :]
