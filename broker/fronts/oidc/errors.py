"""OAuth 2.0 / OIDC error responses (RFC 6749 §4.1.2.1, §5.2; OIDC Core §3.1.2.6)."""

from __future__ import annotations

import re

from starlette.responses import JSONResponse

# RFC 6749 §4.1.2.1, §5.2 and RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E.
_NOT_ALLOWED = re.compile(r"[^\x20-\x21\x23-\x5b\x5d-\x7e]")


def error_description(text: str) -> str:
    """``text`` within the characters error_description allows (quotes become apostrophes)."""
    return _NOT_ALLOWED.sub(lambda m: "'" if m.group(0) == '"' else "?", text)


class OAuthError(Exception):
    """An error for the client; ``redirectable`` errors go back to its redirect_uri."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        description = error_description(description)
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def response(self) -> JSONResponse:
        headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
        if self.error == "invalid_client" and self.status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="toegang"'
        return JSONResponse(
            {"error": self.error, "error_description": self.description},
            status_code=self.status,
            headers=headers,
        )
