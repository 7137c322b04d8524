"""`Idempotency-Key` on mutating API routes: one effect per key, the first response replayed.

A client that retries a POST/PUT/PATCH/DELETE with the same `Idempotency-Key` gets the first
response again (marked `Idempotent-Replayed: true`) instead of a second effect. Keys live 24 h per
business and per route (scope = method + route template, so one key on two routes never collides);
each remembers a SHA-256 of method, path, query and canonical JSON body, and a retry whose request
differs is refused with 422 `IdempotencyKeyReused`. Keys are at most 255 characters (else 400).

Design: the claim is a lock, not a row. Inside the request's own transaction (the `DbSession`):

1. `pg_advisory_xact_lock(hash(org, scope, key))` — concurrent duplicates queue here, in Postgres,
   so it holds across processes and machines. The wait is bounded (`LOCK_WAIT_MS`); past it the
   duplicate gets 409 `IdempotencyKeyInUse` and may retry.
2. Look the key up. This is a new statement after the lock was granted, so under READ COMMITTED
   (the default, which the request transaction uses) it sees whatever the previous holder
   committed. A live row with another hash → 422; with the same hash → replay its response.
3. Otherwise run the effect inside a SAVEPOINT, then write the row (status + response sealed with
   `Pii.seal`, bound to the row id) in the same transaction as the effect.
4. The framework commits the request transaction — effect and stored response together — and the
   commit releases the lock; the next duplicate in line then finds the row and replays it.

Why this is the simplest correct design: there is no in-progress state that can outlive its owner.
If the winner raises, times out, or its process dies, Postgres rolls the transaction back, which
removes the effect *and* frees the lock, and the next duplicate simply runs the effect itself. A
separately committed "claim" row would need a second connection per request (20 concurrent
duplicates would then starve a 20-connection pool), a clean-up path on every failure, and a
staleness rule for claims orphaned by a crash. The cost is one pooled connection held per waiting
duplicate, bounded by `LOCK_WAIT_MS`.

What is stored (Stripe's semantics): every 2xx–4xx outcome of the effect. A `TradeLineError` with a
4xx status raised by the effect rolls the SAVEPOINT back (so the effect leaves nothing behind),
then its `{"error", "detail"}` response is stored and replayed like a success. Not stored, so a
retry runs the effect again: 5xx results (the SAVEPOINT is rolled back), any other exception (the
whole transaction is), and 429 (transient by nature, and its `Retry-After` is not kept). Failures
before the effect — authentication, authorisation, this module's own 400/409/422 — are never stored
either: a route checks permissions before calling `run`. Only status and JSON body are replayed,
not headers. Expired rows are ignored and overwritten in place; the purge job deletes the rest.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import Depends, Header, Request, Response
from fastapi.encoders import jsonable_encoder
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.api import runtime_of
from tradeline.db import set_org
from tradeline.exceptions import (
    BadRequest,
    Conflict,
    TooManyRequests,
    TradeLineError,
    Unprocessable,
)
from tradeline.idempotency import repository
from tradeline.privacy.service import Pii

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
RETENTION = timedelta(hours=24)
LOCK_WAIT_MS = 10_000
TABLE, COLUMN = "idempotency_keys", "response_enc"
_MAX_SCOPE = 120  # idempotency_keys.scope

# What an effect returns: an HTTP status and anything `jsonable_encoder` accepts (pydantic models,
# dicts, lists, dates, UUIDs...).
Effect = Callable[[], Awaitable[tuple[int, Any]]]


class IdempotencyKeyReused(Unprocessable):
    """The key was already used for a different request."""


class InvalidIdempotencyKey(BadRequest):
    """Empty or longer than 255 characters."""


class IdempotencyKeyInUse(Conflict):
    """Another request with this key is still running after `LOCK_WAIT_MS`."""


@dataclass(frozen=True)
class KeyedRequest:
    """What identifies one idempotent request: its key, its scope and the hash of its content."""

    key: str
    scope: str
    request_hash: str


def validate_key(key: str) -> str:
    if not key or not key.strip():
        raise InvalidIdempotencyKey(f"{HEADER} must not be empty")
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidIdempotencyKey(f"{HEADER} is at most {MAX_KEY_LENGTH} characters")
    return key


def canonical_body(body: bytes) -> bytes:
    """JSON bodies compare by content (key order and whitespace ignored); others byte for byte."""
    if not body.strip():
        return b""
    try:
        parsed = json.loads(body)
    except ValueError:
        return body
    return json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def request_hash(method: str, path: str, query: str, body: bytes) -> str:
    canonical_query = urlencode(sorted(parse_qsl(query, keep_blank_values=True)))
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), canonical_query.encode()):
        digest.update(part)
        digest.update(b"\n")
    digest.update(canonical_body(body))
    return digest.hexdigest()


def route_template(request: Request) -> str:
    """The matched route's full template, e.g. `/api/v1/leads/{lead_id}`.

    FastAPI may hand us the route as declared in its router, without the prefixes it was included
    under; those are the part of the path in front of what the route's own pattern matches.
    """
    path: str = request.scope.get("path") or request.url.path
    route = request.scope.get("route")
    template = getattr(route, "path_format", None)
    pattern = getattr(route, "path_regex", None)
    if not isinstance(template, str) or not isinstance(pattern, re.Pattern):
        return path
    for start, char in enumerate(path):
        if char == "/" and pattern.fullmatch(path[start:]):
            return path[:start] + template
    return template


def route_scope(request: Request) -> str:
    """`METHOD /route/{template}`: the same key on two routes (or two methods) never collides."""
    scope = f"{request.method.upper()} {route_template(request)}"
    if len(scope) > _MAX_SCOPE:
        scope = f"{scope[: _MAX_SCOPE - 17]}~{hashlib.sha256(scope.encode()).hexdigest()[:16]}"
    return scope


async def keyed_request(request: Request, key: str) -> KeyedRequest:
    """Hash the request as received; Starlette caches the body, so reading it again is free."""
    body = await request.body()
    return KeyedRequest(
        key=validate_key(key),
        scope=route_scope(request),
        request_hash=request_hash(request.method, request.url.path, request.url.query, body),
    )


def render(status_code: int, content: Any, *, replayed: bool = False) -> Response:
    return _response(status_code, _dumps(content), replayed=replayed)


def _dumps(content: Any) -> str:
    # Starlette's JSONResponse rendering, kept as text so the stored bytes replay identically.
    return json.dumps(
        jsonable_encoder(content), ensure_ascii=False, allow_nan=False, separators=(",", ":")
    )


def _response(status_code: int, body: str, *, replayed: bool) -> Response:
    headers = {REPLAYED_HEADER: "true"} if replayed else None
    return Response(body, status_code=status_code, media_type="application/json", headers=headers)


def _storable(exc: TradeLineError) -> bool:
    return 400 <= exc.status_code < 500 and not isinstance(exc, TooManyRequests)


async def _scope_transaction(session: AsyncSession, org_id: uuid.UUID) -> None:
    """RLS needs app.org_id; authenticated sessions already have it, public routes may not."""
    current = await repository.current_org(session)
    if current is None:
        await set_org(session, org_id)
    elif current != org_id:
        raise RuntimeError("idempotency: the transaction is scoped to another business")


async def run_once(
    session: AsyncSession, pii: Pii, org_id: uuid.UUID, keyed: KeyedRequest, effect: Effect
) -> Response:
    """Run `effect` at most once per (business, scope, key); replay its stored response after.

    Must run in the caller's request transaction, before that transaction writes anything else
    (the lock is taken first, and released only by its COMMIT or ROLLBACK).
    """
    await _scope_transaction(session, org_id)
    lock_name = f"idempotency:{org_id}:{keyed.scope}:{keyed.key}"
    if not await repository.lock(session, lock_name, wait_ms=LOCK_WAIT_MS):
        raise IdempotencyKeyInUse(
            f"a request with this {HEADER} is still being processed; retry later"
        )
    now = datetime.now(UTC)
    row = await repository.find(session, org_id, keyed.scope, keyed.key)
    # Rows without a response are never written by this module; like expired ones they are
    # overwritten below.
    if row is not None and row.expires_at > now and row.status_code is not None:
        if row.request_hash != keyed.request_hash:
            raise IdempotencyKeyReused(
                f"this {HEADER} was already used with a different request; use a new key"
            )
        body = pii.open(row.response_enc, org_id=org_id, table=TABLE, row_id=row.id, column=COLUMN)
        if body is not None:
            return _response(row.status_code, body, replayed=True)

    savepoint = await session.begin_nested()
    try:
        status_code, content = await effect()
    except TradeLineError as exc:
        await savepoint.rollback()
        if not _storable(exc):
            raise
        status_code, content = exc.status_code, {"error": exc.error, "detail": exc.detail}
    else:
        if status_code >= 500:
            # Not stored, so a retry must find nothing of this attempt either.
            await savepoint.rollback()
            return render(status_code, content)
        await savepoint.commit()

    body = _dumps(content)
    row_id = uuid.uuid4()
    sealed = pii.seal(body, org_id=org_id, table=TABLE, row_id=row_id, column=COLUMN)
    if sealed is None:  # pragma: no cover - sealing a str always yields bytes
        raise RuntimeError("idempotency: the response could not be sealed")
    await repository.upsert(
        session,
        row_id=row_id,
        org_id=org_id,
        scope=keyed.scope,
        key=keyed.key,
        request_hash=keyed.request_hash,
        status_code=status_code,
        response_enc=sealed,
        expires_at=now + RETENTION,
    )
    return _response(status_code, body, replayed=False)


class Idempotency:
    """The per-request handle a route receives; `run` is the only call a route makes.

    Without the header the effect simply runs (exceptions propagate as they always did) and its
    result is rendered as JSON.
    """

    def __init__(self, pii: Pii, keyed: KeyedRequest | None) -> None:
        self.pii = pii
        self.keyed = keyed

    async def run(self, session: AsyncSession, org_id: uuid.UUID, effect: Effect) -> Response:
        if self.keyed is None:
            status_code, content = await effect()
            return render(status_code, content)
        return await run_once(session, self.pii, org_id, self.keyed, effect)


async def idempotency(
    request: Request,
    key: Annotated[
        str | None,
        Header(
            alias=HEADER,
            description="Optional. Retries with the same key within 24 h replay the first "
            "response instead of repeating the change (at most 255 characters).",
        ),
    ] = None,
) -> Idempotency:
    return Idempotency(
        runtime_of(request).pii, None if key is None else await keyed_request(request, key)
    )


IdempotencyDep = Annotated[Idempotency, Depends(idempotency)]
