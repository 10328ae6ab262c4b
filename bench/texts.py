"""The Chinese texts of the generated data: customers, requests, event notes, notification
titles (as app/services/case_notify.py words them)."""

FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛"]
DISTRICTS = ["江岸区", "江汉区", "硚口区", "武昌区", "洪山区", "青山区", "汉阳区", "东西湖区"]
STREETS = ["解放大道", "中山大道", "建设大道", "中南路", "珞喻路", "和平大道", "鹦鹉大道"]
CONTENT = {
    "consultation": "客户咨询阶梯气价的计算方式及本月气费偏高的原因。",
    "business": "客户申请上门检测燃气表并更换，表具疑似计量异常。",
    "complaint": "客户投诉维修人员未按约定时间上门，多次催促无果。",
    "suggestion": "客户建议在微信公众号增加预约安检的功能。",
    "report": "客户举报小区内有施工队私自开挖，疑似影响燃气管道安全。",
    "praise": "客户表扬维修师傅雨天及时上门，处理细致耐心。",
}

NOTES = {
    "return_case": "不属于本单位辖区，请重新派发。",
    "progress": "已联系客户，安排人员上门处理。",
    "reply": "已上门处理完毕，客户认可处理结果。",
    "reject": "处理结果未说明整改措施，请补充。",
    "answer_government": "已按办理结果答复政务部门。",
    "remind": "请尽快办理。",
    "supervise": "请于期限内办结并报送结果。",
    "request_extension": "需协调管网施工，申请延期。",
    "void": "重复登记，作废。",
    "resolve_on_spot": "已当场答复客户，客户表示清楚。",
}

TITLES = {
    "dispatched": "已派发给您，请签收",
    "assigned": "已分派给您，请办理",
    "returned": "被承办单位退回",
    "rejected": "办理结果被客服部退回",
    "rehandle": "客户不满意，请重办（第二十一条）",
    "closed_unreachable": "联系不上客户，已办结（第二十条）",
    "remind": "客服部催办",
    "supervise": "客服部督办通知",
    "review_due": "承办单位已答复，待客服部审核",
    "government_reply_due": "已审核，待答复政务部门（第十三条）",
    "callback_due": "待回访（第三十五条）",
    "extension_requested": "延期申请，请审批（第三十条）",
    "extension_decided": "延期申请已审批",
    "overdue": "已超期（第三十条）",
    "due_soon": "24小时内到期",
}
