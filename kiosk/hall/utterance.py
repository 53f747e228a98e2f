"""What a customer's words say besides the business type: how urgent it is, and whether it is a question.

`read(text, nlu)` combines the assistant's parse of the text (its `urgency`
entity and its intent) with deterministic rules an operator extends without
code: config/utterance.yml (urgency patterns, materials questions) and
config/faq.yml (hall facts). Without a parse (the touch menu while the
assistant is down) the rules alone decide. Pure and fast: the files are read
once, the patterns compiled once; a reading is a few regular-expression
searches on one line of text.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from kiosk import yamlfile
from kiosk.textfold import fold, half_width, simplified

ROOT = Path(__file__).resolve().parents[2]
UTTERANCE_FILE = ROOT / "config" / "utterance.yml"
FAQ_FILE = ROOT / "config" / "faq.yml"

# the most severe first: when the rules and the assistant disagree, the more severe kind is read
URGENCIES = ("danger", "outage", "anger")
QUESTIONS = ("materials", "faq")
URGENCY_ENTITY = "urgency"
# the business type of hall and policy questions: a question no FAQ entry
# answers is still a question (a guide answers it), never a ticket
GENERAL_INQUIRY = "general_inquiry"
# intents that name no particular business: a materials question with one of
# them is about documents in general (the FAQ), not one business's checklist
NO_BUSINESS = frozenset({GENERAL_INQUIRY, "unclear_request", "out_of_scope", "chitchat", "nlu_fallback"})
_FALLBACK = "nlu_fallback"
_FAQ_ID = re.compile(r"^[a-z0-9_]+$")
# how much a question must resemble an entry's example (cosine of Chinese
# character pairs and English words) to be answered by it without a keyword
SIMILAR = 0.5
_RUNS = re.compile(r"[a-z0-9']+|[\u3400-\u9fff]+")
_STOP = frozenset(
    "a an the is are am be do does did i we you your my our me it this that there here to of in on at for "
    "with can could will would should what where when which who how please".split()
)


class UtteranceConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Reading:
    """urgency: danger | outage | anger | None; question: materials | faq | None;
    faq: the config/faq.yml entry answering the question (None: nobody configured one)."""

    urgency: str | None = None
    question: str | None = None
    faq: str | None = None


@dataclass(frozen=True)
class FaqEntry:
    id: str
    keywords: tuple[tuple[re.Pattern[str], ...], ...]
    exceptions: tuple[re.Pattern[str], ...]
    examples: tuple[str, ...]
    answer_zh: str
    answer_en: str
    example_grams: tuple[Counter[str], ...] = ()

    def excluded(self, folded: str) -> bool:
        return any(p.search(folded) for p in self.exceptions)

    def score(self, folded: str) -> int:
        return sum(all(p.search(folded) for p in item) for item in self.keywords)

    def resemblance(self, grams: Counter[str]) -> float:
        return max((_cosine(grams, example) for example in self.example_grams), default=0.0)

    def answer(self, language: str = "zh") -> str:
        return self.answer_en if language == "en" else self.answer_zh


@dataclass(frozen=True)
class _Kind:
    patterns: tuple[re.Pattern[str], ...]
    exceptions: tuple[re.Pattern[str], ...]

    def excluded(self, folded: str) -> bool:
        return any(p.search(folded) for p in self.exceptions)

    def matches(self, folded: str) -> bool:
        return any(p.search(folded) for p in self.patterns) and not self.excluded(folded)


class Reader:
    """The rules of one pair of files; `read` below uses the hall's config/ files."""

    def __init__(
        self,
        urgency: Mapping[str, _Kind],
        materials: Sequence[re.Pattern[str]],
        asking: Sequence[re.Pattern[str]],
        faq: Sequence[FaqEntry],
    ) -> None:
        self._urgency = dict(urgency)
        self._materials = tuple(materials)
        self._asking = tuple(asking)
        self.faq = {entry.id: entry for entry in faq}

    @classmethod
    def from_files(cls, utterance_file: Path = UTTERANCE_FILE, faq_file: Path = FAQ_FILE) -> Reader:
        rules = _load_yaml(utterance_file)
        urgency = rules.get("urgency") or {}
        unknown = set(urgency) - set(URGENCIES)
        if unknown:
            raise UtteranceConfigError(f"{utterance_file}: unknown urgency kinds {sorted(unknown)}")
        kinds = {
            kind: _Kind(
                _patterns(utterance_file, (urgency.get(kind) or {}).get("patterns")),
                _patterns(utterance_file, (urgency.get(kind) or {}).get("except")),
            )
            for kind in URGENCIES
        }
        questions = rules.get("questions") or {}
        materials = _patterns(utterance_file, questions.get("materials"))
        asking = _patterns(utterance_file, questions.get("asking"))
        entries = [_faq_entry(faq_file, raw) for raw in (_load_yaml(faq_file).get("faq") or [])]
        ids = [e.id for e in entries]
        if len(ids) != len(set(ids)):
            raise UtteranceConfigError(f"{faq_file}: repeated entry ids")
        return cls(kinds, materials, asking, entries)

    def read(self, text: str, nlu: Mapping[str, Any] | None = None) -> Reading:
        folded = fold(text or "")
        if not folded:
            return Reading()
        intent = _top_intent(nlu)
        return Reading(self._urgency_of(folded, nlu), *self._question_of(folded, intent, nlu))

    def _urgency_of(self, folded: str, nlu: Mapping[str, Any] | None) -> str | None:
        found = {kind for kind, rule in self._urgency.items() if rule.matches(folded)}
        said = _entity_value(nlu, URGENCY_ENTITY)
        if said in self._urgency and not self._urgency[said].excluded(folded):
            found.add(said)
        return next((kind for kind in URGENCIES if kind in found), None)

    def _question_of(
        self, folded: str, intent: str | None, nlu: Mapping[str, Any] | None
    ) -> tuple[str | None, str | None]:
        worded_as_question = any(p.search(folded) for p in self._asking)
        asks = intent == GENERAL_INQUIRY or worded_as_question
        entry = self._faq_entry(folded) if asks else None
        if any(p.search(folded) for p in self._materials):
            # "交电费要带什么" asks for that business's checklist; when the
            # assistant heard no business in it, a matching hall fact
            # ("来营业厅办事一般带什么证件") answers instead
            if entry is None or intent not in NO_BUSINESS:
                return "materials", None
        if entry is not None:
            return "faq", entry.id
        said = ((nlu or {}).get("intent") or {}).get("name")
        # a hall or policy question nobody configured, or a question the
        # assistant could not place and that names no business: a guide answers it
        if intent == GENERAL_INQUIRY and said != _FALLBACK:
            return "faq", None
        if said == _FALLBACK and intent in NO_BUSINESS and worded_as_question:
            return "faq", None
        return None, None

    def _faq_entry(self, folded: str) -> FaqEntry | None:
        entries = [entry for entry in self.faq.values() if not entry.excluded(folded)]
        best, best_score = None, 0
        for entry in entries:
            score = entry.score(folded)
            if score > best_score:
                best, best_score = entry, score
        if best is not None:
            return best
        grams = _grams(folded)
        closest, resemblance = None, SIMILAR
        for entry in entries:
            r = entry.resemblance(grams)
            if r >= resemblance:
                closest, resemblance = entry, r
        return closest


def _grams(folded: str) -> Counter[str]:
    """Chinese character pairs and English words (without the commonest ones) of a folded text."""
    grams: Counter[str] = Counter()
    for run in _RUNS.findall(folded):
        if run.isascii():
            if run not in _STOP:
                grams[run] += 1
        elif len(run) == 1:
            grams[run] += 1
        else:
            grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return grams


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    dot = sum(n * b[g] for g, n in a.items() if g in b)
    if not dot:
        return 0.0
    return dot / math.sqrt(sum(n * n for n in a.values()) * sum(n * n for n in b.values()))


def _top_intent(nlu: Mapping[str, Any] | None) -> str | None:
    """The assistant's own guess: under nlu_fallback, the first intent after it in the ranking."""
    if not nlu:
        return None
    ranking = [r.get("name") for r in nlu.get("intent_ranking") or [] if r.get("name") != _FALLBACK]
    if ranking:
        return ranking[0]
    name = (nlu.get("intent") or {}).get("name")
    return name if name != _FALLBACK else None


def _entity_value(nlu: Mapping[str, Any] | None, entity: str) -> str | None:
    for found in (nlu or {}).get("entities") or []:
        if found.get("entity") == entity:
            return str(found.get("value"))
    return None


def _load_yaml(path: Path) -> dict:
    try:
        data = yamlfile.read(path) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise UtteranceConfigError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise UtteranceConfigError(f"{path}: expected a mapping at the top")
    return data


def _patterns(path: Path, raw: Iterable[str] | None) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for source in raw or ():
        try:
            # folded like the text, but not lower-cased: \S is not \s
            compiled.append(re.compile(simplified(half_width(str(source))), re.IGNORECASE))
        except re.error as exc:
            raise UtteranceConfigError(f"{path}: bad pattern {source!r}: {exc}") from exc
    return tuple(compiled)


def _word(word: object) -> re.Pattern[str]:
    """A keyword as a pattern: a substring in Chinese, a whole word in English ("fee" is not in "coffee")."""
    if isinstance(word, bool) or not isinstance(word, str | int):
        # YAML reads an unquoted on, off, yes or no as true or false
        raise UtteranceConfigError(f"keyword {word!r} is not a word: put it in quotes ('on')")
    folded = fold(str(word))
    if not folded:
        raise UtteranceConfigError(f"empty keyword {word!r}")
    # not \b: between "8" and "能" in "95598能报修吗" there is no \b (both are word characters)
    left = "(?<![a-z0-9])" if folded[0].isascii() and folded[0].isalnum() else ""
    right = "(?![a-z0-9])" if folded[-1].isascii() and folded[-1].isalnum() else ""
    return re.compile(left + re.escape(folded) + right)


def _faq_entry(path: Path, raw: Mapping[str, Any]) -> FaqEntry:
    entry_id = str(raw.get("id") or "")
    if not _FAQ_ID.match(entry_id):
        raise UtteranceConfigError(f"{path}: entry id {entry_id!r} must be lower-case letters, digits and _")
    answer = raw.get("answer") or {}
    if not answer.get("zh") or not answer.get("en"):
        raise UtteranceConfigError(f"{path}: {entry_id}: answer needs zh and en")
    by_language = raw.get("keywords") or {}
    if not isinstance(by_language, dict):
        raise UtteranceConfigError(f"{path}: {entry_id}: keywords are lists under zh and en")
    keywords = tuple(
        tuple(_word(w) for w in (item if isinstance(item, list) else [item]))
        for items in by_language.values()
        for item in items or ()
    )
    if not keywords:
        raise UtteranceConfigError(f"{path}: {entry_id}: no keywords")
    examples = tuple(str(e) for e in raw.get("examples") or ())
    return FaqEntry(
        id=entry_id,
        keywords=keywords,
        exceptions=tuple(_word(w) for w in raw.get("except") or ()),
        examples=examples,
        answer_zh=str(answer["zh"]).strip(),
        answer_en=str(answer["en"]).strip(),
        example_grams=tuple(_grams(fold(e)) for e in examples),
    )


@cache
def hall_reader() -> Reader:
    """The reader of the hall's config/utterance.yml and config/faq.yml (read once)."""
    return Reader.from_files()


def read(text: str, nlu: dict | None = None) -> Reading:
    """How urgent `text` is and whether it is a question; `nlu` is the assistant's parse of it, if any."""
    return hall_reader().read(text, nlu)


def faq_entry(faq_id: str) -> FaqEntry | None:
    """The hall's FAQ entry `faq_id` (its answer in zh and en), or None."""
    return hall_reader().faq.get(faq_id)
