"""Errors that reach a person or a client: a machine code plus a message in Dutch and English."""

from __future__ import annotations

from broker.assurance import Level


class ConfigError(Exception):
    """The configuration cannot be used; the message says what to fix."""


class BrokerError(Exception):
    """Base for errors with a user-facing text; ``code`` is an OAuth error code where one fits."""

    code = "server_error"
    status = 400

    def __init__(self, message_nl: str, message_en: str, *, code: str | None = None) -> None:
        super().__init__(message_en)
        self.message_nl = message_nl
        self.message_en = message_en
        if code is not None:
            self.code = code

    def message(self, lang: str) -> str:
        return self.message_nl if lang == "nl" else self.message_en


class LoginMeansError(BrokerError):
    """The login means failed or refused; the flow returns the user to the client with an error."""

    code = "access_denied"


class LoginCancelled(LoginMeansError):
    """The user cancelled at the login means."""

    def __init__(self) -> None:
        super().__init__(
            "U heeft het inloggen geannuleerd.", "You cancelled the login.", code="access_denied"
        )


class LevelTooLow(LoginMeansError):
    """The login reached a lower level than required: the flow offers a step-up, never a token."""

    def __init__(self, achieved: Level, required: Level) -> None:
        super().__init__(
            "U bent ingelogd op een lager betrouwbaarheidsniveau dan deze dienst vereist.",
            "You logged in at a lower assurance level than this service requires.",
            code="access_denied",
        )
        self.achieved = achieved
        self.required = required
