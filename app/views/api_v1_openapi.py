"""The OpenAPI 3.1 document of /api/v1, built from the same field declarations the API checks
(app.domain.api_tokens)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.domain.api_tokens import (
    CASE_FIELDS,
    DELIVERY_FIELDS,
    MAX_BATCH_CASES,
    MAX_PAGE,
    SURVEY_FIELDS,
    Operation,
    json_schema,
)

_TIME = {"type": ["string", "null"], "description": "北京时间 YYYY-MM-DDTHH:MM:SS"}
_STATUS = {
    "type": "object",
    "required": ["code", "label"],
    "properties": {"code": {"type": "string"}, "label": {"type": "string"}},
}
_SUMMARY = {
    "type": "object",
    "required": ["number", "channel", "status", "received_at", "finish_due"],
    "properties": {
        "number": {"type": "string", "description": "工单编号"},
        "channel": {"type": "string"},
        "external_ref": {"type": ["string", "null"]},
        "status": _STATUS,
        "received_at": _TIME,
        "sign_due": _TIME,
        "finish_due": _TIME,
        "due_provisional": {"type": "boolean"},
        "overdue": {"type": "boolean"},
        "closed_at": _TIME,
    },
}
_ERROR = {
    "type": "object",
    "required": ["status", "code", "message"],
    "properties": {
        "status": {"type": "integer"},
        "code": {"type": "string"},
        "message": {"type": "string", "description": "中文说明"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}
ERROR_STATUSES = {
    "400": "请求体不是合法的 JSON",
    "401": "缺少、无效或已吊销的令牌",
    "403": "令牌不允许此操作或渠道",
    "404": "工单不存在或不可见",
    "409": "状态冲突",
    "413": "请求体过大",
    "415": "请求体须为 application/json",
    "422": "字段校验失败 (fields 逐项说明)",
    "429": "调用过于频繁",
}


def _errors(*codes: str) -> dict:
    return {
        code: {
            "description": ERROR_STATUSES[code],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for code in codes
    }


def _json(schema_ref: str, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}},
    }


def _body(schema_ref: str, required: bool = True) -> dict:
    return {
        "required": required,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}},
    }


_NUMBER = {
    "name": "number",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "maxLength": 20},
    "description": "工单编号 (SQ + 日期 + 4 位序号)",
}
_LIMIT = {
    "name": "limit",
    "in": "query",
    "required": False,
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 100},
}


def openapi_document(vocabulary: Mapping[str, Sequence[str]] | None = None) -> dict:
    """The document; ``vocabulary``: the codes each coded field of a new case may take today
    (app.services.api_intake.vocabulary), given as enums."""
    document = _document()
    properties = document["components"]["schemas"]["CaseCreate"]["properties"]
    for name, codes in (vocabulary or {}).items():
        if codes:
            properties[name] = {**properties[name], "enum": list(codes)}
    return document


def _document() -> dict:
    ops = ", ".join(op.value for op in Operation)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "诉求管理平台 外部系统接口",
            "version": "1.0.0",
            "description": (
                "供数字客服系统、政务渠道与武天智慧政务服务平台调用 (Art.13)。"
                "以管理员签发的接口令牌认证: Authorization: Bearer <token>。"
                f"令牌限定渠道与操作 ({ops})。"
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/cases": {
                "post": {
                    "operationId": "createCase",
                    "summary": "登记外部系统转来的诉求 (按渠道+外部编号幂等)",
                    "requestBody": _body("CaseCreate"),
                    "responses": {
                        "201": _json("CaseSummary", "已登记"),
                        "200": _json("CaseSummary", "同一渠道与外部编号的工单已存在, 返回原工单"),
                        **_errors("400", "401", "403", "413", "415", "422", "429"),
                    },
                }
            },
            "/api/v1/cases/batch": {
                "post": {
                    "operationId": "createCases",
                    "summary": (
                        f"成批登记 (至多 {MAX_BATCH_CASES} 件): 每件按单件接口的规则幂等, "
                        "逐件回答 (201 已登记, 200 已存在, 403/422 拒绝), 新工单一次提交"
                    ),
                    "requestBody": _body("CaseBatch"),
                    "responses": {
                        "200": _json(
                            "CaseBatchResult",
                            "逐件结果, 与请求顺序相同: status 同单件接口; "
                            "成功附 case, 拒绝附 code、message、fields",
                        ),
                        **_errors("400", "401", "403", "409", "413", "415", "422", "429"),
                    },
                }
            },
            "/api/v1/cases/{number}": {
                "get": {
                    "operationId": "getCase",
                    "summary": "工单状态、时限与处理过程",
                    "parameters": [_NUMBER],
                    "responses": {
                        "200": _json("CaseStatus", "工单"),
                        **_errors("401", "403", "404", "429"),
                    },
                }
            },
            "/api/v1/cases/{number}/survey": {
                "post": {
                    "operationId": "postSurvey",
                    "summary": "公司渠道满意度回访结果 (Art.35)",
                    "parameters": [_NUMBER],
                    "requestBody": _body("Survey"),
                    "responses": {
                        "200": _json("CaseSummary", "已记录"),
                        **_errors("400", "401", "403", "404", "409", "413", "415", "422", "429"),
                    },
                }
            },
            "/api/v1/government-replies": {
                "get": {
                    "operationId": "listGovernmentReplies",
                    "summary": "待回复政务部门的工单及客服部审核通过的答复 (Art.13)",
                    "parameters": [_LIMIT],
                    "responses": {
                        "200": _json("GovernmentReplies", "待送达的答复"),
                        **_errors("401", "403", "422", "429"),
                    },
                }
            },
            "/api/v1/cases/{number}/government-reply/delivered": {
                "post": {
                    "operationId": "markGovernmentReplyDelivered",
                    "summary": "确认答复已送达政务部门",
                    "parameters": [_NUMBER],
                    "requestBody": _body("Delivery", required=False),
                    "responses": {
                        "200": _json("CaseSummary", "已确认"),
                        **_errors("400", "401", "403", "404", "409", "413", "415", "422", "429"),
                    },
                }
            },
            "/api/v1/changes": {
                "get": {
                    "operationId": "listChanges",
                    "summary": "游标之后的变更 (按事件编号分页)",
                    "parameters": [
                        {
                            "name": "cursor",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer", "minimum": 0, "default": 0},
                        },
                        _LIMIT,
                    ],
                    "responses": {
                        "200": _json("Changes", "变更"),
                        **_errors("401", "403", "422", "429"),
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": _ERROR,
                "CaseCreate": json_schema(CASE_FIELDS),
                "CaseBatch": {
                    "type": "object",
                    "required": ["cases"],
                    "additionalProperties": False,
                    "properties": {
                        "cases": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": MAX_BATCH_CASES,
                            "items": {"$ref": "#/components/schemas/CaseCreate"},
                        }
                    },
                },
                "CaseBatchResult": {
                    "type": "object",
                    "required": ["items"],
                    "properties": {
                        "items": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["status"],
                                "properties": {
                                    **_ERROR["properties"],
                                    "created": {"type": "boolean"},
                                    "case": {"$ref": "#/components/schemas/CaseSummary"},
                                },
                            },
                        }
                    },
                },
                "Survey": json_schema(SURVEY_FIELDS),
                "Delivery": json_schema(DELIVERY_FIELDS),
                "CaseSummary": {
                    **_SUMMARY,
                    "properties": {
                        **_SUMMARY["properties"],
                        "created": {"type": "boolean"},
                        "changed": {"type": "boolean"},
                    },
                },
                "CaseStatus": {
                    **_SUMMARY,
                    "properties": {
                        **_SUMMARY["properties"],
                        "timeline": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "id": {"type": "integer"},
                                    "at": _TIME,
                                    "action": {"type": "string"},
                                    "action_label": {"type": "string"},
                                    "from_status": {"type": ["string", "null"]},
                                    "to_status": {"type": ["string", "null"]},
                                },
                            },
                        },
                    },
                },
                "GovernmentReplies": {
                    "type": "object",
                    "properties": {
                        "items": {
                            "type": "array",
                            "items": {
                                **_SUMMARY,
                                "properties": {
                                    **_SUMMARY["properties"],
                                    "reply": {"type": "string"},
                                },
                            },
                        }
                    },
                },
                "Changes": {
                    "type": "object",
                    "required": ["items", "next_cursor"],
                    "properties": {
                        "next_cursor": {"type": "integer"},
                        "items": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "event_id": {"type": "integer"},
                                    "case_number": {"type": "string"},
                                    "external_ref": {"type": ["string", "null"]},
                                    "at": _TIME,
                                    "action": {"type": "string"},
                                    "action_label": {"type": "string"},
                                    "to_status": {"type": ["string", "null"]},
                                    "case_status": {"type": "string"},
                                },
                            },
                        },
                    },
                },
            },
        },
    }
