"""Lead cards: what the owner reads about a lead, an emergency or a voicemail, and the same card
as an email (text + HTML), a Slack message and a Microsoft Teams message.

Pure functions: no database, no I/O. Everything a caller typed is data, never markup: the HTML
part goes through Jinja2 with autoescaping on, Slack text escapes `& < >` as Slack documents, and
Teams text backslash-escapes the Markdown characters Adaptive Cards interpret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, Literal
from zoneinfo import ZoneInfo

from jinja2 import Environment, Template

from tradeline.config import Settings
from tradeline.notification.ports import Email

CardKind = Literal["new_lead", "emergency", "voicemail", "event"]
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
_SPACES = re.compile(r"\s+")

OWNER_FOOTER = (
    "You receive this because this address is the business's notification email in TradeLine."
)

HEADLINES: dict[str, str] = {
    "new_lead": "New lead",
    "emergency": "URGENT — emergency call",
    "voicemail": "New voicemail",
}


@dataclass(frozen=True)
class Card:
    """One notification, channel-neutral. Values are plain text exactly as captured."""

    business: str
    kind: CardKind
    headline: str
    urgent: bool = False
    facts: list[tuple[str, str]] = field(default_factory=list)
    body_label: str | None = None
    body: str | None = None
    links: list[tuple[str, str]] = field(default_factory=list)
    footer: str = OWNER_FOOTER


def base_url(settings: Settings) -> str:
    """Where links in notifications point: the public URL, else the local server."""
    return (settings.public_url or DEFAULT_BASE_URL).rstrip("/")


def call_url(settings: Settings, call_sid: str) -> str:
    """The call with its transcript turns (API, signed-in owner or API key)."""
    return f"{base_url(settings)}/api/v1/calls/{call_sid}"


def lead_url(settings: Settings, lead_id: object) -> str:
    return f"{base_url(settings)}/api/v1/leads/{lead_id}"


def one_line(value: str, limit: int = 200) -> str:
    """Collapse whitespace (a name with a newline must not break a subject line)."""
    text = _SPACES.sub(" ", value).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _moment(value: datetime | str, zone: ZoneInfo) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(zone)


def local_time(value: datetime | str | None, zone: ZoneInfo) -> str | None:
    if value is None:
        return None
    return _moment(value, zone).strftime("%a %d %b %Y, %H:%M %Z")


def window(start: datetime | str | None, end: datetime | str | None, zone: ZoneInfo) -> str | None:
    """ "Thu 19 Nov 2026, 09:00–12:00 MST" for a same-day range, else the start alone."""
    if start is None:
        return None
    first = _moment(start, zone)
    if end is not None:
        last = _moment(end, zone)
        if last.date() == first.date() and last > first:
            return f"{first:%a %d %b %Y, %H:%M}–{last:%H:%M %Z}"
    return local_time(first, zone)


def lead_card(
    kind: CardKind,
    *,
    business: str,
    lead: dict[str, Any] | None,
    zone: ZoneInfo,
    reason: str | None = None,
    voicemail: str | None = None,
    links: list[tuple[str, str]] | None = None,
    extra_facts: list[tuple[str, str]] | None = None,
) -> Card:
    """The card for a lead (the contract's Lead JSON), as the owner should see it first:
    who, how to call back, what they need, how urgent."""
    lead = lead or {}
    urgent = kind == "emergency" or bool(lead.get("emergency"))
    number = lead.get("callback_number") or lead.get("caller_number")
    facts: list[tuple[str, str]] = [
        ("Name", lead.get("caller_name") or "not given"),
        ("Number", number or "not given"),
    ]
    if lead.get("email"):
        facts.append(("Email", str(lead["email"])))
    facts.append(("Job", lead.get("job_summary") or "not given"))
    if lead.get("address"):
        facts.append(("Address", str(lead["address"])))
    wanted = window(lead.get("preferred_datetime"), lead.get("preferred_window_end"), zone)
    if wanted:
        facts.append(("Preferred time", wanted))
    urgency = "EMERGENCY" if urgent else "normal"
    if reason:
        urgency = f"{urgency} ({reason})"
    facts.append(("Urgency", urgency))
    if lead.get("channel"):
        facts.append(("Channel", str(lead["channel"])))
    facts.extend(extra_facts or [])
    headline = HEADLINES.get(kind, "Update")
    if kind == "new_lead" and urgent:
        headline = "New lead — URGENT"
    return Card(
        business=business,
        kind=kind,
        headline=headline,
        urgent=urgent,
        facts=facts,
        body_label="Voicemail" if voicemail else None,
        body=voicemail,
        links=links or [],
    )


_TEXT = """\
{headline} — {business}

{facts}
{body}{links}
{footer}
"""

_HTML_SOURCE = """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ card.headline }} — {{ card.business }}</title></head>
<body style="margin:0;padding:24px;background:#f4f5f7;font-family:Arial,Helvetica,sans-serif;color:#1d2330">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;border:1px solid #dde1e7">
<tr><td style="padding:16px 20px;border-bottom:1px solid #dde1e7;{% if card.urgent %}background:#b3261e;color:#ffffff{% else %}background:#1f4e79;color:#ffffff{% endif %};border-radius:8px 8px 0 0">
<div style="font-size:13px;opacity:.85">{{ card.business }}</div>
<h1 style="margin:4px 0 0;font-size:20px">{{ card.headline }}</h1>
</td></tr>
<tr><td style="padding:12px 20px">
<table role="presentation" cellpadding="0" cellspacing="0" style="width:100%;font-size:15px">
{% for label, value in card.facts %}<tr>
<th scope="row" style="text-align:left;vertical-align:top;padding:6px 12px 6px 0;color:#5b6472;font-weight:normal;white-space:nowrap">{{ label }}</th>
<td style="padding:6px 0;{% if label == 'Urgency' and card.urgent %}color:#b3261e;font-weight:bold{% endif %}">{% if label == 'Number' and value.startswith('+') %}<a href="tel:{{ value }}" style="color:#1f4e79">{{ value }}</a>{% else %}{{ value }}{% endif %}</td>
</tr>
{% endfor %}</table>
{% if card.body %}<h2 style="font-size:15px;margin:16px 0 6px">{{ card.body_label }}</h2>
<blockquote style="margin:0;padding:8px 12px;border-left:3px solid #dde1e7;white-space:pre-wrap">{{ card.body }}</blockquote>
{% endif %}{% if card.links %}<p style="margin:16px 0 4px">{% for label, url in card.links %}<a href="{{ url }}" style="display:inline-block;margin:0 12px 8px 0;color:#1f4e79">{{ label }}</a>{% endfor %}</p>
{% endif %}</td></tr>
<tr><td style="padding:12px 20px;border-top:1px solid #dde1e7;font-size:12px;color:#5b6472">{{ card.footer }}</td></tr>
</table>
</body>
</html>
"""


@cache
def _html_template() -> Template:
    # Compiled on first use: every worker imports this module at start.
    return Environment(autoescape=True, keep_trailing_newline=True).from_string(_HTML_SOURCE)


def render_text(card: Card) -> str:
    width = max((len(label) for label, _ in card.facts), default=0)
    facts = "\n".join(f"{label + ':':<{width + 1}} {value}" for label, value in card.facts)
    body = f"\n{card.body_label}:\n{card.body}\n" if card.body else ""
    links = "".join(f"\n{label}: {url}" for label, url in card.links)
    return _TEXT.format(
        headline=card.headline,
        business=card.business,
        facts=facts,
        body=body,
        links=links + "\n" if links else "",
        footer=card.footer,
    )


def render_html(card: Card) -> str:
    return _html_template().render(card=card)


def subject(card: Card) -> str:
    name = next((value for label, value in card.facts if label == "Name"), None)
    who = f": {name}" if name and name != "not given" else ""
    return one_line(f"{card.headline} — {card.business}{who}", 180)


def render_email(
    card: Card, to: str, attachments: tuple[tuple[str, str, bytes], ...] = ()
) -> Email:
    return Email(
        to=to,
        subject=subject(card),
        text=render_text(card),
        html=render_html(card),
        attachments=attachments,
    )


def slack_escape(value: str) -> str:
    """Slack's own rule: only &, < and > are control characters in message text."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_slack(card: Card) -> dict[str, Any]:
    """An incoming-webhook message: `text` (notifications, fallbacks) plus Block Kit blocks."""
    title = f"{card.headline} — {card.business}"
    lines = [f"*{slack_escape(label)}:* {slack_escape(value)}" for label, value in card.facts]
    if card.body:
        lines.append(f"*{slack_escape(card.body_label or 'Details')}:*\n>{slack_escape(card.body)}")
    links = " · ".join(f"<{url}|{slack_escape(label)}>" for label, url in card.links)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:3000]}},
    ]
    if links:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": links}]})
    return {"text": slack_escape(title), "blocks": blocks}


# What makes emphasis, code or a link; numbers, dots and dashes are left readable.
_TEAMS_MARKDOWN = re.compile(r"([\\`*_\[\]()~])")


def teams_escape(value: str) -> str:
    """Adaptive Card text is Markdown: a caller's `[x](http://…)` must stay text, not a link."""
    return _TEAMS_MARKDOWN.sub(r"\\\1", value)


def render_teams(card: Card) -> dict[str, Any]:
    """A Teams incoming-webhook (or Workflows) message carrying one Adaptive Card."""
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": teams_escape(card.business),
            "isSubtle": True,
            "spacing": "None",
        },
        {
            "type": "TextBlock",
            "text": teams_escape(card.headline),
            "size": "Large",
            "weight": "Bolder",
            "color": "Attention" if card.urgent else "Default",
            "wrap": True,
        },
        {
            "type": "FactSet",
            "facts": [
                {"title": teams_escape(label), "value": teams_escape(value)}
                for label, value in card.facts
            ],
        },
    ]
    if card.body:
        body.append(
            {
                "type": "TextBlock",
                "text": teams_escape(card.body_label or "Details"),
                "weight": "Bolder",
            }
        )
        body.append({"type": "TextBlock", "text": teams_escape(card.body), "wrap": True})
    content: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if card.links:
        content["actions"] = [
            {"type": "Action.OpenUrl", "title": label, "url": url} for label, url in card.links
        ]
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": content}
        ],
    }
