"""Chinese labels of case actions, callback results and queues (msgids in English)."""

from app.domain.i18n import _l
from app.domain.lifecycle import STATUS_LABELS  # noqa: F401  (re-exported for templates)

ACTION_LABELS = {
    "register": _l("Registered"),
    "resolve_on_spot": _l("Resolve on the spot"),
    "dispatch": _l("Dispatch"),
    "return_case": _l("Return"),
    "sign_for": _l("Sign for"),
    "assign": _l("Assign"),
    "progress": _l("Record progress"),
    "reply": _l("Reply with the result"),
    "approve": _l("Approve"),
    "reject": _l("Send back"),
    "answer_government": _l("Reply to the government department"),
    "callback": _l("Callback"),
    "remind": _l("Remind"),
    "supervise": _l("Supervise"),
    "request_extension": _l("Request an extension"),
    "decide_extension": _l("Decide the extension"),
    "void": _l("Void"),
    "attach": _l("Attached a file"),
    "reveal_contact": _l("Viewed the contact details"),
    "recompute_deadline": _l("Deadline recomputed"),
    "spot_check": _l("Spot-check callback"),
    # 重复诉求 (app.services.repeats): on the 关联单, and on its 主单.
    "link_repeat": _l("Linked as 关联单"),
    "unlink_repeat": _l("Link to the 主单 undone"),
    "repeat_linked": _l("关联单 linked"),
    "repeat_unlinked": _l("关联单 unlinked"),
}
CALLBACK_LABELS = {
    "satisfied": _l("Satisfied"),
    "basically_satisfied": _l("Basically satisfied"),
    "dissatisfied": _l("Dissatisfied"),
    "unreachable": _l("Unreachable"),
}
QUEUE_LABELS = {
    "to_dispatch": _l("Waiting for my dispatch"),
    "to_sign": _l("Waiting for my sign-for"),
    "to_handle": _l("Waiting for my handling"),
    "to_review": _l("Waiting for my review"),
    "to_callback": _l("Waiting for callback"),
    "due_soon": _l("Due within a day"),
    "overdue": _l("Overdue"),
    "first_contact": _l("Cases I received first"),
}
CHANNEL_CATEGORY_LABELS = {
    "company": _l("Company channel"),
    "government": _l("Government channel"),
    "online": _l("Online channel"),
}
