from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.lead.helpers import app_client
from tradeline.runtime import Runtime


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(runtime) as c:
        yield c
