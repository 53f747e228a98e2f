"""Masking phone, ID-card, bank-card and account numbers wherever staff read them: one normaliser for all.

A number is found however it was typed or heard: full-width digits
(１３８), spaces and dashes of any kind between the digits, a +86 or 0086
country prefix. Its digits decide what it is:

- a mainland mobile (11 digits from 13 to 19, after any country prefix):
  138****5678;
- an ID card (15 digits, or 17 and a check digit or X): 110101********123X;
- anything else of 10 digits or more (bank cards, electricity and bank
  account numbers, landlines with their area code): all but the last 4 hidden.

Shorter runs (ticket numbers, dates, times, amounts) are left as they are;
a longer one is hidden wherever it stands, even inside a code.
`text` masks a string, `deep` every string inside a JSON-like value.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# a dash of any kind, or white space (the ideographic space too), between two digits
SEPARATOR = r"[\s\-\u2010-\u2015\u2212\ufe58\ufe63\uff0d]"
# wherever it stands: a number run into letters ("X13812345678") is a number all the same
_NUMBER = re.compile(
    rf"(?:[+\uff0b]{SEPARATOR}?)?"  # +86 / ＋86
    rf"\d(?:{SEPARATOR}?\d)*"
    rf"(?:{SEPARATOR}?[Xx\uff38\uff58])?"  # an ID card's check character
)
_MOBILE = re.compile(r"1[3-9]\d{9}")
MIN_DIGITS = 10  # below this a run is a date, a time, an amount or a ticket number


def normalize(raw: str) -> str:
    """The number's characters as plain ASCII: digits (and a final X), no prefix sign or separators."""
    text = unicodedata.normalize("NFKC", raw or "")
    out = [str(unicodedata.decimal(ch)) if ch.isdecimal() else ch.upper() for ch in text]
    return "".join(ch for ch in out if ch.isdigit() or ch == "X")


def national(raw: str) -> str:
    """`normalize` without a +86 / 0086 / 86 country prefix in front of a mobile number."""
    number = normalize(raw)
    for prefix in ("0086", "86"):
        if number.startswith(prefix) and _MOBILE.fullmatch(number[len(prefix) :]):
            return number[len(prefix) :]
    return number


def _masked_number(number: str) -> str | None:
    """The masked form of a normalized number, or None when it is not one to hide."""
    if _MOBILE.fullmatch(number):
        return f"{number[:3]}****{number[-4:]}"
    # a 15-digit ID card has no check character; only the 18-digit one may end in X
    if (len(number) == 15 and number.isdigit()) or (len(number) == 18 and number[:-1].isdigit()):
        return f"{number[:6]}{'*' * (len(number) - 10)}{number[-4:]}"
    if len(number) >= MIN_DIGITS and number.isdigit():
        return "*" * (len(number) - 4) + number[-4:]
    return None


def _mask_match(match: re.Match[str]) -> str:
    found = match.group(0)
    masked = _masked_number(national(found))
    if masked is None and found[-1] in "XxＸｘ":  # not an ID card after all: the X is a word's letter
        masked = _masked_number(national(found[:-1]))
        return found if masked is None else masked + found[-1]
    return found if masked is None else masked


def phone(number: str) -> str:
    """A known phone number (a field, not free text), masked."""
    digits = national(number)
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 7 else "****"


def name(value: str) -> str:
    """A person's name as lists show it: the first character (a Chinese surname), the rest hidden."""
    value = value.strip()
    return value[:1] + "*" * min(len(value) - 1, 3) if value else value


def text(value: str) -> str:
    """Mask every phone, ID-card, bank-card and account number inside free text (dialog lines, notes)."""
    return _NUMBER.sub(_mask_match, value) if value else value


def deep(value: Any) -> Any:
    """`text` applied to every string inside a JSON-like value (event data, audit details)."""
    if isinstance(value, str):
        return text(value)
    if isinstance(value, dict):
        return {k: deep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [deep(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**MIN_DIGITS:
        return text(str(value))
    return value
