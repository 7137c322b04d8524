"""docs/examples stays what the code produces, and its receiver recipe accepts our signature."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def _module(name: str) -> dict[str, Any]:
    return runpy.run_path(str(EXAMPLES / name), run_name=f"examples_{name[:-3]}")


def test_committed_examples_match_the_code(tmp_path: Path) -> None:
    generate = _module("generate.py")
    written = generate["generate"](tmp_path)
    assert {p.name for p in written} == {
        "owner-email.txt",
        "owner-email.html",
        "webhook-lead.created.json",
        "webhook-lead.created.http",
        "slack-lead.created.json",
        "teams-lead.created.json",
    }
    for path in written:
        committed = EXAMPLES / path.name
        assert committed.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), (
            f"{committed} is stale: run .venv/bin/python docs/examples/generate.py"
        )
    html = (EXAMPLES / "owner-email.html").read_text(encoding="utf-8")
    assert "Bow River Plumbing &amp; Heating" in html and 'href="tel:+14035550199"' in html
    text = (EXAMPLES / "owner-email.txt").read_text(encoding="utf-8")
    assert text.startswith("Subject: New lead — Bow River Plumbing & Heating: Jordan Lee\n")


def test_the_receiver_recipe_verifies_the_example_with_only_the_secret() -> None:
    recipe = _module("verify_webhook.py")
    generate = _module("generate.py")
    headers, body = recipe["read_http"](EXAMPLES / "webhook-lead.created.http")
    signature = headers["tradeline-signature"]
    signed_at = generate["SIGNED_AT"]
    assert recipe["verify"](generate["SECRET"], signature, body, now=signed_at + 60)
    assert not recipe["verify"](generate["SECRET"], signature, body, now=signed_at + 301)
    assert not recipe["verify"]("whsec_other", signature, body, now=signed_at)
    assert not recipe["verify"](generate["SECRET"], signature, body + b" ", now=signed_at)
    # Our own checker agrees with the recipe.
    from tradeline.integrations.webhooks.signature import verify

    assert verify(generate["SECRET"], signature, body, now=signed_at)
