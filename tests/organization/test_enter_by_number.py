"""Webhook tenant entry: the called number opens its business and profile in one round trip."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import make_org
from tradeline.db import set_org, tenant_session
from tradeline.exceptions import Conflict, NotFound
from tradeline.organization import repository as organization_repository
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


async def test_a_save_over_a_changed_profile_is_refused_not_overwritten(runtime: Runtime) -> None:
    """Two editors read version N; the second save must not silently replace the first (and a
    process must never cache two contents under one revision)."""
    a = await make_org(runtime, "Alpha Plumbing")
    async with tenant_session(runtime.maker, a.org_id) as session:
        base = await get_profile(session, a.org_id)
    first = base.model_copy(update={"name": "Alpha One"})
    second = base.model_copy(update={"name": "Alpha Two"})
    async with runtime.maker() as slow, slow.begin():
        await set_org(slow, a.org_id)
        # The slow save has loaded the profile row (version N) before the fast one commits,
        # as two concurrent saves do.
        loaded = await organization_repository.get_profile(slow, a.org_id)
        assert loaded is not None and loaded[0].data["name"] == "Alpha Plumbing"
        async with tenant_session(runtime.maker, a.org_id) as fast:
            await replace_profile(fast, a.org_id, first, "fast")
        with pytest.raises(Conflict):
            await replace_profile(slow, a.org_id, second, "slow")
    async with tenant_session(runtime.maker, None) as session:
        found = await enter_by_number(session, a.phone_numbers[0])
        assert found is not None and found[1].name == "Alpha One"


async def test_a_rolled_back_save_leaves_no_cached_content(runtime: Runtime) -> None:
    a = await make_org(runtime, "Alpha Plumbing")
    async with tenant_session(runtime.maker, a.org_id) as session:
        base = await get_profile(session, a.org_id)

    async def failing_save() -> None:
        async with tenant_session(runtime.maker, a.org_id) as session:
            await replace_profile(session, a.org_id, base.model_copy(update={"name": "Ghost"}), "x")
            assert (await get_profile(session, a.org_id)).name == "Ghost"  # cached under its xmin
            raise RuntimeError("the request failed after the save")

    with pytest.raises(RuntimeError):
        await failing_save()
    async with tenant_session(runtime.maker, a.org_id) as session:
        await replace_profile(session, a.org_id, base.model_copy(update={"name": "Real"}), "y")
    async with tenant_session(runtime.maker, None) as session:
        found = await enter_by_number(session, a.phone_numbers[0])
        assert found is not None and found[1].name == "Real"
