"""Urgency of a message (danger, outage, anger) as an `urgency` entity, beside the business-type intent.

A second LinearTextModel (char n-gram TF-IDF + logistic regression, like the
intents) over its own labelled data, assistant/data/urgency.yml, plus the
examples of the never-urgent intents of nlu/ as `none`. It leaves the intent
and its ranking alone: "电线杆上的线掉下来了，还在冒火花" stays fault_report and
gets {"entity": "urgency", "value": "danger"} spanning the whole text. Messages
read as `none`, or below the threshold, get no entity. The hall combines it
with its keyword rules (kiosk/hall/utterance.py).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from assistant.components.linear_component import LinearTextComponent
from kiosk.textfold import fold

ENTITY = "urgency"
NONE = "none"


def load_labelled(path: Path) -> list[tuple[str, str]]:
    """(text, label) pairs of the urgency data file."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return [
        (str(text), str(block["label"]))
        for block in data.get("urgency") or []
        for text in block.get("examples") or []
    ]


def training_pairs(
    labelled: list[tuple[str, str]], background: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """The labelled examples, then the background examples as `none` unless a labelled one has the same text."""
    seen = {fold(t) for t, _ in labelled}
    pairs = [(fold(t), label) for t, label in labelled]
    for text, _intent in background:
        folded = fold(text)
        if folded not in seen:
            seen.add(folded)
            pairs.append((folded, NONE))
    return pairs


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class UrgencyClassifier(LinearTextComponent, EntityExtractorMixin):
    """Char n-gram TF-IDF + logistic regression over the text: urgency kind or none."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "data": "assistant/data/urgency.yml",
            # intents of nlu/ whose examples are NOT used as `none`: they mix urgent and ordinary ones
            "mixed_intents": ["fault_report", "complaint"],
            "threshold": 0.7,
            "min_ngram": 1,
            "max_ngram": 3,
            "min_df": 1,
            "C": 30.0,
            "max_iter": 3000,
            "solver": "sag",
            "random_state": 2026,
            "class_weight": "balanced",
        }

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        # the labelled data is read from a file the graph does not see: a
        # change to it must retrain this component, not reuse a cached one
        path = Path(config.get("data") or cls.get_default_config()["data"])
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None

    def train(self, training_data: TrainingData) -> Resource:
        mixed = set(self._config["mixed_intents"])
        background = [
            (e.get(TEXT), e.get(INTENT))
            for e in training_data.intent_examples
            if e.get(TEXT) and e.get(INTENT) and e.get(INTENT) not in mixed
        ]
        pairs = training_pairs(load_labelled(Path(self._config["data"])), background)
        return self.fit([t for t, _ in pairs], [label for _, label in pairs])

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if self._model is None or not text:
                continue
            label, confidence = self._model.rank(fold(text), 1)[0]
            if label == NONE or confidence < self._config["threshold"]:
                continue
            entity = {
                "entity": ENTITY,
                "value": label,
                "start": 0,
                "end": len(text),
                "confidence_entity": confidence,
            }
            message.set(
                ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name([entity]), add_to_output=True
            )
        return messages
