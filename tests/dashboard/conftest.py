"""Dashboard fixtures: one seeded business per module (tests read it and add to it, never
depend on another test's additions), and signed-in HTTP clients for each role."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import TEMPLATE, TEST_BLIND, TEST_KEYS, PgCluster
from tests.dashboard.world import World, seed
from tradeline.config import Settings
from tradeline.db import DatabaseTarget
from tradeline.runtime import Runtime, build_runtime

BASE = "http://testserver"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives Debian's Chromium with Playwright (skips locally without it)"
    )


def dashboard_settings(data_dir: Path, public_url: str) -> Settings:
    return Settings(
        data_dir=data_dir,
        encryption_keys=TEST_KEYS,
        blind_index_key=TEST_BLIND,
        redis_url=None,
        twilio_auth_token="test-auth-token",
        public_url=public_url,
    )


def clone_database(pg_cluster: PgCluster) -> tuple[str, DatabaseTarget]:
    name = f"tl_dash_{uuid.uuid4().hex[:10]}"
    pg_cluster.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    url = pg_cluster.url(name)
    return name, DatabaseTarget(owner_url=url, app_url=url, set_role=True)


@dataclass
class Site:
    runtime: Runtime
    app: FastAPI
    world: World


@pytest.fixture(scope="module")
async def site(
    pg_cluster: PgCluster, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Site]:
    from tradeline.app import create_app

    name, target = clone_database(pg_cluster)
    settings = dashboard_settings(tmp_path_factory.mktemp("dash") / "var", BASE)
    runtime = build_runtime(settings, target)
    app = create_app(settings, runtime=runtime)
    try:
        world = await seed(runtime, app, BASE)
        yield Site(runtime=runtime, app=app, world=world)
    finally:
        await runtime.close()
        pg_cluster.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


async def signed_in(site: Site, email: str, password: str, ip: str) -> httpx.AsyncClient:
    """A client with its own address (the login limit is per IP) and a dashboard session. Module-scoped
    in the fixtures below: one sign-in per role (sign-in is rate limited per address and email)."""
    transport = httpx.ASGITransport(app=site.app, client=(ip, 5555))
    client = httpx.AsyncClient(transport=transport, base_url=BASE)
    page = await client.get("/login")
    response = await client.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf_of(page.text)}
    )
    assert response.status_code == 303, response.text
    return client


@pytest.fixture(scope="module")
async def admin(site: Site) -> AsyncIterator[httpx.AsyncClient]:
    client = await signed_in(
        site, site.world.admin_email, site.world.admin_password, f"198.51.100.{_n()}"
    )
    yield client
    await client.aclose()


@pytest.fixture(scope="module")
async def member(site: Site) -> AsyncIterator[httpx.AsyncClient]:
    client = await signed_in(
        site, site.world.member_email, site.world.password, f"198.51.100.{_n()}"
    )
    yield client
    await client.aclose()


@pytest.fixture(scope="module")
async def operator(site: Site) -> AsyncIterator[httpx.AsyncClient]:
    client = await signed_in(
        site, site.world.operator_email, site.world.password, f"198.51.100.{_n()}"
    )
    yield client
    await client.aclose()


_counter = iter(range(1, 250))


def _n() -> int:
    return next(_counter)
