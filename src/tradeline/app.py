"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from tradeline.api import build_router
from tradeline.config import Settings, get_settings
from tradeline.db import DatabaseTarget
from tradeline.exceptions import TooManyRequests, TradeLineError
from tradeline.kit.asgi import RequestContextMiddleware
from tradeline.logging import configure_logging, get_logger
from tradeline.runtime import Runtime, build_runtime

log = get_logger(__name__)

UPLOAD_PATHS = ("/api/v1/kb/upload", "/api/v1/leads/import", "/knowledge/upload")


def _error(
    status: int, error: str, detail: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail}, status_code=status, headers=headers)


def _describe(exc: RequestValidationError) -> tuple[int, str, str]:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return 400, "MalformedJSON", "request body is not valid JSON"
    first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
    return 422, "ValidationError", f"{where}: {first.get('msg', 'invalid')}"


def create_app(
    settings: Settings | None = None,
    *,
    target: DatabaseTarget | None = None,
    runtime: Runtime | None = None,
    with_worker: bool = False,
) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = runtime is None
        app.state.runtime = runtime or build_runtime(settings, target)
        worker = None
        if with_worker:
            from tradeline.worker.service import start_in_process_worker

            worker = await start_in_process_worker(app.state.runtime)
        try:
            yield
        finally:
            if worker is not None:
                await worker.stop()
            if own:
                await app.state.runtime.close()

    app = FastAPI(
        title="TradeLine",
        version="0.1.0",
        summary="The open-source AI receptionist for trades and small businesses",
        lifespan=lifespan,
    )
    if runtime is not None:
        app.state.runtime = runtime
    app.include_router(build_router())
    from fastapi.staticfiles import StaticFiles

    from tradeline.dashboard.endpoints import STATIC_DIR

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.exception_handler(TradeLineError)
    async def _expected(_: Request, exc: TradeLineError) -> JSONResponse:
        headers = (
            {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
        )
        return _error(exc.status_code, exc.error, exc.detail, headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        status, error, detail = _describe(exc)
        return _error(status, error, detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        names = {404: "NotFound", 405: "MethodNotAllowed", 401: "Unauthorized", 403: "Forbidden"}
        return _error(exc.status_code, names.get(exc.status_code, "HTTPError"), str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error", error=type(exc).__name__)
        return _error(500, "InternalError", "an unexpected error occurred; it has been logged")

    app.add_middleware(RequestContextMiddleware, upload_paths=UPLOAD_PATHS)
    return app


def app_from_env() -> FastAPI:
    """Entry point for `uvicorn tradeline.app:app_from_env --factory`."""
    settings = get_settings()
    configure_logging(settings.log_level)
    return create_app(settings)
