"""Webhook subscriptions per business, events, and the delivery of each event.

`emit(session, org_id, "lead.created", lead.id)` — called where the thing happens, inside that
transaction — writes one delivery row per live subscription to the event and defers one job per
delivery, so a delivery exists iff the event committed.

A delivery attempt (the `webhooks.deliver` job):
1. short transaction: lock the row; on the first attempt render the payload from the committed
   rows and seal it on the delivery (every later attempt and every replay sends those same
   bytes); count the attempt;
2. the POST, outside any transaction (10 s timeout), signed `TradeLine-Signature: t=…,v1=…`;
3. short transaction: record the status code (never the response body) and the outcome.
5xx, 408, 429, timeouts and connection errors are retried with exponential backoff by the job
queue (`WEBHOOK_RETRY`: 4 s, 16 s, 64 s, … ~18 h; 9 attempts over about a day), `next_attempt_at`
saying when; any other answer is final. In the offline default (see `sender.delivery_mode`) the
request is recorded in the sandbox outbox instead (status `recorded`).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from procrastinate import RetryStrategy
from procrastinate.jobs import Job
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.auth.schemas import Principal
from tradeline.db import tenant_session
from tradeline.exceptions import Conflict, Forbidden, NotFound, Unprocessable
from tradeline.integrations.webhooks import formats, repository, signature
from tradeline.integrations.webhooks.schemas import (
    DeliveryOut,
    DeliveryPage,
    IntegrationCreated,
    IntegrationIn,
    IntegrationOut,
)
from tradeline.integrations.webhooks.sender import HttpPoster, Outcome, Poster, delivery_mode
from tradeline.logging import get_logger
from tradeline.models import AuditLog, Organization
from tradeline.models.lead_extra import Integration, WebhookDelivery
from tradeline.privacy.service import Pii
from tradeline.runtime import Runtime
from tradeline.worker.schedules import WorkerLostError

log = get_logger(__name__)

EVENTS: Final = (
    "lead.created",
    "lead.updated",
    "appointment.booked",
    "appointment.rescheduled",
    "appointment.cancelled",
    "call.completed",
    "call.voicemail",
    "call.emergency",
)
KINDS: Final = ("slack", "teams", "generic")
TABLE_INTEGRATIONS, TABLE_DELIVERIES = "integrations", "webhook_deliveries"


class RetryableDelivery(Exception):
    """Raised by the job after recording a retryable failure, so the queue retries it."""


# The job queue's retry policy for deliveries: waits 4**n seconds (4 s, 16 s, 64 s, 4 min,
# 17 min, 68 min, 4.5 h, 18 h) after each of up to 8 retryable failures. A worker lost in the
# middle of an attempt counts as one too (the delivery is then still pending or retrying).
WEBHOOK_RETRY: Final = RetryStrategy(
    max_attempts=8, exponential_wait=4, retry_exceptions={RetryableDelivery, WorkerLostError}
)


def next_attempt_at(failed_attempts: int) -> datetime | None:
    """When the queue will run the next attempt after `failed_attempts` runs (None: no more)."""
    job = Job(
        id=0,
        queue="default",
        lock=None,
        queueing_lock=None,
        task_name="webhooks.deliver",
        attempts=failed_attempts - 1,
    )
    decision = WEBHOOK_RETRY.get_retry_decision(exception=RetryableDelivery(), job=job)
    return decision.retry_at if decision is not None else None


async def emit(
    session: AsyncSession,
    org_id: uuid.UUID,
    event: str,
    subject_id: uuid.UUID,
    *,
    meta: dict[str, Any] | None = None,
) -> int:
    """Queue `event` about `subject_id` for every subscription that wants it; returns how many.

    `meta` is stored in clear: non-personal context only (a status change, a keyword).
    """
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    targets = await repository.subscribed(session, org_id, event)
    if not targets:
        return 0
    from tradeline.integrations.webhooks.tasks import deliver
    from tradeline.worker.app import enqueue

    event_id = uuid.uuid4()
    context = {"occurred_at": datetime.now(UTC).isoformat(), **(meta or {})}
    deliveries = [
        WebhookDelivery(
            id=uuid.uuid4(),
            organization_id=org_id,
            integration_id=integration.id,
            event_id=event_id,
            event_type=event,
            subject_id=subject_id,
            meta=context,
            status="pending",
            attempts=0,
        )
        for integration in targets
    ]
    session.add_all(deliveries)
    await session.flush()
    for delivery in deliveries:
        await enqueue(session, deliver, org_id=str(org_id), delivery_id=str(delivery.id))
    return len(deliveries)


# --- subscriptions -------------------------------------------------------------------------


def require_admin(principal: Principal) -> None:
    if not principal.sees_pii:
        raise Forbidden("only admins manage webhooks (they receive customer details)")


def check_url(url: str, *, production: bool) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise Unprocessable("url: an http(s) URL with a host")
    if production and parts.scheme != "https":
        raise Unprocessable("url: must be https")
    if parts.username or parts.password:
        raise Unprocessable("url: credentials in the URL are not accepted; use the secret")
    return url


def _open(pii: Pii, row: Integration, column: str) -> str | None:
    return pii.open(
        getattr(row, column),
        org_id=row.organization_id,
        table=TABLE_INTEGRATIONS,
        row_id=row.id,
        column=column,
    )


def present_integration(pii: Pii, row: Integration) -> IntegrationOut:
    return IntegrationOut(
        id=row.id,
        kind=row.kind,
        url=_open(pii, row, "url_enc") or "",
        events=list(row.events),
        description=row.description,
        signed=row.secret_enc is not None,
        created_at=row.created_at,
    )


async def create_integration(
    session: AsyncSession, runtime: Runtime, principal: Principal, spec: IntegrationIn
) -> IntegrationCreated:
    require_admin(principal)
    org_id = principal.organization_id
    url = check_url(spec.url, production=runtime.settings.is_production)
    secret = spec.secret
    if secret is None and spec.kind == "generic":
        secret = signature.new_secret()
    events = list(dict.fromkeys(spec.events)) or list(EVENTS)
    row = Integration(
        id=uuid.uuid4(),
        organization_id=org_id,
        kind=spec.kind,
        events=events,
        description=spec.description,
        created_by=principal.actor_id,
    )
    row.url_enc = (
        runtime.pii.seal(
            url, org_id=org_id, table=TABLE_INTEGRATIONS, row_id=row.id, column="url_enc"
        )
        or b""
    )
    row.secret_enc = runtime.pii.seal(
        secret, org_id=org_id, table=TABLE_INTEGRATIONS, row_id=row.id, column="secret_enc"
    )
    session.add(row)
    session.add(
        AuditLog(
            organization_id=org_id,
            actor_type=principal.actor_type,
            actor_id=principal.actor_id,
            action="webhook.created",
            target_type="integration",
            target_id=str(row.id),
            data={"kind": spec.kind, "events": events, "host": urlsplit(url).hostname},
        )
    )
    await session.flush()
    return IntegrationCreated(**present_integration(runtime.pii, row).model_dump(), secret=secret)


async def list_integrations(
    session: AsyncSession, pii: Pii, principal: Principal
) -> list[IntegrationOut]:
    require_admin(principal)
    rows = await repository.live_integrations(session, principal.organization_id)
    return [present_integration(pii, row) for row in rows]


async def delete_integration(
    session: AsyncSession, principal: Principal, integration_id: uuid.UUID
) -> None:
    """Stops every delivery to it; the row and its delivery log stay for the record."""
    require_admin(principal)
    row = await repository.get_integration(session, principal.organization_id, integration_id)
    if row is None or row.deleted_at is not None:
        raise NotFound("webhook not found")
    row.deleted_at = datetime.now(UTC)
    session.add(
        AuditLog(
            organization_id=row.organization_id,
            actor_type=principal.actor_type,
            actor_id=principal.actor_id,
            action="webhook.deleted",
            target_type="integration",
            target_id=str(row.id),
        )
    )
    await session.flush()


# --- the delivery log ----------------------------------------------------------------------


def present_delivery(row: WebhookDelivery) -> DeliveryOut:
    return DeliveryOut.model_validate(row, from_attributes=True)


async def list_deliveries(
    session: AsyncSession,
    principal: Principal,
    *,
    limit: int,
    cursor: str | None,
    integration_id: uuid.UUID | None,
    status: str | None,
) -> DeliveryPage:
    from tradeline.lead.service import decode_cursor, encode_cursor

    require_admin(principal)
    rows = await repository.page_deliveries(
        session,
        principal.organization_id,
        limit=limit + 1,
        before=decode_cursor(cursor) if cursor else None,
        integration_id=integration_id,
        status=status,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return DeliveryPage(
        items=[present_delivery(r) for r in rows],
        next_cursor=encode_cursor(rows[-1]) if more and rows else None,
    )


def _seal_payload(pii: Pii, delivery: WebhookDelivery, payload: bytes) -> None:
    delivery.payload_enc = pii.seal(
        payload.decode(),
        org_id=delivery.organization_id,
        table=TABLE_DELIVERIES,
        row_id=delivery.id,
        column="payload_enc",
    )


def _payload(pii: Pii, delivery: WebhookDelivery) -> bytes | None:
    text = pii.open(
        delivery.payload_enc,
        org_id=delivery.organization_id,
        table=TABLE_DELIVERIES,
        row_id=delivery.id,
        column="payload_enc",
    )
    return text.encode() if text is not None else None


async def replay(
    session: AsyncSession, runtime: Runtime, principal: Principal, delivery_id: uuid.UUID
) -> DeliveryOut:
    """Send a past delivery again as a new delivery: same event id and payload (receivers can
    dedupe on the id), fresh signature, its own attempts and log."""
    from tradeline.integrations.webhooks.tasks import deliver
    from tradeline.worker.app import enqueue

    require_admin(principal)
    org_id = principal.organization_id
    original = await repository.get_delivery(session, org_id, delivery_id)
    if original is None:
        raise NotFound("delivery not found")
    integration = await repository.get_integration(session, org_id, original.integration_id)
    if integration is None or integration.deleted_at is not None:
        raise Conflict("this webhook was deleted; its deliveries cannot be replayed")
    copy = WebhookDelivery(
        id=uuid.uuid4(),
        organization_id=org_id,
        integration_id=original.integration_id,
        event_id=original.event_id,
        event_type=original.event_type,
        subject_id=original.subject_id,
        meta=dict(original.meta),
        status="pending",
        attempts=0,
        replay_of=original.id,
    )
    payload = _payload(runtime.pii, original)
    if payload is not None:
        _seal_payload(runtime.pii, copy, payload)
    session.add(copy)
    session.add(
        AuditLog(
            organization_id=org_id,
            actor_type=principal.actor_type,
            actor_id=principal.actor_id,
            action="webhook.replayed",
            target_type="webhook_delivery",
            target_id=str(original.id),
            data={"replay": str(copy.id)},
        )
    )
    await session.flush()
    await enqueue(session, deliver, org_id=str(org_id), delivery_id=str(copy.id))
    return present_delivery(copy)


# --- one attempt ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    kind: str
    url: str
    body: bytes
    headers: dict[str, str]


def build_headers(
    delivery: WebhookDelivery, body: bytes, secret: str | None, *, timestamp: int | None = None
) -> dict[str, str]:
    headers = {
        "Content-Type": "application/json",
        "TradeLine-Event": delivery.event_type,
        "TradeLine-Event-Id": str(delivery.event_id),
        "TradeLine-Delivery": str(delivery.id),
    }
    if secret:
        headers[signature.HEADER] = signature.sign(secret, body, timestamp)
    return headers


async def _prepare(
    session: AsyncSession, runtime: Runtime, delivery: WebhookDelivery
) -> Prepared | None:
    """Render (first attempt only), count the attempt; None when there is nothing to send."""
    from tradeline.integrations.webhooks.events import render

    integration = await repository.get_integration(
        session, delivery.organization_id, delivery.integration_id
    )
    if integration is None or integration.deleted_at is not None:
        _finish(delivery, Outcome(False, False, error="webhook deleted"))
        return None
    payload = _payload(runtime.pii, delivery)
    if payload is None:
        payload = formats.dumps(await render(session, runtime, delivery))
        _seal_payload(runtime.pii, delivery, payload)
        # Customer details leave for a system the business chose: on the record, once.
        session.add(
            AuditLog(
                organization_id=delivery.organization_id,
                actor_type="system",
                actor_id="webhooks",
                action="pii.disclose",
                target_type=delivery.event_type.split(".", 1)[0],
                target_id=str(delivery.subject_id),
                reason=f"webhook {delivery.event_type} to integration {integration.id}",
            )
        )
    org = await session.get(Organization, delivery.organization_id)
    zone = ZoneInfo(org.timezone if org else "UTC")
    body = formats.body_for(integration.kind, _loads(payload), zone)
    secret = _open(runtime.pii, integration, "secret_enc")
    delivery.attempts += 1
    delivery.updated_at = datetime.now(UTC)
    return Prepared(
        kind=integration.kind,
        url=_open(runtime.pii, integration, "url_enc") or "",
        body=body,
        headers=build_headers(delivery, body, secret),
    )


def _loads(payload: bytes) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(payload)
    return value


def _finish(delivery: WebhookDelivery, outcome: Outcome, *, status: str | None = None) -> str:
    now = datetime.now(UTC)
    delivery.last_response_code = outcome.status_code
    delivery.last_error = outcome.error[:200] if outcome.error else None
    delivery.updated_at = now
    if status is not None:
        delivery.status = status
    elif outcome.delivered:
        delivery.status = "succeeded"
    else:
        retry_at = next_attempt_at(delivery.attempts) if outcome.retryable else None
        delivery.status = "retrying" if retry_at is not None else "failed"
        delivery.next_attempt_at = retry_at
    if delivery.status != "retrying":
        delivery.next_attempt_at = None
    if delivery.status in ("succeeded", "recorded"):
        delivery.delivered_at = now
    return delivery.status


async def attempt(
    runtime: Runtime,
    org_id: uuid.UUID,
    delivery_id: uuid.UUID,
    *,
    poster: Poster | None = None,
) -> str:
    """One attempt at one delivery; returns its status afterwards.

    Raises `RetryableDelivery` after recording a failure worth retrying (the job queue then
    retries it on `WEBHOOK_RETRY`). `poster` replaces the HTTP client (tests inject a
    transport); without it the delivery mode decides between the network and the sandbox.
    """
    from tradeline.integrations.providers import sandbox

    live = poster is not None or delivery_mode(runtime.settings) == "live"
    async with tenant_session(runtime.maker, org_id) as session:
        delivery = await repository.get_delivery(session, org_id, delivery_id, for_update=True)
        if delivery is None or delivery.status in ("succeeded", "failed", "recorded"):
            return delivery.status if delivery else "missing"
        prepared = await _prepare(session, runtime, delivery)
        if prepared is None:
            return delivery.status
        if not live:
            await sandbox(runtime).post_webhook(
                session,
                org_id=org_id,
                url=prepared.url,
                body=prepared.body.decode(),
                headers=prepared.headers,
            )
            return _finish(delivery, Outcome(True, False), status="recorded")

    client = poster or HttpPoster(public_only=runtime.settings.is_production)
    outcome = await client.post(prepared.url, prepared.body, prepared.headers)

    async with tenant_session(runtime.maker, org_id) as session:
        delivery = await repository.get_delivery(session, org_id, delivery_id, for_update=True)
        if delivery is None:
            return "missing"
        status = _finish(delivery, outcome)
    log.info(
        "webhook_attempt",
        delivery_id=str(delivery_id),
        kind=prepared.kind,
        status=status,
        code=outcome.status_code,
        attempts=delivery.attempts,
    )
    if status == "retrying":
        raise RetryableDelivery(f"delivery {delivery_id}: {outcome.error}")
    return status
