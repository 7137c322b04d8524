"""The installable app: web manifest, service worker (served from the root so its scope is the
whole dashboard) and the offline page it shows when the network is gone.

The worker caches only the public shell (styles, script, icons, the offline page), never a
signed-in page: those carry personal data and must not outlive the session on a shared device.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from tradeline.dashboard.web import DashboardRoute, render, request_locale

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)
STATIC = Path(__file__).resolve().parent.parent / "static"
SHELL = (
    "/offline",
    "/static/app.css",
    "/static/app.js",
    "/static/icons/icon.svg",
    "/static/icons/icon-192.png",
)


@cache
def _version() -> str:
    """Changes whenever a shell file changes, so browsers install the new worker."""
    digest = hashlib.sha256()
    for name in ("app.css", "app.js", "sw.js"):
        digest.update((STATIC / name).read_bytes())
    digest.update((Path(__file__).parent.parent / "templates" / "offline.html").read_bytes())
    return digest.hexdigest()[:12]


@router.get("/manifest.webmanifest")
async def manifest(request: Request) -> Response:
    french = request_locale(request) == "fr"
    body = {
        "name": "TradeLine",
        "short_name": "TradeLine",
        "description": (
            "Votre réceptionniste IA répond à chaque appel et texto."
            if french
            else "Your AI receptionist answers every call and text."
        ),
        "lang": "fr-CA" if french else "en",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b2e4f",
        "icons": [
            {"src": "/static/icons/icon.svg", "sizes": "any", "type": "image/svg+xml"},
            {"src": "/static/icons/icon-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": "/static/icons/icon-512.png", "sizes": "512x512", "type": "image/png"},
            {
                "src": "/static/icons/maskable-512.png",
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return Response(
        json.dumps(body, ensure_ascii=False),
        media_type="application/manifest+json",
        headers={"Cache-Control": "public, max-age=3600"},
    )


@router.get("/sw.js")
async def service_worker() -> Response:
    script = (STATIC / "sw.js").read_text(encoding="utf-8")
    script = script.replace("__VERSION__", _version()).replace("__SHELL__", json.dumps(SHELL))
    return Response(
        script,
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


@router.get("/offline")
async def offline(request: Request) -> Response:
    response = render(request, "offline.html", {})
    response.headers["Cache-Control"] = "no-cache"
    return response
