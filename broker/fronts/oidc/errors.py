"""OAuth 2.0 / OIDC error responses (RFC 6749 §4.1.2.1, §5.2; OIDC Core §3.1.2.6)."""

from __future__ import annotations

from starlette.responses import JSONResponse


class OAuthError(Exception):
    """An error for the client; ``redirectable`` errors go back to its redirect_uri."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
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
