"""Jieba tokenization that also copes with English words, full-width input and punctuation."""

from __future__ import annotations

import unicodedata

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message

from kiosk.textfold import half_width


def _is_noise(word: str) -> bool:
    # Jieba returns every space and punctuation mark as a token of its own;
    # in mixed Chinese/English text that doubles the sequence length and
    # the spaces become features of their own.
    return all(ch.isspace() or unicodedata.category(ch)[0] in ("P", "S") for ch in word)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class MixedJiebaTokenizer(JiebaTokenizer):
    """JiebaTokenizer (with the domain dictionary) for mixed zh/en text."""

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        import jieba

        text = message.get(attribute)
        normalized = half_width(text)
        tokens = [
            Token(word, start) for (word, start, _end) in jieba.tokenize(normalized) if not _is_noise(word)
        ]
        if not tokens:
            # Keep something for messages made only of punctuation ("？"),
            # the featurizers expect at least one token.
            tokens = [Token(normalized, 0)] if normalized else []
        return self._apply_token_pattern(tokens)
