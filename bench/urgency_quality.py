"""Urgency and question quality: the real Rasa model and kiosk.hall.utterance.read on a held-out set.

Run from the repository root with the dev environment:

    .venv/bin/python bench/urgency_quality.py --start         # starts Rasa on the current model
    .venv/bin/python bench/urgency_quality.py --rasa-url http://127.0.0.1:5005 --token secret
    .venv/bin/python bench/urgency_quality.py --no-rasa       # the rules alone (menu mode)

The held-out set (bench/data/urgency_heldout.yml) is written apart from the
training data and the rules and never trained on. The benchmark prints
figures and always exits 0; the targets of issue 13 are printed beside them.

Each text is read three ways: by the rules alone (`read(text)`, the touch
menu when Rasa is down), by the assistant alone (its `urgency` entity; its
intent for the business type) and by both (`read(text, parse)`, what the
kiosk does). Definitions:

- urgent recognised: an urgent item read with its own kind (danger, outage,
  anger); "any kind" counts a person summoned for another urgent kind too.
- ordinary wrongly urgent: an ordinary item read as urgent.
- ordinary read as a question: an ordinary request read as materials / faq
  (the customer would get an answer instead of a ticket). Ordinary items
  that are hall or safety questions too (`question: faq`) are not counted
  here but with the questions.
- question answered without a ticket: a materials item read as materials
  with the right business type (Rasa's intent, not nlu_fallback; for the
  rules alone, read as materials: in the menu the tapped button names it); an faq item read as faq with the right entry; a hall
  question nobody configured read as faq with no entry, or declined by the
  assistant (out_of_scope or request_human: a guide is called either way).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.nlu_examples import load_nlu_examples  # noqa: E402
from kiosk.hall.utterance import QUESTIONS, URGENCIES, URGENCY_ENTITY, Reading, hall_reader  # noqa: E402
from kiosk.textfold import fold  # noqa: E402

DEFAULT_HELDOUT = ROOT / "bench" / "data" / "urgency_heldout.yml"
URGENCY_DATA = ROOT / "assistant" / "data" / "urgency.yml"
TARGETS = {"urgent": 0.95, "false_urgent": 0.02, "answered": 0.90}
GUIDE_INTENTS = {"out_of_scope", "request_human"}


@dataclass(frozen=True)
class Item:
    text: str
    kind: str
    batch: str
    business_type: str | None = None
    faq: str | None = None
    question: str | None = None  # materials | faq: the item asks that (set for every question item)


def load_heldout(path: Path) -> list[Item]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Item(
            str(i["text"]),
            i["kind"],
            i.get("batch", "dev"),
            i.get("business_type"),
            i.get("faq"),
            i.get("question") or (i["kind"] if i["kind"] in ("materials", "faq") else None),
        )
        for i in data["items"]
    ]


def training_texts() -> set[str]:
    texts = {fold(t) for t, _ in load_nlu_examples(ROOT / "nlu")}
    if URGENCY_DATA.exists():
        data = yaml.safe_load(URGENCY_DATA.read_text(encoding="utf-8")) or {}
        texts |= {fold(str(t)) for block in data.get("urgency") or [] for t in block.get("examples") or []}
    # the FAQ entries' examples match questions too
    texts |= {fold(e) for entry in hall_reader().faq.values() for e in entry.examples}
    return texts


# ---------------------------------------------------------------- Rasa


def parse_all(url: str, token: str | None, texts: list[str], timeout: float) -> tuple[list[dict], str]:
    import requests

    endpoint = url.rstrip("/") + "/model/parse"
    params = {"token": token} if token else None
    session = requests.Session()
    parses, latencies = [], []
    for text in texts:
        t0 = time.perf_counter()
        r = session.post(endpoint, params=params, json={"text": text}, timeout=timeout)
        latencies.append(time.perf_counter() - t0)
        r.raise_for_status()
        parses.append(r.json())
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000
    return parses, f"Rasa {endpoint}: {len(texts)} parses, p50 {p50:.0f} ms, p95 {p95:.0f} ms"


def start_rasa(logs: Path):
    """Rasa (and its action server, unused here) on free ports, on the model of the current inputs."""
    from tests.support.assistant import AssistantStack, current_model

    model = current_model()
    if not model.exists():
        sys.exit(f"no model {model.name}: run assistant/scripts/train.sh")
    print(f"starting Rasa on {model.name} (logs in {logs})")
    return AssistantStack(logs, "bench-device-token", hall_url="http://127.0.0.1:9").start()


# ---------------------------------------------------------------- scoring


def intent_name(parse: dict | None) -> str | None:
    return ((parse or {}).get("intent") or {}).get("name")


def nlu_only(parse: dict | None) -> Reading:
    """The assistant's own signals: its urgency entity (no rules, no questions)."""
    for entity in (parse or {}).get("entities") or []:
        if entity.get("entity") == URGENCY_ENTITY:
            return Reading(urgency=str(entity.get("value")))
    return Reading()


def answered(item: Item, reading: Reading, parse: dict | None) -> bool:
    if item.question == "materials":
        # the rules alone (menu mode) know no business type: the tapped button names it
        right_type = parse is None or intent_name(parse) == item.business_type
        return reading.question == "materials" and right_type
    if item.faq is None:
        return (reading.question == "faq" and reading.faq is None) or intent_name(parse) in GUIDE_INTENTS
    return reading.question == "faq" and reading.faq == item.faq


@dataclass
class Figures:
    urgent: dict[str, tuple[int, int]]  # kind -> (recognised, items)
    urgent_any: tuple[int, int]
    false_urgent: tuple[int, int]
    ordinary_question: tuple[int, int]
    answered: dict[str, tuple[int, int]]  # materials / faq -> (answered, items)
    misses: list[tuple[str, str, str]]


def score(items: list[Item], readings: list[Reading], parses: list[dict | None]) -> Figures:
    urgent: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    answers: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    any_ok = n_urgent = false_urgent = n_ordinary = ordinary_question = 0
    misses = []
    for item, reading, parse in zip(items, readings, parses, strict=True):
        got = f"urgency={reading.urgency} question={reading.question} faq={reading.faq} intent={intent_name(parse)}"
        if item.kind in URGENCIES:
            n_urgent += 1
            urgent[item.kind][1] += 1
            any_ok += reading.urgency is not None
            if reading.urgency == item.kind:
                urgent[item.kind][0] += 1
            else:
                misses.append((item.kind, item.text, got))
        elif item.kind == "ordinary":
            n_ordinary += 1
            false_urgent += reading.urgency is not None
            if item.question is None:
                ordinary_question += reading.question is not None
            if reading.urgency is not None or (item.question is None and reading.question is not None):
                misses.append((item.kind, item.text, got))
        if item.question is not None:
            answers[item.question][1] += 1
            if answered(item, reading, parse):
                answers[item.question][0] += 1
            else:
                want = item.business_type if item.question == "materials" else item.faq
                misses.append((f"{item.question}:{want}", item.text, got))
    return Figures(
        urgent={k: (v[0], v[1]) for k, v in urgent.items()},
        urgent_any=(any_ok, n_urgent),
        false_urgent=(false_urgent, n_ordinary),
        ordinary_question=(
            ordinary_question,
            sum(1 for i in items if i.kind == "ordinary" and i.question is None),
        ),
        answered={k: (v[0], v[1]) for k, v in answers.items()},
        misses=misses,
    )


def _rate(pair: tuple[int, int]) -> str:
    return f"{pair[0]}/{pair[1]} {pair[0] / max(1, pair[1]):.3f}"


def print_table(results: dict[str, Figures]) -> None:
    names = list(results)
    w = 16
    print(f"{'':36s}" + "".join(f"{n:>{w}s}" for n in names) + f"{'target':>{w}s}")
    print("-" * (36 + w * (len(names) + 1)))

    def row(label: str, get: Callable[[Figures], tuple[int, int] | None], target: str = "") -> None:
        cells = []
        for n in names:
            pair = get(results[n])
            cells.append(_rate(pair) if pair else "-")
        print(f"{label:36s}" + "".join(f"{c:>{w}s}" for c in cells) + f"{target:>{w}s}")

    def total(d: dict[str, tuple[int, int]]) -> tuple[int, int]:
        return sum(v[0] for v in d.values()), sum(v[1] for v in d.values())

    row("urgent recognised (own kind)", lambda f: total(f.urgent), f">= {TARGETS['urgent']}")
    for kind in URGENCIES:
        row(f"  {kind}", lambda f, k=kind: f.urgent.get(k))
    row("urgent recognised (any kind)", lambda f: f.urgent_any)
    row("ordinary wrongly urgent", lambda f: f.false_urgent, f"<= {TARGETS['false_urgent']}")
    row("ordinary read as a question", lambda f: f.ordinary_question)
    row("questions answered, no ticket", lambda f: total(f.answered), f">= {TARGETS['answered']}")
    for kind in QUESTIONS:
        row(f"  {kind}", lambda f, k=kind: f.answered.get(k))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--heldout", type=Path, default=DEFAULT_HELDOUT)
    ap.add_argument("--rasa-url", default=os.environ.get("RASA_URL", "http://127.0.0.1:5005"))
    ap.add_argument("--token", default=os.environ.get("RASA_TOKEN"))
    ap.add_argument(
        "--start", action="store_true", help="start Rasa on the current model (tests/support/assistant.py)"
    )
    ap.add_argument("--no-rasa", action="store_true", help="the rules alone")
    ap.add_argument("--batch", help="only the items of this batch (dev or final)")
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--misses", type=int, default=40, help="how many misses of the combined reading to list")
    args = ap.parse_args(argv)

    items = load_heldout(args.heldout)
    if args.batch:
        items = [i for i in items if i.batch == args.batch]
    kinds = Counter(i.kind for i in items)
    batches = Counter(i.batch for i in items)
    print(
        f"held-out set: {len(items)} items from {args.heldout.relative_to(ROOT)}: "
        + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
        + " ("
        + ", ".join(f"{b} {n}" for b, n in sorted(batches.items()))
        + ")"
    )
    seen = training_texts()
    overlap = [i.text for i in items if fold(i.text) in seen]
    if overlap:
        print(f"  WARNING: {len(overlap)} held-out texts are in the training data: {overlap[:5]}")
    zh = sum(1 for i in items if any("\u4e00" <= ch <= "\u9fff" for ch in i.text))
    print(f"  {zh} Chinese, {len(items) - zh} English")

    reader = hall_reader()
    texts = [i.text for i in items]
    t0 = time.perf_counter()
    rules = [reader.read(t) for t in texts]
    per_read = (time.perf_counter() - t0) / max(1, len(texts)) * 1e6
    print(
        f"rules: config/utterance.yml, config/faq.yml ({len(reader.faq)} entries); {per_read:.0f} µs per read"
    )
    results = {"rules": score(items, rules, [None] * len(items))}

    stack = None
    if not args.no_rasa:
        url, token = args.rasa_url, args.token
        if args.start:
            stack = start_rasa(Path(tempfile.mkdtemp(prefix="urgency-bench-")))
            url, token = stack.rasa_url, stack.token
        try:
            parses, note = parse_all(url, token, texts, args.timeout)
            print(note)
            results["rasa"] = score(items, [nlu_only(p) for p in parses], parses)
            combined = [reader.read(t, p) for t, p in zip(texts, parses, strict=True)]
            results["rasa + rules"] = score(items, combined, parses)
        except Exception as exc:  # the benchmark reports, it never crashes
            print(f"Rasa not evaluated ({url}): {type(exc).__name__}: {exc}")
        finally:
            if stack is not None:
                stack.stop()
    print()
    print_table(results)
    last = list(results)[-1]
    misses = results[last].misses
    print(f"\n[{last}] misses ({len(misses)}):")
    for kind, text, got in misses[: args.misses]:
        print(f"  {kind:34s} {text}  ->  {got}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
