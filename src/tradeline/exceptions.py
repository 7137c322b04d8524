"""One error base carrying its HTTP status: expected failures are never 500."""

from __future__ import annotations


class TradeLineError(Exception):
    """Base of every expected failure. The API renders it as `{"error", "detail"}`."""

    status_code = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    @property
    def error(self) -> str:
        return type(self).__name__


class BadRequest(TradeLineError):
    status_code = 400


class Unauthorized(TradeLineError):
    status_code = 401


class Forbidden(TradeLineError):
    status_code = 403


class NotFound(TradeLineError):
    status_code = 404


class Conflict(TradeLineError):
    status_code = 409


class PayloadTooLarge(TradeLineError):
    status_code = 413


class Unprocessable(TradeLineError):
    status_code = 422


class TooManyRequests(TradeLineError):
    status_code = 429

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class ServiceUnavailable(TradeLineError):
    status_code = 503


class ConfigurationError(TradeLineError):
    """Bad settings or a missing server capability (e.g. pgvector); fatal at start-up."""

    status_code = 500
