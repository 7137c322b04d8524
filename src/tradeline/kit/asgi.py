"""ASGI middleware: request id, log context, body-size limit, per-route latency metrics."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Collection
from typing import Any

import structlog

from tradeline.kit.metrics import HTTP_LATENCY, HTTP_RESPONSES

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]
ASGIApp = Callable[[Scope, Receive, Send], Any]

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class BodyTooLarge(Exception):
    pass


class RequestContextMiddleware:
    """Binds a request id to every log line and refuses bodies over the route's limit (413)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body: int = 1_000_000,
        upload_max_body: int = 20_000_000,
        upload_paths: Collection[str] = (),
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.upload_max_body = upload_max_body
        self.upload_paths = tuple(upload_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        incoming = headers.get("x-request-id", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id, path=scope["path"])
        path: str = scope["path"]
        limit = self.upload_max_body if path.startswith(self.upload_paths) else self.max_body
        started = time.perf_counter()
        status = {"code": 500, "sent": False}

        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_413(send, limit, request_id)
            self._observe(scope, 413, started)
            return

        seen = 0
        exceeded = False

        async def limited_receive() -> Message:
            nonlocal seen, exceeded
            message: Message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            if exceeded:
                # Frameworks turn a failed body read into their own 400; the truth is 413.
                if message["type"] == "http.response.start" and not status["sent"]:
                    status["sent"], status["code"] = True, 413
                    await _send_413(send, limit, request_id)
                return
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                status["sent"] = True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not status["sent"]:
                await _send_413(send, limit, request_id)
                status["code"] = 413
        finally:
            self._observe(scope, int(status["code"]), started)

    @staticmethod
    def _observe(scope: Scope, code: int, started: float) -> None:
        route = scope.get("route")
        # The route template, never the raw path: ids in paths would explode label cardinality.
        template = getattr(route, "path", None) or "unmatched"
        HTTP_LATENCY.labels(scope["method"], template).observe(time.perf_counter() - started)
        HTTP_RESPONSES.labels(template, str(code)).inc()


async def _send_413(send: Send, limit: int, request_id: str) -> None:
    body = json.dumps(
        {"error": "PayloadTooLarge", "detail": f"request body over {limit} bytes"}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"x-request-id", request_id.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
