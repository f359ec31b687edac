"""One cap on every request body, enforced while it is read.

Starlette's ``request.form()`` and ``request.body()`` hold a whole body in memory before any
handler can look at its size, so an unauthenticated client could make a worker buffer as much
as it cares to send. This middleware refuses a declared ``Content-Length`` above the cap before
anything is read, and stops a chunked body as soon as it passes the cap (413 either way).
Endpoints keep their own, smaller caps (token endpoint 64 KiB, management API 16 KiB); the
largest legitimate body is a wallet's encrypted response (``MAX_RESPONSE_BODY``, 3 MiB).
"""

from __future__ import annotations

from typing import Final

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY: Final = 4 * 1024 * 1024


class BodyTooLarge(HTTPException):
    """The body passed the cap while it was being read. An ``HTTPException``, so the app (or
    a mounted sub-app) that was reading answers 413 itself."""

    def __init__(self) -> None:
        super().__init__(413, "request body too large")


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _refuse(send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _refuse(send)


async def _refuse(send: Send) -> None:
    body = b"request body too large\n"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
