"""A fuzzer over the served OpenAPI document beside schemathesis (tests/test_api_schemathesis.py):
hypothesis draws the bodies from the document's own schemas, and arbitrary JSON, path and query
values beside them: no answer is a 5xx, every error is the JSON {status, code, message}."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api_helpers import bearer, system_token

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=10,
)
SEGMENT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#%"), max_size=25
)


def from_schema(schema):
    """Bodies from the document's object schema: every required property, any optional ones,
    each drawn from its declared type and length (and past the length, to probe the limit)."""

    def value(prop):
        if prop.get("type") == "boolean":
            return st.booleans()
        limit = prop.get("maxLength", 40)
        return st.text(min_size=1, max_size=limit) | st.text(min_size=limit, max_size=limit + 3)

    props = schema["properties"]
    required = {name: value(props[name]) for name in schema.get("required", [])}
    optional = {name: value(p) for name, p in props.items() if name not in required}
    return st.fixed_dictionaries(required, optional=optional)


def _resolve(document, schema):
    ref = schema.get("$ref")
    return document["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else schema


def _operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            body = operation.get("requestBody")
            schema = None
            if body:
                schema = _resolve(document, body["content"]["application/json"]["schema"])
            yield path, method.upper(), schema, operation.get("parameters", [])


def _check(response):
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code >= 400:
        body = response.get_json()
        assert body["status"] == response.status_code and body["code"] and body["message"]


@pytest.fixture
def fuzz_env(app, db_session):
    token = system_token(db_session)[2]
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    return app.test_client(), bearer(token), document


def test_fuzz_every_operation_of_the_document_answers_without_a_server_error(fuzz_env):
    client, headers, document = fuzz_env
    for path, method, schema, parameters in _operations(document):
        body_strategy = (from_schema(schema) | ANY_JSON) if schema else st.none()
        query_names = [p["name"] for p in parameters if p["in"] == "query"]

        _fuzz(client, headers, path, method, body_strategy, query_names)()


def _fuzz(client, headers, path, method, body_strategy, query_names):
    @SETTINGS
    @given(
        body=body_strategy,
        number=SEGMENT,
        query=st.dictionaries(st.sampled_from(query_names or ["x"]), st.text(max_size=8)),
    )
    def run(body, number, query):
        url = path.replace("{number}", number or "SQ1")
        kwargs = {"headers": headers, "query_string": query}
        if body is not None:
            kwargs["data"] = json.dumps(body)
            kwargs["content_type"] = "application/json"
        _check(client.open(url, method=method, **kwargs))

    return run


def test_fuzz_without_a_token_every_operation_is_a_json_401(fuzz_env):
    client, _headers, document = fuzz_env
    for path, method, _schema, _parameters in _operations(document):
        response = client.open(path.replace("{number}", "SQ1"), method=method, json={})
        _check(response)
        assert response.status_code == 401
