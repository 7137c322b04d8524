"""The dashboard's tiny message catalogue: English (the keys) and Canadian French.

English text is its own key, gettext style, so a template reads naturally and a missing French
entry falls back to English instead of showing a key. `tests/dashboard/test_i18n.py` checks that
every string the templates and screens ask for has its French entry.
"""

from __future__ import annotations

from typing import Literal

from tradeline.dashboard.catalogue_fr import FR

Locale = Literal["en", "fr"]
LOCALES: tuple[Locale, ...] = ("en", "fr")
LANGUAGE_NAMES: dict[Locale, str] = {"en": "English", "fr": "Français (Canada)"}


# Codes the data carries (statuses, channels, roles…) and the English words owners read.
EN_LABELS: dict[str, str] = {
    # lead statuses
    "new": "New",
    "contacted": "Contacted",
    "booked": "Booked",
    "won": "Won",
    "lost": "Lost",
    # channels, providers
    "voice": "Call",
    "sms": "Text",
    "web": "Web form",
    "import": "Import",
    "email": "Email",
    "webhook": "Webhook",
    "call": "Call",
    # intents
    "service_request": "Service request",
    "quote": "Quote",
    "question": "Question",
    "existing_job": "Existing job",
    "spam": "Spam",
    "other": "Other",
    # call and message statuses
    "ringing": "Ringing",
    "in-progress": "In progress",
    "completed": "Completed",
    "busy": "Busy",
    "no-answer": "No answer",
    "failed": "Failed",
    "canceled": "Canceled",
    "queued": "Queued",
    "accepted": "Accepted",
    "sending": "Sending",
    "sent": "Sent",
    "receiving": "Receiving",
    "received": "Received",
    "delivered": "Delivered",
    "undelivered": "Undelivered",
    "read": "Read",
    "inbound": "Incoming",
    "outbound": "Outgoing",
    # consent purposes
    "transactional": "Transactional",
    "marketing": "Marketing",
    "recording": "Recording",
    "all": "Everything",
    # roles
    "admin": "Admin",
    "moderator": "Moderator",
    "member": "Member",
    # job statuses
    "todo": "To do",
    "doing": "Running",
    "succeeded": "Succeeded",
    "cancelled": "Cancelled",
    "aborted": "Aborted",
    # where a recording comes from
    "voicemail": "Voicemail",
    "dial": "Transferred call",
    "conference": "Conference",
    "unknown": "Recording",
    # who wrote a note or did an action
    "user": "Team member",
    "api_key": "API key",
    "system": "TradeLine",
    # alert severities
    "info": "Info",
    "warning": "Warning",
    "error": "Error",
    "critical": "Critical",
}


def normalise(value: str | None) -> Locale:
    """`users.locale` may say fr, fr-CA or fr_CA; anything else is English."""
    return "fr" if value and value.lower().startswith("fr") else "en"


def from_accept_language(header: str | None) -> Locale:
    """Before sign-in: the browser's first preference between English and French."""
    best: tuple[float, Locale] = (0.0, "en")
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        quality -= position * 1e-3  # earlier wins ties
        tag = tag.strip().lower()
        if tag.startswith(("fr", "en")) and quality > best[0]:
            best = (quality, normalise(tag))
    return best[1]


def html_lang(locale: Locale) -> str:
    return "fr-CA" if locale == "fr" else "en"


def translate(locale: Locale, text: str, /, **values: object) -> str:
    """The text in `locale`, with `{name}` placeholders filled from `values`."""
    text = EN_LABELS.get(text, text)
    message = FR.get(text, text) if locale == "fr" else text
    return message.format(**values) if values else message


class Translator:
    """What templates call as `_("…")`."""

    def __init__(self, locale: Locale) -> None:
        self.locale = locale

    def __call__(self, text: str, /, **values: object) -> str:
        return translate(self.locale, text, **values)
