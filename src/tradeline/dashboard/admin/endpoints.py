"""Operators (`users.is_operator`): every business and its numbers, security alerts, the audit
log of any business, and system health (database, job queue, rate-limit refusals)."""

from __future__ import annotations

import time
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.api import DbSession, RuntimeDep
from tradeline.dashboard import repository
from tradeline.dashboard.web import DashboardRoute, OperatorPageDep, render
from tradeline.db import set_org
from tradeline.kit.metrics import RATE_LIMITED
from tradeline.organization import repository as organizations

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)


async def _looking_at(session: AsyncSession, org_id: uuid.UUID) -> None:
    """Scope the transaction to one business (RLS) for an operator's read; the page puts it
    back to the operator's own business afterwards."""
    await set_org(session, org_id)


@router.get("/admin")
async def admin_businesses(page: OperatorPageDep, session: DbSession) -> Response:
    rows: list[dict[str, Any]] = []
    for org in await organizations.list_all(session):
        await _looking_at(session, org.id)
        numbers = await organizations.list_numbers(session, org.id)
        calls, leads, users = await repository.counts_for(session, org.id)
        rows.append(
            {
                "org": org,
                "numbers": [n.e164 for n in numbers],
                "calls": calls,
                "leads": leads,
                "users": users,
            }
        )
    await _looking_at(session, page.org_id)
    return render(page, "admin/businesses.html", {"rows": rows, "tab": "businesses"})


@router.get("/admin/security")
async def admin_security(page: OperatorPageDep, session: DbSession) -> Response:
    alerts = await repository.security_alerts(session, limit=200)
    names = {org.id: org.name for org in await organizations.list_all(session)}
    return render(
        page, "admin/security.html", {"alerts": alerts, "names": names, "tab": "security"}
    )


@router.get("/admin/audit")
async def admin_audit(
    page: OperatorPageDep,
    session: DbSession,
    org: Annotated[uuid.UUID | None, Query()] = None,
) -> Response:
    businesses = await organizations.list_all(session)
    chosen = next((b for b in businesses if b.id == org), None) or next(
        (b for b in businesses if b.id == page.org_id), businesses[0] if businesses else None
    )
    entries = []
    if chosen is not None:
        await _looking_at(session, chosen.id)
        entries = await repository.audit_entries(session, chosen.id, limit=200)
        await _looking_at(session, page.org_id)
    return render(
        page,
        "admin/audit.html",
        {"businesses": businesses, "chosen": chosen, "entries": entries, "tab": "audit"},
    )


def rate_limit_hits() -> list[tuple[str, int]]:
    """Refusals counted by this process since it started (the Prometheus counter)."""
    hits = [
        (sample.labels.get("scope", "?"), int(sample.value))
        for metric in RATE_LIMITED.collect()
        for sample in metric.samples
        if sample.name.endswith("_total")
    ]
    return sorted(hits, key=lambda item: -item[1])


@router.get("/admin/health")
async def admin_health(page: OperatorPageDep, session: DbSession, runtime: RuntimeDep) -> Response:
    started = time.perf_counter()
    facts = await repository.database_facts(session)
    latency_ms = round((time.perf_counter() - started) * 1000, 1)
    jobs = await repository.job_counts(session)
    failed = await repository.failed_jobs(session, limit=20)
    redis = None
    if runtime.settings.redis_url:
        redis = await runtime.limiter.check_health()
    return render(
        page,
        "admin/health.html",
        {
            "db": facts,
            "latency_ms": latency_ms,
            "jobs": jobs,
            "queue_depth": jobs.get("todo", 0) + jobs.get("doing", 0),
            "failed": failed,
            "limits": rate_limit_hits(),
            "redis": redis,
            "tab": "health",
        },
    )
