"""Every SQL statement about businesses, profiles and numbers."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import String, literal_column, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.db import LOOKUP_NUMBER, OPERATOR, set_local
from tradeline.models import BusinessProfile, Organization, PhoneNumber


async def insert_organization(session: AsyncSession, org: Organization) -> None:
    # The bootstrap policy admits exactly this id; the tenant policy takes over once set.
    await set_local(session, "app.bootstrap_org", str(org.id))
    session.add(org)
    await session.flush()


async def insert_profile(session: AsyncSession, profile: BusinessProfile) -> None:
    session.add(profile)
    await session.flush()


async def insert_numbers(session: AsyncSession, numbers: list[PhoneNumber]) -> None:
    session.add_all(numbers)
    await session.flush()


async def get_organization(session: AsyncSession, org_id: uuid.UUID) -> Organization | None:
    return await session.get(Organization, org_id)


# A profile's revision: its version and the xmin of its row (the transaction that wrote it), so
# a revision names one content even if two saves raced to the same version or one rolled back.
_REVISION = (
    BusinessProfile.version.cast(String) + literal_column("':' || business_profiles.xmin::text")
).label("revision")


async def get_profile(
    session: AsyncSession, org_id: uuid.UUID
) -> tuple[BusinessProfile, str] | None:
    result = await session.execute(
        select(BusinessProfile, _REVISION).where(BusinessProfile.organization_id == org_id)
    )
    row = result.one_or_none()
    return None if row is None else (row[0], row[1])


async def get_profile_revision(session: AsyncSession, org_id: uuid.UUID) -> str | None:
    result = await session.execute(
        select(_REVISION).where(BusinessProfile.organization_id == org_id)
    )
    return result.scalar_one_or_none()


async def update_profile_data(
    session: AsyncSession, org_id: uuid.UUID, data: dict[str, Any], version: int
) -> bool:
    """Write the profile over `version`; False when someone saved it meanwhile."""
    result = await session.execute(
        update(BusinessProfile)
        .where(BusinessProfile.organization_id == org_id, BusinessProfile.version == version)
        .values(data=data, version=version + 1)
        .returning(BusinessProfile.version)
    )
    return result.scalar_one_or_none() is not None


async def list_numbers(session: AsyncSession, org_id: uuid.UUID) -> list[PhoneNumber]:
    result = await session.execute(
        select(PhoneNumber).where(PhoneNumber.organization_id == org_id).order_by(PhoneNumber.e164)
    )
    return list(result.scalars())


async def org_for_number(session: AsyncSession, e164: str) -> uuid.UUID | None:
    """The one narrow path from a called number to its business (RLS lookup policy)."""
    await set_local(session, LOOKUP_NUMBER, e164)
    result = await session.execute(
        select(PhoneNumber.organization_id).where(PhoneNumber.e164 == e164)
    )
    org_id = result.scalar_one_or_none()
    await set_local(session, LOOKUP_NUMBER, None)
    return org_id


async def enter_by_number(session: AsyncSession, e164: str) -> tuple[uuid.UUID, str] | None:
    """The business of a called number and its profile revision, the tenant set for the
    transaction: `org_for_number` + `set_org` in one round trip (migration 0010)."""
    result = await session.execute(
        text("SELECT org_id, profile_revision FROM tradeline_enter_by_number(:number)"),
        {"number": e164},
    )
    row = result.one_or_none()
    return None if row is None else (row.org_id, row.profile_revision)


async def find_by_slug(session: AsyncSession, slug: str) -> uuid.UUID | None:
    await set_local(session, OPERATOR, "on")
    result = await session.execute(select(Organization.id).where(Organization.slug == slug))
    org_id = result.scalar_one_or_none()
    await set_local(session, OPERATOR, None)
    return org_id


async def list_all(session: AsyncSession) -> list[Organization]:
    """Operators only (/admin): every business."""
    await set_local(session, OPERATOR, "on")
    result = await session.execute(select(Organization).order_by(Organization.created_at))
    orgs = list(result.scalars())
    await set_local(session, OPERATOR, None)
    return orgs
