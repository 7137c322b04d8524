"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from tradeline.api import runtime_of
from tradeline.kit.metrics import JOBS
from tradeline.logging import get_logger

router = APIRouter(tags=["ops"])
log = get_logger(__name__)


@router.get("/healthz", response_class=PlainTextResponse)
async def healthz() -> str:
    return "ok"


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    runtime = runtime_of(request)
    checks: dict[str, str] = {}
    try:
        async with runtime.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        log.warning("readyz_database_down", error=type(exc).__name__)
        checks["database"] = "down"
    if runtime.settings.redis_url:
        checks["redis"] = "ok" if await runtime.limiter.check_health() else "down"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    runtime = runtime_of(request)
    try:
        async with runtime.engine.connect() as conn:
            rows = await conn.execute(
                text("SELECT status::text, count(*) FROM procrastinate_jobs GROUP BY status")
            )
            counts: dict[str, int] = {str(s): int(n) for s, n in rows.all()}
        for status in ("todo", "doing", "succeeded", "failed", "cancelled", "aborted"):
            JOBS.labels(status).set(counts.get(status, 0))
    except Exception as exc:  # metrics must render even when the database is down
        log.warning("metrics_jobs_unavailable", error=type(exc).__name__)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
