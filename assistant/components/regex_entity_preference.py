"""Keeps one entity per span when the regexes and DIET both found a phone or account number."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_TYPE, EXTRACTOR
from rasa.shared.nlu.training_data.message import Message

REGEX_EXTRACTOR = "RegexEntityExtractor"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class RegexEntityPreference(GraphComponent):
    """Drops a statistical entity that overlaps a regex entity of the same type.

    DIET learns phone and account numbers from the annotated examples too;
    where the regex (the exact rule) found one, DIET's copy is a duplicate.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"entities": ["phone", "account_number"]}

    def __init__(self, config: dict[str, Any]) -> None:
        self._entities = set(config.get("entities") or [])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RegexEntityPreference:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            entities = message.get(ENTITIES) or []
            from_regex = [
                e
                for e in entities
                if e.get(EXTRACTOR) == REGEX_EXTRACTOR and e.get(ENTITY_ATTRIBUTE_TYPE) in self._entities
            ]
            if not from_regex:
                continue
            kept = [
                e
                for e in entities
                if e.get(EXTRACTOR) == REGEX_EXTRACTOR
                or not any(
                    e.get(ENTITY_ATTRIBUTE_TYPE) == r.get(ENTITY_ATTRIBUTE_TYPE)
                    and e.get("start", -1) < r.get("end", -1)
                    and r.get("start", -1) < e.get("end", -1)
                    for r in from_regex
                )
            ]
            message.set(ENTITIES, kept, add_to_output=True)
        return messages
