"""Hand-built Extraction objects shared by the graph-layer tests (no spaCy needed)."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from kg.model import Document, Entity, Extraction, Fact, Mention, Provenance

GUIDELINE_DOC_ID = "000_c6c4ca0f03ca34c8"

GUIDELINE_TEXT = (
    "Microsoft s'associe à l'AFL-CIO, l'American Federation of Labor and Congress of Industrial "
    "Organizations. Microsoft a investi 13 milliards de dollars dans OpenAI. Walmart formera "
    "10 millions de workers d'ici 2030. Brad Smith, président de Microsoft, a déclaré : "
    "« Nous voulons que chaque travailleur profite de l'IA »."
)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def prov(text: str, sentence_start: str, rule: str = "test", confidence: float = 0.9) -> Provenance:
    """Provenance of the sentence of ``text`` that starts with ``sentence_start``."""
    start = text.index(sentence_start)
    end = text.find(". ", start)
    end = len(text) if end < 0 else end + 1
    return Provenance(text[start:end], start, end, rule, confidence)


def guideline_extraction() -> Extraction:
    """The example of shared/eval/GUIDELINE.md, plus a quotation."""
    text = GUIDELINE_TEXT
    doc = Document(
        doc_id=GUIDELINE_DOC_ID,
        path=f"{GUIDELINE_DOC_ID}.txt",
        text=text,
        lang="fr",
        sha256=sha(text),
        title="Microsoft et l'AFL-CIO",
        date="2024-01-11",
        url="https://example.org/microsoft-afl-cio",
        source="Exemple Presse",
    )
    entities = (
        Entity("ms", "Microsoft", "Organization", mentions=(Mention("Microsoft", 0, 9),)),
        Entity(
            "afl",
            "AFL-CIO",
            "Organization",
            aliases=("American Federation of Labor and Congress of Industrial Organizations",),
        ),
        Entity("oai", "OpenAI", "Organization"),
        Entity("wmt", "Walmart", "Organization"),
        Entity("bs", "Brad Smith", "Person"),
    )
    facts = (
        Fact("ms", "partnersWith", "afl", prov(text, "Microsoft s'associe", "partner.fr")),
        Fact(
            "ms", "investsIn", "oai", prov(text, "Microsoft a investi", "invest.fr"),
            amount=Decimal("13000000000"), currency="USD",
        ),
        Fact(
            "wmt", "trains", "workers", prov(text, "Walmart formera", "train.fr"),
            object_kind="group", count=10_000_000, year=2030,
        ),
        Fact("bs", "worksFor", "ms", prov(text, "Brad Smith", "role.fr"), role="president"),
        Fact(
            "bs", "said", "Nous voulons que chaque travailleur profite de l'IA",
            prov(text, "Brad Smith", "quote.fr", 0.8), object_kind="quote",
        ),
    )  # fmt: skip
    return Extraction(doc, entities, facts)


def guideline_gold() -> dict:
    """Gold annotation of :func:`guideline_extraction`, in the guideline's format."""
    return {
        "doc": GUIDELINE_DOC_ID,
        "lang": "fr",
        "entities": [
            {"label": "Microsoft", "type": "Organization", "aliases": []},
            {
                "label": "AFL-CIO",
                "type": "Organization",
                "aliases": ["American Federation of Labor and Congress of Industrial Organizations"],
            },
            {"label": "Brad Smith", "type": "Person", "aliases": []},
            {"label": "OpenAI", "type": "Organization", "aliases": []},
            {"label": "Walmart", "type": "Organization", "aliases": []},
        ],
        "facts": [
            {"s": "Microsoft", "p": "partnersWith", "o": "AFL-CIO"},
            {"s": "Microsoft", "p": "investsIn", "o": "OpenAI", "amount": 13000000000, "currency": "USD"},
            {"s": "Walmart", "p": "trains", "o": "workers", "count": 10000000, "year": 2030},
            {"s": "Brad Smith", "p": "worksFor", "o": "Microsoft", "role": "president"},
            {"s": "Brad Smith", "p": "said", "o": "Nous voulons que chaque travailleur profite"},
        ],
    }


RICH_TEXT = (
    "OpenAI développe ChatGPT. La CGT représente 600 000 salariés. Sam Altman est membre du "
    "Parti Exemple. Microsoft propose l'AI Academy. Paris accueille le Sommet IA, organisé par "
    "Emmanuel Macron. Le Sommet IA a lieu à Paris. L'Élysée est à Paris. La CGT représente la FTM."
)


def rich_extraction(doc_id: str = "rich", lang: str = "fr") -> Extraction:
    """Every entity type, every predicate and every object kind, with odd characters."""
    text = RICH_TEXT
    doc = Document(doc_id, f"news/{doc_id}.md", text, lang, sha(text + doc_id), date="2025-02-10T09:30:00+01:00")
    entities = (
        Entity("oai", "OpenAI", "Organization"),
        Entity("gpt", "ChatGPT", "Product", aliases=("Chat GPT",)),
        Entity("cgt", "Confédération générale du travail", "Organization", aliases=("CGT",)),
        Entity("ftm", "FTM", "Organization"),
        Entity("sam", "Sam Altman", "Person"),
        Entity("party", "Parti Exemple", "Organization"),
        Entity("ms", "Microsoft", "Organization"),
        Entity("academy", "AI Academy", "Program"),
        Entity("paris", "Paris", "Place"),
        Entity("summit", "Sommet IA", "Event"),
        Entity("em", "Emmanuel Macron", "Person"),
        Entity("elysee", "Élysée", "Organization"),
        Entity("cn", "北京大学", "Organization"),
    )
    p = prov(text, "OpenAI", "r.any", 0.5)
    facts = (
        Fact("oai", "develops", "gpt", p),
        Fact("cgt", "represents", "salariés", prov(text, "La CGT représente 600"), object_kind="group", count=600_000),
        Fact("cgt", "represents", "ftm", prov(text, "La CGT représente la FTM")),
        Fact("sam", "memberOf", "party", prov(text, "Sam Altman")),
        Fact("ms", "offers", "academy", prov(text, "Microsoft propose")),
        Fact("em", "organizes", "summit", prov(text, "Paris accueille")),
        Fact("summit", "locatedIn", "paris", prov(text, "Le Sommet IA")),
        Fact("elysee", "locatedIn", "paris", prov(text, "L'Élysée")),
        Fact("em", "locatedIn", "paris", p),
        Fact("ms", "partnersWith", "oai", p),
        Fact("sam", "partnersWith", "ms", p),
        Fact("ms", "investsIn", "oai", p, amount=Decimal("12.5E6"), currency="EUR", year=2024),
        Fact("sam", "investsIn", "cn", p, amount=Decimal("0.75")),
        Fact("ms", "trains", "students", p, object_kind="group"),
        Fact("sam", "worksFor", "oai", p, role="ceo"),
        Fact("em", "said", "L'IA\x00 est une chance « pour tous »", p, object_kind="quote"),
    )
    return Extraction(doc, entities, facts)
