"""Fast 5-fold cross-validation of the intent classifier alone, for whoever writes NLU data.

Usage: .venv-rasa/bin/python assistant/scripts/intent_cv.py [--folds 5] [--errors]
           [--min-macro-f1 F] [--min-business-f1 F]

Fits the pipeline's LinearIntentClassifier model (same text folding, same
n-grams, C and solver as assistant/config.yml) on stratified folds of nlu/ and
prints per-intent F1 in a few minutes. `make eval` (rasa-test-nlu, the whole
pipeline's cross-validation) stays the reference figure; this one is for
iterating on data, and `make test` runs it with floors: it exits 1 when the
intent macro F1 or the F1 of a business type is below them.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from assistant.components.linear_intent_classifier import LinearIntentClassifier  # noqa: E402
from assistant.components.linear_text_model import SETTINGS, LinearTextModel  # noqa: E402
from assistant.nlu_examples import load_nlu_examples  # noqa: E402
from assistant.scripts.cv_summary import BUSINESS_TYPES  # noqa: E402
from kiosk.textfold import fold  # noqa: E402


def classifier_settings() -> dict:
    """LinearIntentClassifier's model settings: its defaults, overridden by assistant/config.yml."""
    config = yaml.safe_load((ROOT / "assistant" / "config.yml").read_text(encoding="utf-8"))
    for step in config["pipeline"]:
        if step["name"].endswith("LinearIntentClassifier"):
            settings = {**LinearIntentClassifier.get_default_config(), **step}
            return {k: settings[k] for k in SETTINGS if k in settings}
    raise SystemExit("LinearIntentClassifier is not in assistant/config.yml")


def main() -> int:
    from sklearn.metrics import classification_report
    from sklearn.model_selection import StratifiedKFold

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--errors", action="store_true", help="print every misclassified example")
    parser.add_argument("--min-macro-f1", type=float, help="fail when the intent macro F1 is below this")
    parser.add_argument("--min-business-f1", type=float, help="fail when a business type's F1 is below this")
    args = parser.parse_args()

    examples = load_nlu_examples(ROOT / "nlu")
    texts = [fold(t) for t, _ in examples]
    labels = [label for _, label in examples]
    duplicates = [t for t, n in Counter(texts).items() if n > 1]
    if duplicates:
        print(f"{len(duplicates)} examples appear more than once, e.g. {duplicates[:5]}")

    predicted = [""] * len(texts)
    folds = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=2026)
    for train, test in folds.split(texts, labels):
        model = LinearTextModel(**classifier_settings()).fit(
            [texts[i] for i in train], [labels[i] for i in train]
        )
        for i, row in zip(test, model.predict_proba([texts[i] for i in test]), strict=True):
            predicted[i] = model.classes[int(row.argmax())]

    report = classification_report(labels, predicted, output_dict=True, zero_division=0)
    per_intent = {
        k: v for k, v in report.items() if isinstance(v, dict) and k not in ("macro avg", "weighted avg")
    }
    for intent, row in sorted(per_intent.items(), key=lambda kv: kv[1]["f1-score"]):
        confused = Counter(
            p for p, gold in zip(predicted, labels, strict=True) if gold == intent and p != intent
        ).most_common(3)
        mark = "*" if intent in BUSINESS_TYPES else " "
        print(
            f"{mark} {intent:28s} F1 {row['f1-score']:.3f}  n {int(row['support']):4d}  confused with {dict(confused)}"
        )
    business = [per_intent[b]["f1-score"] for b in BUSINESS_TYPES if b in per_intent]
    print(
        f"{len(texts)} examples; intent macro F1 {report['macro avg']['f1-score']:.4f}; "
        f"business types (*) macro F1 {sum(business) / len(business):.4f}, lowest {min(business):.3f}"
    )
    if args.errors:
        for (text, label), guess in zip(examples, predicted, strict=True):
            if guess != label:
                print(f"{label:28s} -> {guess:28s} {text}")
    failures = []
    if args.min_macro_f1 is not None and report["macro avg"]["f1-score"] < args.min_macro_f1:
        failures.append(f"intent macro F1 {report['macro avg']['f1-score']:.4f} < {args.min_macro_f1}")
    if args.min_business_f1 is not None:
        failures += [
            f"{b} F1 {per_intent[b]['f1-score']:.3f} < {args.min_business_f1}"
            for b in sorted(BUSINESS_TYPES)
            if b in per_intent and per_intent[b]["f1-score"] < args.min_business_f1
        ]
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
