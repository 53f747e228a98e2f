"""Do two trained models choose the same next action? (e.g. with and without TEDPolicy)

Usage (from the repository root, Rasa's environment):
    PYTHONPATH=. .venv-rasa/bin/python assistant/scripts/compare_policies.py MODEL_A MODEL_B

Every point of the test stories (tests/assistant/stories) where the bot
listens, followed by each intent of the domain as the next user message:
prints how many of these dialogue states the two models answer with a
different first action, which policy won in each model, and the first
differences. The dialogue alone (no NLU): the intent is given.
"""

from __future__ import annotations

import logging
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(model_a: str, model_b: str) -> int:
    logging.disable(logging.WARNING)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # the policies log every prediction at debug level
    from rasa.core.agent import Agent
    from rasa.shared.core.events import ActionExecuted, Event, UserUttered
    from rasa.shared.core.generator import TrainingDataGenerator
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
    from rasa.shared.core.training_data.structures import StoryGraph

    agents = [Agent.load(model_a), Agent.load(model_b)]
    domain = agents[0].domain
    steps = []
    for path in sorted((ROOT / "tests" / "assistant" / "stories").glob("*.yml")):
        steps += YAMLStoryReader(domain).read_from_file(path)
    trackers = TrainingDataGenerator(
        StoryGraph(steps), domain, augmentation_factor=0, use_story_concatenation=False
    ).generate()
    # the events up to each action_listen, once per distinct history
    listening: dict[str, list[Event]] = {}
    for tracker in trackers:
        events = list(tracker.events)
        for i, event in enumerate(events):
            if isinstance(event, ActionExecuted) and event.action_name == "action_listen":
                listening.setdefault(repr(events[: i + 1]), events[: i + 1])

    winners = [Counter[str](), Counter[str]()]
    differences = []
    for prefix in listening.values():
        for intent in domain.intents:
            parse = {"intent": {"name": intent, "confidence": 1.0}, "entities": [], "intent_ranking": []}
            user = UserUttered("probe", intent=parse["intent"], parse_data=parse)
            chosen = []
            for agent, won in zip(agents, winners, strict=True):
                tracker = DialogueStateTracker.from_events("probe", [*prefix, user], domain.slots)
                prediction = agent.processor._predict_next_with_tracker(tracker)
                won[prediction.policy_name or "none"] += 1
                chosen.append(domain.action_names_or_texts[prediction.max_confidence_index])
            if chosen[0] != chosen[1]:
                differences.append((intent, chosen, [str(e) for e in prefix[-3:]]))
    states = len(listening) * len(domain.intents)
    print(f"{len(listening)} listening points x {len(domain.intents)} intents = {states} dialogue states")
    print(f"different first action: {len(differences)}")
    for name, won in zip((model_a, model_b), winners, strict=True):
        print(f"{name}: won by {dict(won)}")
    for intent, chosen, last in differences[:20]:
        print(f"  {intent}: {chosen[0]} / {chosen[1]} after {last}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
