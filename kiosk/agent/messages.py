"""What the customer hears, built from the spoken lines of the translation layer."""

from __future__ import annotations

import datetime as dt

from kiosk.i18n import t as translate

_DIGITS_ZH = "零一二三四五六七八九"


def t(message_id: str, lang: str = "zh", **values) -> str:
    """The project's translation layer (kiosk/i18n, catalog/speech.yml), for the spoken lines."""
    return translate(f"speech.{message_id}", lang, **values)


def time_of_day_id(now: dt.datetime) -> str:
    h = now.hour
    if 5 <= h < 12:
        return "greeting.morning"
    if 12 <= h < 18:
        return "greeting.afternoon"
    if 18 <= h < 23:
        return "greeting.evening"
    return "greeting.hello"


def greeting_text(now: dt.datetime, lang: str = "zh", *, rain: bool = False, wet_floor: bool = False) -> str:
    """早上好，欢迎光临 (by the hall's local time), plus the umbrella or wet-floor line when flagged."""
    if lang == "zh":
        parts = [f"{t(time_of_day_id(now), lang)}，{t('greeting.welcome', lang)}。"]
        if rain:
            parts.append(t("greeting.umbrella", lang) + "。")
        if wet_floor:
            parts.append(t("greeting.wet_floor", lang) + "。")
        return "".join(parts)
    parts = [f"{t(time_of_day_id(now), lang)}, {t('greeting.welcome', lang)}."]
    if rain:
        parts.append(t("greeting.umbrella", lang))
    if wet_floor:
        parts.append(t("greeting.wet_floor", lang))
    return " ".join(parts)


def greeting_parts(
    now: dt.datetime, lang: str = "zh", *, rain: bool = False, wet_floor: bool = False
) -> tuple[str, str | None]:
    """The greeting and, apart, the reminder (umbrella, wet floor) so each can be spoken on its own."""
    greeting = greeting_text(now, lang)
    full = greeting_text(now, lang, rain=rain, wet_floor=wet_floor)
    reminder = full[len(greeting) :].strip() or None
    return greeting, reminder


def spell_ticket(number: str, lang: str = "zh") -> str:
    """A012 is read digit by digit (A零一二), as halls call numbers, not as 'twelve'."""
    if lang == "zh":
        return "".join(_DIGITS_ZH[int(c)] if c.isdigit() else c for c in number)
    return " ".join(number)


def ticket_call_text(number: str, counter: str | int, lang: str = "zh") -> str:
    return t("ticket.call", lang, number=spell_ticket(number, lang), counter=counter)


def ticket_issued_text(number: str, lang: str = "zh") -> str:
    return t("ticket.issued", lang, number=spell_ticket(number, lang))
