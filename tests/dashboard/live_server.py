"""A real uvicorn server on a free loopback port, in a background thread, over a database seeded
with the dashboard world (used by the browser tests and by bench/lighthouse.py)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn

from tests.dashboard.world import World, seed
from tradeline.config import Settings
from tradeline.db import DatabaseTarget
from tradeline.runtime import build_runtime


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def seed_in_thread(settings: Settings, target: DatabaseTarget) -> World:
    """Seed on a loop of its own (the caller may be a sync test, or have a loop running)."""
    from tradeline.app import create_app

    result: dict[str, World | BaseException] = {}

    async def work() -> World:
        runtime = build_runtime(settings, target)
        try:
            app = create_app(settings, runtime=runtime)
            return await seed(runtime, app, str(settings.public_url))
        finally:
            await runtime.close()

    def run() -> None:
        try:
            result["world"] = asyncio.run(work())
        except BaseException as exc:  # re-raised in the caller's thread
            result["error"] = exc

    thread = threading.Thread(target=run, name="seed-dashboard")
    thread.start()
    thread.join()
    error = result.get("error")
    if isinstance(error, BaseException):
        raise error
    world = result["world"]
    assert isinstance(world, World)
    return world


@dataclass
class LiveServer:
    url: str
    world: World
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


def start(data_dir: Path, target: DatabaseTarget) -> LiveServer:
    """Seed, then serve the app (with its own runtime, built in the server's loop)."""
    from tests.dashboard.conftest import dashboard_settings
    from tradeline.app import create_app

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = dashboard_settings(data_dir, url)
    world = seed_in_thread(settings, target)
    app = create_app(settings, target=target)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="dashboard-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    else:
        server.should_exit = True
        raise RuntimeError("the dashboard server did not start")
    return LiveServer(url=url, world=world, server=server, thread=thread)
