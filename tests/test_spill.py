"""A build's scratch store (kg.spill) and entity resolution over entity summaries: no spaCy needed."""

from __future__ import annotations

import json
from dataclasses import asdict
from decimal import Decimal

import pytest
from kg_samples import guideline_extraction, rich_extraction

from kg.model import Document, Entity, Extraction, Fact, Mention, Provenance
from kg.rdf import document_iri
from kg.resolve import resolve
from kg.spill import Spill, summary


def entity(label: str, type_: str, mentions: int = 1, confidence: float = 1.0) -> Entity:
    return Entity(f"{type_}:{label}", label, type_, mentions=(Mention(label, 0, len(label)),) * mentions,
                  confidence=confidence)  # fmt: skip


def extraction(doc_id: str, *entities: Entity, facts: tuple[Fact, ...] = ()) -> Extraction:
    return Extraction(Document(doc_id, f"news.jsonl#line={doc_id[1:]}", "Some text.", "en", "0" * 64), entities, facts)


def test_the_spill_gives_back_what_it_kept_in_graph_name_order(tmp_path):
    exs = [guideline_extraction(), rich_extraction()]
    warned = Extraction(replace_doc(exs[1].document, doc_id="b-10", warnings=("summary only",)), (), ())
    with Spill(tmp_path) as spill:
        for ex in [exs[1], warned, exs[0]]:
            spill.put(ex)
        back = list(spill)
        assert [b.document.doc_id for b in back] == sorted(
            [e.document.doc_id for e in [*exs, warned]], key=lambda d: str(document_iri(d))
        )
        assert {b.document.doc_id: b for b in back} == {e.document.doc_id: e for e in [*exs, warned]}
        assert [b.document.doc_id for b in spill.get(["b-10", "missing"])] == ["b-10"]
        assert spill.manifest()["b-10"] == {"path": warned.document.path, "sha256": warned.document.sha256}
        assert spill.path.is_file()
    assert list(tmp_path.iterdir()) == [], "the scratch file is removed at the end"


def replace_doc(doc: Document, **changes: object) -> Document:
    return Document(**{**asdict(doc), **changes})


def test_a_file_left_by_a_killed_build_is_removed(tmp_path):
    (tmp_path / ".spill-99999.sqlite").write_bytes(b"left over")
    with Spill(tmp_path):
        assert not (tmp_path / ".spill-99999.sqlite").exists()


def test_amounts_and_offsets_survive_the_spill(tmp_path):
    ex = rich_extraction()
    with Spill(tmp_path) as spill:
        spill.put(ex)
        (back,) = spill
    assert any(isinstance(f.amount, Decimal) for f in back.facts)
    assert back.entities[0].mentions == ex.entities[0].mentions


def fact(subject: Entity, predicate: str, obj: Entity) -> Fact:
    return Fact(subject.key, predicate, obj.key, Provenance("A sentence.", 0, 11, f"{predicate}.test", 0.9))


@pytest.mark.parametrize("retype", [True, False])
def test_resolution_over_summaries_is_resolution_over_extractions(tmp_path, retype):
    """What a build keeps in memory (summaries, and the spill for the facts a vote drops) resolves the same."""
    acme, widget = entity("Acme", "Organization"), entity("Widgetron", "Product", mentions=3, confidence=0.7)
    brindle = entity("Brindle Labs", "Organization")
    first = extraction("d1", acme, widget, brindle,
                       facts=(fact(acme, "develops", widget), fact(acme, "partnersWith", brindle)))  # fmt: skip
    others = [extraction(f"d{i}", entity("Widgetron", "Organization" if retype else "Product", mentions=i),
                         entity("ACME", "Organization", confidence=0.5)) for i in (2, 3, 4)]  # fmt: skip
    exs = [first, *others]
    expected = resolve(list(exs), in_place=False)
    with Spill(tmp_path) as spill:
        for ex in exs:
            spill.put(ex)
        got = resolve([summary(ex) for ex in exs], in_place=False, documents=lambda ids: spill.get(ids))
    assert got.iris == expected.iris and got.pref_labels == expected.pref_labels and got.keys == expected.keys
    assert got.retyped == expected.retyped and bool(got.retyped) == retype
    assert [asdict(m) for m in got.merges] == [asdict(m) for m in expected.merges]
    if retype:
        vote = next(r for m in got.merges for r in m.reasons if r["rule"] == "type-vote")
        assert vote["dropped_facts"][0]["predicate"] == "develops"


def test_a_summary_keeps_only_what_resolution_reads():
    ex = rich_extraction()
    small = summary(ex)
    assert small.facts == () and small.document.text == "" and small.document.doc_id == ex.document.doc_id
    assert [(e.key, e.label, e.type, e.aliases, len(e.mentions), e.confidence) for e in small.entities] == [
        (e.key, e.label, e.type, e.aliases, len(e.mentions), e.confidence) for e in ex.entities
    ]


def test_the_previous_keys_are_read_without_the_merges(tmp_path):
    """A rebuild reads the name keys of the last build from the end of merges.json, not its merges."""
    from kg.pipeline import _previous_keys, _write_json

    keys = {"Organization:acme": "https://w3id.org/kg-news/id/organization/acme", 'Person:a "b"': "x"}
    merges = ({"iri": f"i{i}", "reasons": [{"rule": "same-name", "names": ["a\n  \"keys\": {}"]}]} for i in range(3))
    _write_json(tmp_path / "merges.json", {"merges": merges, "keys": keys})
    data = (tmp_path / "merges.json").read_text(encoding="utf-8")
    assert json.loads(data)["keys"] == keys and len(json.loads(data)["merges"]) == 3
    assert _previous_keys(tmp_path) == keys
    broken = data.replace('"iri": "i1"', '"iri": "i1" oops')  # the merges cannot be parsed; the keys still are
    (tmp_path / "merges.json").write_text(broken, encoding="utf-8")
    assert _previous_keys(tmp_path) == keys
    (tmp_path / "merges.json").write_text(json.dumps({"keys": keys, "merges": []}), encoding="utf-8")
    assert _previous_keys(tmp_path) == keys  # another layout: read whole
