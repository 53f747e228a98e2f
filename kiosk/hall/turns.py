"""One typed turn at the kiosk: what the words say, and the message the assistant is sent for it.

The hall reads every typed turn (kiosk/hall/utterance.py, with the NLU's parse
when the assistant is up). An urgent case or a question must not be confirmed
or ticketed as an ordinary request, whatever intent the words came closest
to, so the assistant is then sent a message that says what was read, in
Rasa's payload form (its original words go along in the metadata):

- urgent:       /request_human{"urgency": "danger"}  (a person now; the hall decides who)
- materials:    /solar_pv{"question": "materials"}   (the business the words named)
- a hall fact:  /general_inquiry{"question": "faq", "faq": "<id>"}

Everything else is sent as typed. A turn clearly written in the other
language than the dialog's switches the dialog to it: the answer is in the
customer's language.
"""

from __future__ import annotations

import json
import re

from kiosk.hall.taxonomy import Taxonomy
from kiosk.hall.utterance import Reading

# a business the words only loosely name still tells which materials are asked about
MATERIALS_MIN_CONFIDENCE = 0.1
_CJK = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"[A-Za-z]{2,}")
# a sentence, not a name typed into a form ("Anna Wang")
ENGLISH_MIN_WORDS = 3


def written_in(text: str) -> str | None:
    """The language a typed turn is clearly written in, if it is: the reply follows it."""
    if _CJK.search(text):
        return "zh"
    return "en" if len(_WORD.findall(text)) >= ENGLISH_MIN_WORDS else None


def business_named(parse: dict | None, taxonomy: Taxonomy) -> tuple[str, float] | None:
    """The likeliest business type of the parse, with its confidence."""
    for item in (parse or {}).get("intent_ranking") or []:
        if item.get("name") in taxonomy.types:
            return item["name"], float(item.get("confidence") or 0.0)
    return None


def assistant_message(text: str, parse: dict | None, reading: Reading, taxonomy: Taxonomy) -> str:
    if reading.urgency:
        return _payload("request_human", {"urgency": reading.urgency})
    if reading.question == "materials":
        named = business_named(parse, taxonomy)
        if named and named[1] >= MATERIALS_MIN_CONFIDENCE:
            return _payload(named[0], {"question": "materials"})
    if reading.question == "faq":
        return _payload(
            "general_inquiry", {"question": "faq", **({"faq": reading.faq} if reading.faq else {})}
        )
    return text


def _payload(intent: str, entities: dict[str, str]) -> str:
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}"
