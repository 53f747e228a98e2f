"""The intent model of LinearIntentClassifier (numpy and scikit-learn only, no Rasa)."""
import numpy as np
import pytest

pytest.importorskip("sklearn")

from assistant.components.linear_text_model import LinearTextModel  # noqa: E402

TEXTS = [
    "我来交电费", "交一下电费", "帮我充两百块电费", "预存电费",
    "开一张电费发票", "发票丢了补一张", "公司要开专票", "我要开发票",
    "家里停电了", "整栋楼都没电了", "停电什么时候来电", "我们小区停电了",
]
LABELS = ["pay_bill"] * 4 + ["invoice"] * 4 + ["outage_inquiry"] * 4


def test_learns_and_ranks():
    model = LinearTextModel(C=30).fit(TEXTS, LABELS)
    ranking = model.rank("我想开个发票")
    assert ranking[0][0] == "invoice"
    assert [name for name, _ in ranking] == sorted(model.classes, key=dict(ranking).get, reverse=True)
    assert sum(conf for _, conf in ranking) == pytest.approx(1.0)
    assert model.rank("交电费", length=2)[0][0] == "pay_bill"
    assert len(model.rank("交电费", length=2)) == 2


def test_probabilities_are_those_of_sklearn():
    # the hand-made TF-IDF + softmax must give exactly what the fitted
    # sklearn pipeline gives
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = LinearTextModel(C=10).fit(TEXTS, LABELS)
    reference = make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True),
        LogisticRegression(C=10, max_iter=3000),
    ).fit(TEXTS, LABELS)
    queries = ["电费发票", "停电了吗", "充电费", "完全无关的话 hello"]
    np.testing.assert_allclose(model.predict_proba(queries), reference.predict_proba(queries), atol=1e-6)


def test_two_classes():
    model = LinearTextModel().fit(TEXTS[:8], LABELS[:8])
    assert model.rank("开发票")[0][0] == "invoice"
    assert model.predict_proba(["开发票"]).shape == (1, 2)


def test_save_and_load(tmp_path):
    model = LinearTextModel(max_ngram=2, C=5).fit(TEXTS, LABELS)
    model.save(tmp_path)
    loaded = LinearTextModel.load(tmp_path)
    assert loaded.classes == model.classes and loaded.max_ngram == 2 and loaded.C == 5
    queries = ["停电", "发票", "未见过的字"]
    np.testing.assert_allclose(loaded.predict_proba(queries), model.predict_proba(queries))


def test_unknown_text_gives_a_distribution():
    model = LinearTextModel().fit(TEXTS, LABELS)
    probs = model.predict_proba(["", "zzz"])
    assert probs.shape == (2, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)


def test_untrained_model_refuses():
    with pytest.raises(RuntimeError):
        LinearTextModel().predict_proba(["交电费"])
    with pytest.raises(ValueError):
        LinearTextModel().fit(["a", "b"], ["x", "x"])
