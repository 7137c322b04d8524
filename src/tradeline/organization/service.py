"""Businesses: creation from a profile, the profile itself, and tenant resolution for webhooks."""

from __future__ import annotations

import json
import re
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.auth.schemas import Role
from tradeline.auth.service import create_api_key
from tradeline.db import set_org
from tradeline.exceptions import BadRequest, Conflict, NotFound, Unprocessable
from tradeline.logging import get_logger
from tradeline.models import AuditLog, BusinessProfile, Organization, PhoneNumber
from tradeline.organization import repository
from tradeline.organization.schemas import BusinessProfileSpec
from tradeline.runtime import Runtime

log = get_logger(__name__)


def describe_validation_error(exc: ValidationError) -> str:
    """One line naming the first offending field, e.g. `routing.on_call: must be E.164`."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "profile"
    message = first["msg"].removeprefix("Value error, ")
    return f"{where}: {message}"


def parse_profile(data: Any) -> BusinessProfileSpec:
    try:
        return BusinessProfileSpec.model_validate(data)
    except ValidationError as exc:
        raise Unprocessable(describe_validation_error(exc)) from exc


def load_profile_file(path: Path) -> BusinessProfileSpec:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BadRequest(f"cannot read profile {path}: {exc.strerror}") from exc
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise BadRequest(
            f"{path}: not valid {'JSON' if path.suffix == '.json' else 'YAML'}"
        ) from exc
    if not isinstance(data, dict):
        raise BadRequest(f"{path}: a profile is a mapping of fields")
    return parse_profile(data)


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:60] or "business"


@dataclass(frozen=True)
class CreatedOrganization:
    org_id: uuid.UUID
    api_key: str
    phone_numbers: list[str]


async def create_organization(
    session: AsyncSession, spec: BusinessProfileSpec, runtime: Runtime | None = None
) -> CreatedOrganization:
    """Business, profile, numbers and an admin API key, in the caller's one transaction."""
    org = Organization(
        id=uuid.uuid4(),
        name=spec.name,
        slug=f"{slugify(spec.name)}-{uuid.uuid4().hex[:6]}",
        timezone=spec.timezone,
        country=spec.country,
    )
    await repository.insert_organization(session, org)
    await set_org(session, org.id)
    await repository.insert_profile(
        session, BusinessProfile(organization_id=org.id, data=spec.model_dump(mode="json"))
    )
    try:
        await repository.insert_numbers(
            session, [PhoneNumber(organization_id=org.id, e164=n) for n in spec.phone_numbers]
        )
    except IntegrityError as exc:
        raise Conflict("phone_numbers: a number already belongs to another business") from exc
    _, raw_key = await create_api_key(
        session, org.id, name="admin (created with the business)", role=Role.ADMIN
    )
    session.add(
        AuditLog(organization_id=org.id, actor_type="system", action="organization.created")
    )
    await session.flush()
    if runtime is not None and spec.faq:
        from tradeline.knowledge.service import sync_faq

        await sync_faq(session, runtime, org.id, list(spec.faq))  # FAQ answers come from the KB
    return CreatedOrganization(org_id=org.id, api_key=raw_key, phone_numbers=spec.phone_numbers)


# Validated profiles by (business, revision), shared by every request of the process. The
# revision is the profile's version and its row's xmin (repository._REVISION): every committed
# write gives a new one, so an entry can never be stale, and every read still asks the database
# for the current revision (other processes may have changed it). Callers treat the returned
# spec as read-only. Bounded: a process serving many businesses keeps the most recently used.
_PROFILES: OrderedDict[tuple[uuid.UUID, str], BusinessProfileSpec] = OrderedDict()
_PROFILES_MAX = 512


def _remember(org_id: uuid.UUID, revision: str, spec: BusinessProfileSpec) -> BusinessProfileSpec:
    _PROFILES[(org_id, revision)] = spec
    _PROFILES.move_to_end((org_id, revision))
    while len(_PROFILES) > _PROFILES_MAX:
        _PROFILES.popitem(last=False)
    return spec


async def _profile_at(
    session: AsyncSession, org_id: uuid.UUID, revision: str | None
) -> BusinessProfileSpec:
    if revision is not None and (cached := _PROFILES.get((org_id, revision))) is not None:
        _PROFILES.move_to_end((org_id, revision))
        return cached
    found = await repository.get_profile(session, org_id)
    if found is None:
        raise NotFound("business profile not found")
    row, current = found
    return _remember(org_id, current, BusinessProfileSpec.model_validate(row.data))


async def get_profile(session: AsyncSession, org_id: uuid.UUID) -> BusinessProfileSpec:
    """The business's profile (read-only: it may be shared with other requests)."""
    revision = await repository.get_profile_revision(session, org_id)
    if revision is None:
        raise NotFound("business profile not found")
    return await _profile_at(session, org_id, revision)


async def replace_profile(
    session: AsyncSession,
    org_id: uuid.UUID,
    spec: BusinessProfileSpec,
    actor: str,
    runtime: Runtime | None = None,
) -> BusinessProfileSpec:
    """PUT semantics; the phone number list is kept in step with the profile's."""
    found = await repository.get_profile(session, org_id)
    if found is None:
        raise NotFound("business profile not found")
    row, _ = found
    current = {n.e164: n for n in await repository.list_numbers(session, org_id)}
    for e164, number in current.items():
        if e164 not in spec.phone_numbers:
            await session.delete(number)
    new = [
        PhoneNumber(organization_id=org_id, e164=n) for n in spec.phone_numbers if n not in current
    ]
    try:
        await repository.insert_numbers(session, new)
    except IntegrityError as exc:
        raise Conflict("phone_numbers: a number already belongs to another business") from exc
    org = await repository.get_organization(session, org_id)
    if org is not None:
        org.name, org.timezone, org.country = spec.name, spec.timezone, spec.country
    saved = await repository.update_profile_data(
        session, org_id, spec.model_dump(mode="json"), row.version
    )
    if not saved:  # another save committed since we read it: theirs is not overwritten blindly
        raise Conflict("the profile was changed meanwhile; reload it and save again")
    session.add(
        AuditLog(
            organization_id=org_id, actor_type="user", actor_id=actor, action="profile.updated"
        )
    )
    await session.flush()
    return spec


async def enter_by_number(
    session: AsyncSession, to_number: str
) -> tuple[uuid.UUID, BusinessProfileSpec] | None:
    """Webhooks: the called number names the business; sets the tenant for the transaction and
    returns it with its profile — one round trip when the profile is already known."""
    found = await repository.enter_by_number(session, to_number)
    if found is None:
        log.warning("tenant_unresolved", to=to_number)
        return None
    org_id, revision = found
    return org_id, await _profile_at(session, org_id, revision)


async def resolve_tenant_by_number(session: AsyncSession, to_number: str) -> uuid.UUID | None:
    """Webhooks: the called number names the business. Sets the tenant for the transaction."""
    org_id = await repository.org_for_number(session, to_number)
    if org_id is None:
        log.warning("tenant_unresolved", to=to_number)
        return None
    await set_org(session, org_id)
    return org_id
