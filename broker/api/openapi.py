"""The OpenAPI 3.1 document of ``/api/v1``, generated from the pydantic models, so the published
schema cannot drift from what the handlers validate."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from broker.api.models import (
    CheckForm,
    CheckResponse,
    EmptyRequest,
    ErrorResponse,
    GrantRequest,
    MandateList,
    MandateOut,
)

CSRF_HEADER = "X-Requested-With"
CSRF_VALUE = "toegang"
_MODELS: list[type[BaseModel]] = [
    GrantRequest,
    EmptyRequest,
    CheckForm,
    ErrorResponse,
    MandateOut,
    MandateList,
    CheckResponse,
]


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(model: type[BaseModel], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(model)}}}


_ERROR_TEXTS = {
    400: "Refused by a mandate rule, an unknown service or an invalid identifier",
    401: "No broker session (log in through the broker first)",
    403: "Missing CSRF header or foreign origin",
    404: "Unknown mandate, or not yours",
    413: "Body larger than 16 KiB",
    415: "Body is not application/json",
    422: "Body does not match the schema (unknown fields are refused)",
}
_NOT_A_PERSON = "The broker session is not a person's (an organisation login)"


def _errors(*codes: int, **texts: str) -> dict[str, Any]:
    """Error responses; ``texts`` (``e403="..."``) replaces the default description."""
    return {
        str(code): _json(ErrorResponse, texts.get(f"e{code}", _ERROR_TEXTS[code])) for code in codes
    }


def _transition(name: str, who: str) -> dict[str, Any]:
    return {
        "post": {
            "summary": f"{name.capitalize()} a mandate ({who})",
            "operationId": f"{name}Mandate",
            "security": [{"session": []}],
            "parameters": [
                {
                    "name": "mandate_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                },
                {"$ref": "#/components/parameters/csrf"},
            ],
            "requestBody": {
                "required": False,
                "content": {"application/json": {"schema": _ref(EmptyRequest)}},
            },
            "responses": {
                "200": _json(MandateOut, "The mandate after the step"),
                **_errors(400, 401, 403, 404, 413, 415, 422),
            },
        }
    }


def openapi_document(server_url: str) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for model in _MODELS:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Stelsel Toegang management API",
            "version": "1.0.0",
            "description": (
                "A logged-in person's own mandates (vrijwillige machtigingen): list, grant, "
                "accept, reject, revoke; and a check for service providers. Person endpoints "
                "use the broker session cookie; state-changing calls need the header "
                f"`{CSRF_HEADER}: {CSRF_VALUE}`. Another person's mandate answers 404."
            ),
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/mandates": {
                "get": {
                    "summary": "Mandates I gave and received",
                    "operationId": "listMandates",
                    "security": [{"session": []}],
                    "responses": {
                        "200": _json(MandateList, "My mandates"),
                        **_errors(401, 403, e403=_NOT_A_PERSON),
                    },
                },
                "post": {
                    "summary": "Grant a mandate (I am the principal)",
                    "operationId": "grantMandate",
                    "security": [{"session": []}],
                    "parameters": [{"$ref": "#/components/parameters/csrf"}],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref(GrantRequest)}},
                    },
                    "responses": {
                        "201": _json(MandateOut, "Requested; waits for the agent"),
                        **_errors(400, 401, 403, 413, 415, 422),
                    },
                },
            },
            "/mandates/{mandate_id}": {
                "get": {
                    "summary": "One of my mandates",
                    "operationId": "getMandate",
                    "security": [{"session": []}],
                    "parameters": [
                        {
                            "name": "mandate_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": _json(MandateOut, "The mandate"),
                        **_errors(401, 403, 404, e403=_NOT_A_PERSON),
                    },
                }
            },
            "/mandates/{mandate_id}/accept": _transition("accept", "agent"),
            "/mandates/{mandate_id}/reject": _transition("reject", "agent"),
            "/mandates/{mandate_id}/revoke": _transition("revoke", "principal or agent"),
            "/check": {
                "post": {
                    "summary": "May X act for Y for my service now?",
                    "operationId": "checkRepresentation",
                    "description": (
                        "Form-encoded, client authentication as at the token endpoint (a "
                        "private_key_jwt client assertion, RFC 7523, audience = issuer; or HTTP "
                        "Basic for clients registered with client_secret_basic) plus the "
                        "CheckRequest fields, each once. Only the client's own services; BSNs "
                        "only for BSN-entitled clients. A refusal gives reason no_basis unless "
                        "it concerns the service itself (step_up, self_level_too_low, "
                        "service_not_representable, source_unavailable): relations the service "
                        "may not learn of are not disclosed."
                    ),
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/x-www-form-urlencoded": {"schema": _ref(CheckForm)}
                        },
                    },
                    "responses": {
                        "200": _json(CheckResponse, "The decision (allowed or not)"),
                        **_errors(
                            400,
                            403,
                            404,
                            415,
                            422,
                            e400="Invalid identifier, unknown acr or a parameter sent twice",
                            e403="The client may not receive BSNs, so it may not ask about them",
                            e404="Not one of this client's services",
                            e415="Body is not application/x-www-form-urlencoded",
                        ),
                        "401": {"description": "Client authentication failed (OAuth error)"},
                    },
                }
            },
        },
        "components": {
            "schemas": schemas,
            "parameters": {
                "csrf": {
                    "name": CSRF_HEADER,
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string", "const": CSRF_VALUE},
                }
            },
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "toegang_session"}
            },
        },
    }
