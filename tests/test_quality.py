"""Extraction quality on real news the shipped model never saw, and of training itself.

Two measurements count as quality evidence:

- the shared validation articles (never trained on, never used to write a rule): built with
  the shipped model, exported as gold-json and scored by the shared scorer;
- document-level cross-validation of `kg train` on the shared training articles: each
  fold's model is trained on the other folds only (thresholds and calibration included).

Floors are what the extractor reaches today; quality may rise, never silently fall.
"""

from __future__ import annotations

import importlib.util
import json

import pytest
from conftest import SHARED

import kg
from kg.evaluate import cross_validate, load_docs, score

VALIDATION = SHARED / "corpus" / "validation"
VALIDATION_GOLD = SHARED / "eval" / "validation-gold"
TRAIN = SHARED / "corpus" / "train"
TRAIN_GOLD = SHARED / "eval" / "train-gold"

#: Validation floors (40 articles, 483 entities, 411 facts); measured: entity F1 0.857, fact F1 0.443
#: (training seeds 0/1/2: 0.443/0.431/0.433), attribute accuracy 0.827 (about 50 attributes asked:
#: one is about two points).
FLOORS = {"entity_f1": 0.85, "fact_f1": 0.42, "attribute_accuracy": 0.79}
#: Cross-validation floors (3 folds over the 192 training articles); measured: entity F1 0.857, fact F1 0.441.
CV_FLOORS = {"entity_f1": 0.85, "fact_f1": 0.42}

needs_shared = pytest.mark.skipif(not VALIDATION_GOLD.is_dir(), reason="../shared is not available")


def _shared_scorer():
    spec = importlib.util.spec_from_file_location("kg_eval_score", SHARED / "eval" / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def validation_scores(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("validation")
    kg.build(VALIDATION, tmp / "out", explorer=False)
    kg.export(tmp / "out", "gold-json", tmp / "pred")
    scorer = _shared_scorer()
    shared = scorer.score(scorer.load_docs(VALIDATION_GOLD), scorer.load_docs(tmp / "pred"))
    ours = score(load_docs(VALIDATION_GOLD), load_docs(tmp / "pred"))
    return shared, ours


@needs_shared
@pytest.mark.slow
@pytest.mark.parametrize("metric", sorted(FLOORS))
def test_validation_floor(validation_scores, metric):
    result, _ = validation_scores
    values = {
        "entity_f1": result["entities"]["f1"],
        "fact_f1": result["facts"]["f1"],
        "attribute_accuracy": result["facts"]["attribute_accuracy"],
    }
    assert values[metric] >= FLOORS[metric], json.dumps(result, indent=1)


@needs_shared
@pytest.mark.slow
def test_validation_scored_alike_by_kg_evaluate_and_the_shared_scorer(validation_scores):
    shared, ours = validation_scores
    assert ours == shared


@needs_shared
@pytest.mark.slow
def test_cross_validation_floor():
    result = cross_validate(TRAIN, TRAIN_GOLD, k=3, seed=0)
    assert len(result["folds"]) == 3
    held = [doc for fold in result["folds"] for doc in fold["documents"]]
    assert len(held) == len(set(held)) == result["documents"]  # every document held out exactly once
    assert result["entities"]["f1"] >= CV_FLOORS["entity_f1"], json.dumps(result, indent=1)
    assert result["facts"]["f1"] >= CV_FLOORS["fact_f1"], json.dumps(result, indent=1)
