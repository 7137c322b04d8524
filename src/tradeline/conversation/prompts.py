"""What the receptionist says, in English and Canadian French. At most two sentences per reply:
replies are spoken on the phone."""

from __future__ import annotations

from typing import Final

QUESTIONS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "job": "How can we help you today?",
        "name": "May I have your name, please?",
        "callback": "Is {number} the best number to reach you?",
        "callback_none": "What's the best number to reach you?",
        "address": "What's the address where you need the work done?",
        "when": "When would be a good time for us to come by?",
        "email": "What's your email address, so we can send you a confirmation?",
        "anything_else": "Is there anything else I can help you with?",
    },
    "fr": {
        "job": "Comment pouvons-nous vous aider aujourd'hui?",
        "name": "Puis-je avoir votre nom, s'il vous plaît?",
        "callback": "Est-ce que le {number} est le meilleur numéro pour vous joindre?",
        "callback_none": "Quel est le meilleur numéro pour vous joindre?",
        "address": "Quelle est l'adresse où les travaux doivent être faits?",
        "when": "Quel moment vous conviendrait pour notre visite?",
        "email": "Quelle est votre adresse courriel, pour vous envoyer une confirmation?",
        "anything_else": "Puis-je vous aider avec autre chose?",
    },
}

PHRASES: Final[dict[str, dict[str, str]]] = {
    "en": {
        "greeting": "{greeting}. You're speaking with an automated assistant.",
        "greeting_sms": "{greeting}. This is the automated assistant.",
        "ack_name": "Thanks, {first}.",
        "ack": "Got it.",
        "emergency": "That sounds urgent — I'm alerting our on-call technician right now.",
        "emergency_voice": "That sounds urgent, so I'm connecting you to our on-call technician now.",
        "gas": "Please get everyone out of the building now and call 911 from outside; we're alerting our on-call technician.",
        "gas_voice": "Please get everyone out of the building and call 911 from outside; I'm connecting you to our on-call technician now.",
        "added": "Got it, I've added that to your request.",
        "emergency_followup": "I've flagged this as urgent and our on-call technician will call you back right away.",
        "emergency_no_answer": "Our on-call technician couldn't pick up just now, so let me take your details.",
        "noted_time": "I've noted {when}.",
        "outside_hours": "We're closed then; the next opening is {alternative}.",
        "past_time": "That time has already passed.",
        "wrap_up": "Thanks{name}, we have everything we need and someone will call you back at {number}.",
        "wrap_up_urgent": "Thanks{name}, our on-call technician will call you back at {number} as soon as possible.",
        "goodbye": "Goodbye!",
        "hedge": "I believe {answer} — I'll have someone confirm that.",
        "bare_no": "Unfortunately, no — we don't.",
        "not_offered": "Sorry, we don't do {service}.",
        "hedge_not_offered": "I don't believe we do {service} — I'll have someone confirm that.",
        "identity": "You've reached {name}.",
        "identity_yes": "Yes, you've reached {name}.",
        "identity_no": "No, this is {name}; you may have the wrong number.",
        "wrong_number": "No problem — sorry for the mix-up. Goodbye!",
        "not_for_us": "Sorry, you've reached {name}; you may have the wrong number.",
        "unsure": "I'm not sure about that, so I'll have someone from the team confirm.",
        "no_area": "Unfortunately we don't serve {place}; our service area is {areas}.",
        "no_service": "Unfortunately we don't offer {service}; we do {services}.",
        "hours": "Our hours on {day} are {span}.",
        "closed_day": "We're closed on {day}.",
        "hours_all": "Our hours are {summary}.",
        "refuse": "I can't share that, but I'm happy to help with your own request.",
        "transfer": "Let me connect you with someone from the team.",
        "repeat": "Sorry, I didn't catch that.",
        "spam": "Thanks, but we're not interested.",
        "welcome_back": "Good to hear from you again.",
    },
    "fr": {
        "greeting": "{greeting}. Vous parlez avec un assistant automatisé.",
        "greeting_sms": "{greeting}. Ici l'assistant automatisé.",
        "ack_name": "Merci, {first}.",
        "ack": "C'est noté.",
        "emergency": "Ça semble urgent — j'alerte notre technicien de garde tout de suite.",
        "emergency_voice": "Ça semble urgent, je vous transfère à notre technicien de garde.",
        "gas": "Faites sortir tout le monde du bâtiment maintenant et appelez le 911 de l'extérieur; nous alertons notre technicien de garde.",
        "gas_voice": "Faites sortir tout le monde du bâtiment et appelez le 911 de l'extérieur; je vous transfère à notre technicien de garde.",
        "added": "C'est noté, je l'ai ajouté à votre demande.",
        "emergency_followup": "J'ai signalé l'urgence et notre technicien de garde va vous rappeler tout de suite.",
        "emergency_no_answer": "Notre technicien de garde n'a pas pu répondre tout de suite, alors je vais prendre vos coordonnées.",
        "noted_time": "J'ai noté {when}.",
        "outside_hours": "Nous sommes fermés à ce moment-là; la prochaine disponibilité est {alternative}.",
        "past_time": "Ce moment est déjà passé.",
        "wrap_up": "Merci{name}, nous avons tout ce qu'il faut et quelqu'un vous rappellera au {number}.",
        "wrap_up_urgent": "Merci{name}, notre technicien de garde vous rappellera au {number} dès que possible.",
        "goodbye": "Au revoir!",
        "hedge": "Je crois que {answer} — je vais le faire confirmer par l'équipe.",
        "bare_no": "Malheureusement, non.",
        "not_offered": "Désolé, nous n'offrons pas ce service : {service}.",
        "hedge_not_offered": "Je ne crois pas que nous offrions ce service ({service}) — je vais le faire confirmer par l'équipe.",
        "identity": "Vous êtes chez {name}.",
        "identity_yes": "Oui, vous êtes bien chez {name}.",
        "identity_no": "Non, ici {name}; vous avez peut-être fait le mauvais numéro.",
        "wrong_number": "Pas de problème, désolé pour la confusion. Au revoir!",
        "not_for_us": "Désolé, vous êtes chez {name}; vous avez peut-être fait le mauvais numéro.",
        "unsure": "Je ne suis pas certain, alors je vais le faire confirmer par quelqu'un de l'équipe.",
        "no_area": "Malheureusement, nous ne desservons pas {place}; nous desservons {areas}.",
        "no_service": "Malheureusement, nous n'offrons pas {service}; nous faisons {services}.",
        "hours": "Nos heures le {day} sont {span}.",
        "closed_day": "Nous sommes fermés le {day}.",
        "hours_all": "Nos heures sont {summary}.",
        "refuse": "Je ne peux pas partager cela, mais je peux vous aider avec votre demande.",
        "transfer": "Je vous mets en contact avec quelqu'un de l'équipe.",
        "repeat": "Désolé, je n'ai pas bien compris.",
        "spam": "Merci, mais ça ne nous intéresse pas.",
        "welcome_back": "Heureux de vous reparler.",
    },
}

DAY_NAMES: Final[dict[str, dict[str, str]]] = {
    "en": {
        "mon": "Monday",
        "tue": "Tuesday",
        "wed": "Wednesday",
        "thu": "Thursday",
        "fri": "Friday",
        "sat": "Saturday",
        "sun": "Sunday",
    },
    "fr": {
        "mon": "lundi",
        "tue": "mardi",
        "wed": "mercredi",
        "thu": "jeudi",
        "fri": "vendredi",
        "sat": "samedi",
        "sun": "dimanche",
    },
}


def question(lang: str, slot: str, **values: str) -> str:
    return QUESTIONS[lang][slot].format(**values)


def phrase(lang: str, key: str, **values: str) -> str:
    return PHRASES[lang][key].format(**values)


def speak_number(e164: str, lang: str) -> str:
    """+14035550199 → '403-555-0199' (NANP) — read back digit groups a caller can check."""
    digits = e164.lstrip("+")
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[1:4]}-{digits[4:7]}-{digits[7:]}"
    return e164


def speak_time(moment: object, lang: str) -> str:
    from datetime import datetime

    if not isinstance(moment, datetime):
        return str(moment)
    day = DAY_NAMES[lang][("mon", "tue", "wed", "thu", "fri", "sat", "sun")[moment.weekday()]]
    if lang == "fr":
        minutes = f"{moment.minute:02d}" if moment.minute else ""
        return f"{day} {moment.day} à {moment.hour} h {minutes}".rstrip()
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{day} the {moment.day}{_ordinal(moment.day)} at {hour}{minutes} {suffix}"


def _ordinal(day: int) -> str:
    if 11 <= day % 100 <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
