"""Character n-gram TF-IDF with multinomial logistic regression: the intent model.

Kept apart from Rasa (numpy and scikit-learn only) so it can be tested in
any environment. The fitted model is stored as plain arrays and JSON (no
pickle): the vocabulary, the idf weights, the coefficients and the classes.
Prediction rebuilds the TF-IDF vector by hand (sublinear tf, idf, l2 norm,
exactly as sklearn's TfidfVectorizer does) and applies the softmax.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

MODEL_FILE = "linear_text_model.json"
ARRAYS_FILE = "linear_text_model.npz"
# the constructor's arguments, as a component's config names them
SETTINGS = ("min_ngram", "max_ngram", "min_df", "C", "max_iter", "solver", "random_state", "class_weight")


class LinearTextModel:
    """A char n-gram TF-IDF + logistic regression text classifier."""

    def __init__(
        self,
        min_ngram: int = 1,
        max_ngram: int = 3,
        min_df: int = 1,
        C: float = 30.0,
        max_iter: int = 3000,
        solver: str = "lbfgs",
        random_state: int | None = None,
        class_weight: str | None = None,
    ) -> None:
        self.min_ngram = min_ngram
        self.max_ngram = max_ngram
        self.min_df = min_df
        self.C = C
        self.max_iter = max_iter
        # sklearn's solver of the same convex problem; "sag" (random sample
        # order, hence random_state) gets there several times faster than
        # "lbfgs" on the l2-normalised TF-IDF rows of thousands of examples
        self.solver = solver
        self.random_state = random_state
        # "balanced": a few hundred examples of a rare class against thousands
        # of others still weigh as much (the urgency kinds against `none`)
        self.class_weight = class_weight
        self.vocabulary: dict[str, int] = {}
        self.idf: np.ndarray | None = None
        self.coef: np.ndarray | None = None
        self.intercept: np.ndarray | None = None
        self.classes: list[str] = []

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> LinearTextModel:
        """A new model with the SETTINGS found in `settings` (a component's config), defaults for the rest."""
        return cls(**{key: settings[key] for key in SETTINGS if key in settings})

    # ------------------------------------------------------------ training
    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> LinearTextModel:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        if len(set(labels)) < 2:
            raise ValueError("at least two classes are needed")
        vectorizer = TfidfVectorizer(
            analyzer="char",
            ngram_range=(self.min_ngram, self.max_ngram),
            lowercase=True,
            sublinear_tf=True,
            min_df=self.min_df,
        )
        X = vectorizer.fit_transform(list(texts))
        clf = LogisticRegression(
            C=self.C,
            max_iter=self.max_iter,
            solver=self.solver,
            random_state=self.random_state,
            class_weight=self.class_weight,
        )
        clf.fit(X, list(labels))
        self.vocabulary = {term: int(i) for term, i in vectorizer.vocabulary_.items()}
        self.idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self.classes = [str(c) for c in clf.classes_]
        coef = np.asarray(clf.coef_, dtype=np.float64)
        intercept = np.asarray(clf.intercept_, dtype=np.float64)
        if len(self.classes) == 2:
            # sklearn keeps one row for two classes: make it a softmax pair
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
        self.coef, self.intercept = coef, intercept
        return self

    # ---------------------------------------------------------- prediction
    def _features(self, texts: Sequence[str]):
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.preprocessing import normalize

        counter = CountVectorizer(
            analyzer="char",
            ngram_range=(self.min_ngram, self.max_ngram),
            lowercase=True,
            vocabulary=self.vocabulary,
        )
        X = counter.transform(list(texts)).astype(np.float64)
        X.data = 1.0 + np.log(X.data)  # sublinear tf
        X = X.multiply(self.idf).tocsr()
        return normalize(X, norm="l2", copy=False)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        if self.coef is None:
            raise RuntimeError("the model is not trained")
        logits = self._features(texts) @ self.coef.T + self.intercept
        logits = np.asarray(logits)
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        return probs / probs.sum(axis=1, keepdims=True)

    def rank(self, text: str, length: int = 10) -> list[tuple[str, float]]:
        """The classes of one text, likeliest first (at most `length`, 0 = all)."""
        probs = self.predict_proba([text])[0]
        order = np.argsort(-probs, kind="stable")
        if length > 0:
            order = order[:length]
        return [(self.classes[i], float(probs[i])) for i in order]

    # --------------------------------------------------------- persistence
    def save(self, folder: Path) -> None:
        if self.idf is None or self.coef is None or self.intercept is None:
            raise RuntimeError("the model is not trained")
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        meta = {
            "min_ngram": self.min_ngram,
            "max_ngram": self.max_ngram,
            "min_df": self.min_df,
            "C": self.C,
            "max_iter": self.max_iter,
            "solver": self.solver,
            "random_state": self.random_state,
            "class_weight": self.class_weight,
            "classes": self.classes,
            "vocabulary": self.vocabulary,
        }
        (folder / MODEL_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        np.savez_compressed(folder / ARRAYS_FILE, idf=self.idf, coef=self.coef, intercept=self.intercept)

    @classmethod
    def load(cls, folder: Path) -> LinearTextModel:
        folder = Path(folder)
        meta = json.loads((folder / MODEL_FILE).read_text(encoding="utf-8"))
        model = cls(
            meta["min_ngram"],
            meta["max_ngram"],
            meta["min_df"],
            meta["C"],
            meta["max_iter"],
            meta.get("solver", "lbfgs"),
            meta.get("random_state"),
            meta.get("class_weight"),
        )
        model.classes = list(meta["classes"])
        model.vocabulary = {k: int(v) for k, v in meta["vocabulary"].items()}
        with np.load(folder / ARRAYS_FILE, allow_pickle=False) as arrays:
            model.idf = arrays["idf"]
            model.coef = arrays["coef"]
            model.intercept = arrays["intercept"]
        return model
