"""Errors of the register: what an operator typed is invalid, or names nothing registered."""

from __future__ import annotations


class RegisterError(ValueError):
    """A registration is refused; the message names the field and what to change."""


class UnknownClient(RegisterError):
    """No client with that id is registered."""

    def __init__(self, client_id: str) -> None:
        super().__init__(f"unknown client {client_id!r}")
        self.client_id = client_id
