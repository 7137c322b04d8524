"""Webhook tenant entry: the called number opens its business and profile in one round trip."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import make_org
from tradeline.db import tenant_session
from tradeline.exceptions import NotFound
from tradeline.organization.service import enter_by_number, get_profile, replace_profile
from tradeline.runtime import Runtime


async def _current_org(session: AsyncSession) -> str:
    result = await session.execute(text("SELECT current_setting('app.org_id', true)"))
    return str(result.scalar_one())


async def test_number_sets_the_tenant_and_returns_the_profile(runtime: Runtime) -> None:
    a = await make_org(runtime, "Alpha Plumbing")
    await make_org(runtime, "Bravo Electric")
    async with tenant_session(runtime.maker, None) as session:
        found = await enter_by_number(session, a.phone_numbers[0])
        assert found is not None
        org_id, profile = found
        assert org_id == a.org_id and profile.name == "Alpha Plumbing"
        assert await _current_org(session) == str(a.org_id)
        # The lookup window is closed again: only the tenant's own number is visible.
        numbers = await session.execute(text("SELECT organization_id FROM phone_numbers"))
        assert {row[0] for row in numbers} == {a.org_id}


async def test_unknown_number_opens_nothing(runtime: Runtime) -> None:
    await make_org(runtime, "Alpha Plumbing")
    async with tenant_session(runtime.maker, None) as session:
        assert await enter_by_number(session, "+15875550000") is None
        assert await _current_org(session) == ""
        assert (await session.execute(text("SELECT count(*) FROM phone_numbers"))).scalar() == 0
        assert await enter_by_number(session, "") is None


async def test_a_changed_profile_is_never_served_stale(runtime: Runtime) -> None:
    a = await make_org(runtime, "Alpha Plumbing")
    async with tenant_session(runtime.maker, None) as session:
        found = await enter_by_number(session, a.phone_numbers[0])
        assert found is not None and found[1].name == "Alpha Plumbing"
    async with tenant_session(runtime.maker, a.org_id) as session:
        spec = (await get_profile(session, a.org_id)).model_copy(update={"name": "Alpha Renamed"})
        await replace_profile(session, a.org_id, spec, "test")
    async with tenant_session(runtime.maker, None) as session:
        found = await enter_by_number(session, a.phone_numbers[0])
        assert found is not None and found[1].name == "Alpha Renamed"
    async with tenant_session(runtime.maker, a.org_id) as session:
        assert (await get_profile(session, a.org_id)).name == "Alpha Renamed"


async def test_another_business_id_has_no_profile(runtime: Runtime) -> None:
    await make_org(runtime, "Alpha Plumbing")
    stranger = uuid.uuid4()
    async with tenant_session(runtime.maker, stranger) as session:
        with pytest.raises(NotFound):
            await get_profile(session, stranger)
