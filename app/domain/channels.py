"""Channel categories (渠道类型, Art.7): fixed by the regulation, they drive the workflow.

The administrator may rename a category but never add one or change its code, so the codes
are a closed vocabulary: compare ``Case.channel_category_code`` and ``ChannelCategory.code``
with these members, never with bare strings.
"""

from __future__ import annotations

from enum import StrEnum


class ChannelCategoryCode(StrEnum):
    COMPANY = "company"  # 公司渠道: hotline, windows, field staff … (Art.13-1)
    GOVERNMENT = "government"  # 政务渠道: CSD replies to the government department (Art.13-2)
    ONLINE = "online"  # 网办渠道: "一网通办" platforms, no CSD reply step (Art.13-3)


# Art.35: 政务/网办 cases are called back by the branch (all of them) and spot-checked by CSD;
# 公司渠道 cases are called back mainly through the satisfaction survey.
BRANCH_CALLBACK_CATEGORIES = (ChannelCategoryCode.GOVERNMENT, ChannelCategoryCode.ONLINE)
