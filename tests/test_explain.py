"""Where the shipped model loses an annotated fact (kg.learn.explain), on articles written for these tests."""

from __future__ import annotations

import hashlib

import pytest

from kg import nlp
from kg.evaluate import errors
from kg.learn import load_model
from kg.learn.explain import STAGES, explain
from kg.model import Document

ACME = {"label": "Acme Robotics", "type": "Organization"}
NORTH = {"label": "Northwind Bank", "type": "Organization"}


@pytest.fixture(scope="module")
def model():
    return load_model()


def _explain(model, text: str, lang: str, facts: list[dict], entities: list[dict], **kw) -> list:
    doc = Document(doc_id="t", path="t.txt", text=text, lang=lang, sha256=hashlib.sha256(text.encode()).hexdigest())
    ((_, chunks),) = list(nlp.pipe([("t", text)], lang))
    return explain(doc, chunks, model, {"entities": entities, "facts": facts}, **kw)


PARTNERS = "Acme Robotics s'associe à Northwind Bank pour former des ingénieurs.\n"


def test_each_fact_gets_the_stage_where_it_was_lost(model):
    facts = [
        {"s": "Acme Robotics", "p": "partnersWith", "o": "Northwind Bank"},
        {"s": "Acme Robotics", "p": "offers", "o": "Northwind Bank"},  # offers needs a Program
        {"s": "Lina Okafor", "p": "worksFor", "o": "Acme Robotics"},  # not in the text
        {"s": "Acme Robotics", "p": "admires", "o": "Northwind Bank"},  # no such property
    ]
    lina = {"label": "Lina Okafor", "type": "Person"}
    accounts = _explain(model, PARTNERS, "fr", facts, [ACME, NORTH, lina])
    assert len(accounts) == len(facts)
    partner, offer, works, unknown = accounts
    assert partner["stage"] in {"kept", "dropped", "below_threshold"}
    assert 0.0 <= partner["score"] <= 1.0 and 0.0 <= partner["confidence"] <= 1.0
    assert partner["threshold"] == round(model.threshold("partnersWith"), 3)
    if partner["stage"] == "below_threshold":
        assert partner["score"] < partner["threshold"]
    assert offer == {"stage": "types"}
    assert works == {"stage": "entity", "missing": "subject"}
    assert unknown is None


def test_names_far_apart_are_never_paired(model):
    text = ("Acme Robotics a ouvert une usine à Lyon. L'usine fabrique des bras pour les voitures. Ses ouvriers "
            "viennent de la région. La ville a salué la nouvelle. Northwind Bank a publié ses résultats annuels lundi.\n")
    accounts = _explain(model, text, "fr", [{"s": "Acme Robotics", "p": "partnersWith", "o": "Northwind Bank"}],
                        [ACME, NORTH])  # fmt: skip
    assert accounts == [{"stage": "not_paired", "sentences": 4}]


def test_a_kept_fact_under_the_build_s_min_confidence(model):
    fact = {"s": "Acme Robotics", "p": "partnersWith", "o": "Northwind Bank"}
    text = "Acme Robotics a signé un partenariat avec Northwind Bank.\n"
    (account,) = _explain(model, text, "fr", [fact], [ACME, NORTH])
    assert account["stage"] == "kept", account  # stated plainly: the model keeps it
    assert account["score"] >= account["threshold"]
    (under,) = _explain(model, text, "fr", [fact], [ACME, NORTH], min_confidence=1.0)
    assert under["stage"] == "below_min_confidence" and under["min_confidence"] == 1.0
    assert under["confidence"] == account["confidence"] < 1.0


def test_errors_attach_the_stage_to_missed_facts_only():
    facts = [{"s": "Acme Robotics", "p": "partnersWith", "o": "Northwind Bank"},
             {"s": "Acme Robotics", "p": "investsIn", "o": "Northwind Bank"}]  # fmt: skip
    gold = {"d": {"entities": [ACME, NORTH], "facts": facts}}
    pred = {"d": {"entities": [ACME, NORTH], "facts": facts[:1]}}
    accounts = {"d": [{"stage": "kept"}, {"stage": "unscored"}]}
    records = errors(gold, pred, accounts)
    assert [(r["kind"], r["fact"]["p"], r.get("model")) for r in records] == [
        ("missed_fact", "investsIn", {"stage": "unscored"})
    ]
    assert errors(gold, pred) == [{k: v for k, v in r.items() if k != "model"} for r in records]
    assert set(STAGES) >= {"kept", "entity", "not_paired", "types", "unscored", "below_threshold"}
