"""What the assistant's two linear classifiers share as Rasa components: settings, training, storage, loading."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

from assistant.components.linear_text_model import LinearTextModel

logger = logging.getLogger(__name__)


class LinearTextComponent(GraphComponent):
    """A trainable component around one LinearTextModel (the intents, the urgency).

    Subclasses give `get_default_config` (the model's settings, see
    LinearTextModel.SETTINGS, plus their own) and use `fit` and `self._model`.
    """

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn", "numpy", "hanziconv"]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: LinearTextModel | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearTextComponent:
        return cls(config, model_storage, resource)

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> Resource:
        """Fit the model on folded texts with the configured settings and store it."""
        self._model = LinearTextModel.from_settings(self._config).fit(texts, labels)
        with self._model_storage.write_to(self._resource) as folder:
            self._model.save(folder)
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearTextComponent:
        try:
            with model_storage.read_from(resource) as folder:
                model = LinearTextModel.load(folder)
        except (ValueError, FileNotFoundError):
            logger.debug("%s: no trained model in %s", cls.__name__, resource.name)
            model = None
        return cls(config, model_storage, resource, model)
