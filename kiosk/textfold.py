"""Customer text as the classifiers and the rules compare it: simplified, half-width, lower case, single spaces.

One folding for the assistant's classifiers (Rasa's Python 3.10 imports it)
and the hall's rules (kiosk/hall/utterance.py), so that both read "電線" as
"电线" and "？" as "?". Only hanziconv's character table besides the
standard library.
"""

from __future__ import annotations

from hanziconv.charmap import simplified_charmap, traditional_charmap

# one character in, one out; where the table repeats a character the first
# mapping wins, as in hanziconv's own HanziConv.toSimplified
_TO_SIMPLIFIED = {
    ord(t): s for t, s in reversed(list(zip(traditional_charmap, simplified_charmap, strict=True)))
}


def half_width(text: str) -> str:
    """Full-width ASCII (ＡＢＣ１２３，？) and the ideographic space to ASCII.

    One character in, one character out, so offsets stay valid for the
    original text (entities are annotated on it).
    """
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - 0xFEE0))
        elif code == 0x3000:
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def simplified(text: str) -> str:
    """Traditional characters to simplified (電費 -> 电费), one for one."""
    return text.translate(_TO_SIMPLIFIED)


def fold(text: str) -> str:
    """Simplified characters, half-width ASCII, lower case, spaces collapsed."""
    return " ".join(simplified(half_width(text)).lower().split())
