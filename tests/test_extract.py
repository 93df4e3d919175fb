"""Extraction on short sentences written for these tests, with the real spaCy models."""

from __future__ import annotations

import pytest

from kg import nlp
from kg.extract import extract
from kg.model import Document


def run(text: str, lang: str):
    doc = Document(doc_id="t", path="t.txt", text=text, lang=lang, sha256="0")
    ((_, chunks),) = list(nlp.pipe([(doc, text)], lang))
    ex = extract(doc, chunks)
    ents = {e.key: e for e in ex.entities}
    facts = set()
    for f in ex.facts:
        o = ents[f.object].label if f.object_kind == "entity" else f.object
        facts.add((ents[f.subject].label, f.predicate, o))
    return ex, ents, facts


def attrs(ex, predicate):
    return [f for f in ex.facts if f.predicate == predicate]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "Le groupe Microsoft a investi 13 milliards de dollars dans OpenAI depuis 2019.",
            "fr",
            ("Microsoft", "investsIn", "OpenAI"),
        ),
        ("Amazon invested $4 billion in Anthropic last year.", "en", ("Amazon", "investsIn", "Anthropic")),
    ],
)
def test_invests_with_amount(text, lang, expected):
    ex, _, facts = run(text, lang)
    assert expected in facts
    (fact,) = attrs(ex, "investsIn")
    assert fact.amount is not None and fact.currency in {"USD"}


@pytest.mark.parametrize(
    ("text", "lang", "investors", "investee"),
    [
        (
            "La start-up Mistral AI a levé 385 millions d'euros auprès d'Andreessen Horowitz, de Nvidia et de Salesforce.",
            "fr",
            {"Andreessen Horowitz", "Nvidia", "Salesforce"},
            "Mistral AI",
        ),
    ],
)
def test_round_investors_without_amount(text, lang, investors, investee):
    ex, _, facts = run(text, lang)
    got = {s for s, p, o in facts if p == "investsIn" and o == investee}
    assert got == investors
    assert all(f.amount is None for f in attrs(ex, "investsIn"))


@pytest.mark.parametrize(
    ("text", "lang", "person", "org", "role"),
    [
        ("Le PDG de Walmart, John Furner, a présenté le plan aux salariés.", "fr", "John Furner", "Walmart", "ceo"),
        (
            "Satya Nadella, directeur général de Microsoft, a pris la parole mardi.",
            "fr",
            "Satya Nadella",
            "Microsoft",
            "ceo",
        ),
        ("Alphabet CEO Sundar Pichai presented the results on Tuesday.", "en", "Sundar Pichai", "Alphabet", "ceo"),
        ("Sarah Friar, OpenAI's chief financial officer, spoke to reporters.", "en", "Sarah Friar", "OpenAI", "cfo"),
    ],
)
def test_roles(text, lang, person, org, role):
    ex, _, facts = run(text, lang)
    assert (person, "worksFor", org) in facts
    assert attrs(ex, "worksFor")[0].role == role


@pytest.mark.parametrize(
    "text",
    [
        "L'ancien PDG de Twitter, Jack Dorsey, a lancé un nouveau réseau.",
        "Former Google engineer Blake Lemoine spoke at the event.",
    ],
)
def test_former_roles_give_no_fact(text):
    lang = "fr" if text.startswith("L'") else "en"
    ex, _, _ = run(text, lang)
    assert not attrs(ex, "worksFor")


@pytest.mark.parametrize(
    ("text", "lang", "speaker", "start"),
    [
        (
            "« Nous sommes très heureux de ce partenariat », a déclaré Arthur Mensch lors d'une conférence.",
            "fr",
            "Arthur Mensch",
            "Nous sommes très heureux",
        ),
        (
            "“This is only the beginning of a long road,” Sundar Pichai said in a statement.",
            "en",
            "Sundar Pichai",
            "This is only the beginning",
        ),
        (
            'Brad Smith a expliqué : "la technologie doit servir les travailleurs".',
            "fr",
            "Brad Smith",
            "la technologie doit servir",
        ),
    ],
)
def test_quotes(text, lang, speaker, start):
    ex, ents, _ = run(text, lang)
    said = attrs(ex, "said")
    assert len(said) == 1
    assert ents[said[0].subject].label == speaker
    assert said[0].object.startswith(start)


def test_trains_with_count_and_year():
    ex, _, facts = run("Amazon veut former 2 millions de personnes aux compétences numériques d'ici 2025.", "fr")
    (fact,) = attrs(ex, "trains")
    assert fact.object_kind == "group" and fact.object == "personnes"
    assert (fact.count, fact.year) == (2_000_000, 2025)


def test_partnership_coordination():
    _, _, facts = run("Capgemini et Orange, en partenariat avec Mistral AI, lancent une offre commune.", "fr")
    pairs = {frozenset((s, o)) for s, p, o in facts if p == "partnersWith"}
    assert frozenset(("Capgemini", "Mistral AI")) in pairs
    assert frozenset(("Orange", "Mistral AI")) in pairs
    assert frozenset(("Capgemini", "Orange")) in pairs


def test_nationality_locates_an_organisation():
    ex, ents, facts = run("La start-up française Mistral AI a présenté un nouveau modèle.", "fr")
    assert ("Mistral AI", "locatedIn", "France") in facts
    france = next(e for e in ents.values() if e.label == "France")
    assert france.type == "Place" and "française" in france.aliases


def test_develops_possessive_and_maker():
    _, _, facts = run("ChatGPT maker OpenAI competes with Google's Gemini.", "en")
    assert ("OpenAI", "develops", "ChatGPT") in facts
    assert ("Google", "develops", "Gemini") in facts


def test_short_forms_and_acronyms_are_aliases():
    ex, ents, _ = run(
        "La Federal Trade Commission (FTC) enquête. Mistral AI répond. Selon Mistral, la FTC n'a rien demandé.", "fr"
    )
    labels = {e.label: e for e in ents.values()}
    assert "FTC" in labels["Federal Trade Commission"].aliases
    assert "Mistral" in labels["Mistral AI"].aliases
    assert "Mistral" not in labels and "FTC" not in labels


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "Kyoto Robotics was founded in 2019 by Aiko Tanaka and Ravi Mehta.",
            "en",
            {("Aiko Tanaka", "Kyoto Robotics", "co-founder"), ("Ravi Mehta", "Kyoto Robotics", "co-founder")},
        ),
        (
            "Fondée en 2021 par Claire Martin, la start-up Nimbus Analytics emploie 40 personnes.",
            "fr",
            {("Claire Martin", "Nimbus Analytics", "founder")},
        ),
        (
            "OpenAI, led by its chief executive Sam Altman, remains independent.",
            "en",
            {("Sam Altman", "OpenAI", "ceo")},
        ),
        (
            "Le groupe Capgemini, présidé par Paul Hermelin, a publié ses résultats.",
            "fr",
            {("Paul Hermelin", "Capgemini", "chairman")},
        ),
    ],
)
def test_founders_and_leaders(text, lang, expected):
    ex, ents, _ = run(text, lang)
    got = {(ents[f.subject].label, ents[f.object].label, f.role) for f in attrs(ex, "worksFor")}
    assert expected <= got


@pytest.mark.parametrize(
    ("text", "lang", "child", "parent"),
    [
        ("Scale AI pays contractors through its subsidiary Remotasks.", "en", "Remotasks", "Scale AI"),
        ("Outlier AI, another Scale AI subsidiary, recruits writers.", "en", "Outlier AI", "Scale AI"),
        ("Google's parent company Alphabet reported higher profits.", "en", "Google", "Alphabet"),
        (
            "Les données sont hébergées par Outscale (la division cloud de Dassault Systèmes).",
            "fr",
            "Outscale",
            "Dassault Systèmes",
        ),
    ],
)
def test_subsidiaries(text, lang, child, parent):
    _, _, facts = run(text, lang)
    assert (child, "memberOf", parent) in facts


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "Anthropic, a San Francisco-based startup, released a new model.",
            "en",
            ("Anthropic", "locatedIn", "San Francisco"),
        ),
        ("California Governor Gavin Newsom signed the bill.", "en", ("Gavin Newsom", "locatedIn", "California")),
        ("Le 13 octobre, Amazon France a présenté son plan.", "fr", ("Amazon France", "locatedIn", "France")),
        (
            "Il craignait pour les champions européens, notamment le français Mistral AI.",
            "fr",
            ("Mistral AI", "locatedIn", "France"),
        ),
    ],
)
def test_places(text, lang, expected):
    _, _, facts = run(text, lang)
    assert expected in facts


def test_plural_pronoun_takes_the_last_group():
    text = "Walmart et OpenAI ont signé un partenariat. Ils prévoient de former 10 millions de travailleurs d'ici 2030."
    ex, ents, _ = run(text, "fr")
    trained = {ents[f.subject].label: (f.count, f.year) for f in attrs(ex, "trains")}
    assert trained == {"Walmart": (10_000_000, 2030), "OpenAI": (10_000_000, 2030)}


@pytest.mark.parametrize(
    ("text", "lang", "investors", "investee"),
    [
        (
            "Mistral AI a levé 600 millions d'euros. Parmi les investisseurs figurent Nvidia, Salesforce et Bpifrance.",
            "fr",
            {"Nvidia", "Salesforce", "Bpifrance"},
            "Mistral AI",
        ),
        (
            "Anthropic raised $450 million. Spark Capital led the round, with participation from Google and Salesforce.",
            "en",
            {"Spark Capital", "Google", "Salesforce"},
            "Anthropic",
        ),
    ],
)
def test_round_investors_across_sentences(text, lang, investors, investee):
    _, _, facts = run(text, lang)
    assert {s for s, p, o in facts if p == "investsIn" and o == investee} == investors


def test_speaker_on_the_line_before_a_quote():
    text = "Ursula von der Leyen spoke in Paris, stating:\n“Europe will lead in trustworthy artificial intelligence.”"
    ex, ents, _ = run(text, "en")
    (said,) = attrs(ex, "said")
    assert ents[said.subject].label == "Ursula von der Leyen"


def test_a_quote_that_ends_its_sentence_belongs_to_the_speaker_before_it():
    text = (
        'CEO Paul Griggs made clear the rollout is "phase one." Anthropic CEO Dario Amodei said the '
        "deployment could grow."
    )
    ex, ents, _ = run(text, "en")
    speakers = {ents[f.subject].label for f in attrs(ex, "said")}
    assert speakers == {"Paul Griggs"}


def test_partner_list_with_acronyms():
    text = (
        "Les travaux ont été menés avec trois partenaires : l'Union des entreprises de proximité (U2P), "
        "la Confédération française de l'encadrement (CFE) et l'association ASTREES."
    )
    _, _, facts = run("La CFDT publie un rapport. " + text, "fr")
    partners = {frozenset((s, o)) for s, p, o in facts if p == "partnersWith"}
    assert frozenset(("CFDT", "Union des entreprises de proximité")) in partners
    assert frozenset(("CFDT", "ASTREES")) in partners


@pytest.mark.parametrize(
    ("text", "quotes"),
    [
        # a stray opening mark does not shift the pairs after it
        (
            'Elle a dit "Il n’y aura "pas de changement de ligne". Plus tard, "nous avons gagné", a-t-il dit, '
            'parlant de "défaite productive".',
            ["pas de changement de ligne", "nous avons gagné", "défaite productive"],
        ),
        # a quotation does not run over a paragraph break
        ('"Une phrase qui ne finit pas\n\nPuis "une autre citation ici", dit-il.', ["une autre citation ici"]),
        # marks after an opening bracket or an apostrophe open, before punctuation close
        ('The report ("a clear warning") reached l\'"AI office" on Monday.', ["a clear warning", "AI office"]),
        # a quotation with no closing mark in its paragraph runs to the paragraph's end
        (
            "Elle a ajouté : « Nous allons recruter cent personnes cette année.\n\n« Et former les autres », dit-elle.",
            ["Nous allons recruter cent personnes cette année.", "Et former les autres"],
        ),
        ("He said: “We will hire a hundred people this year and", ["We will hire a hundred people this year and"]),
        # an opening mark right before punctuation opens nothing
        ("Elle dit : ” Nous manquons de codeurs, on fera sans eux. “. L’ouverture est prévue pour octobre prochain.", []),
        # a curly mark closed by a straight one does not swallow the quotation after it
        (
            'We need “a second wave of tools", she said.\n"Costs will fall next year," she added.',
            ["a second wave of tools", "Costs will fall next year"],
        ),
    ],
)
def test_straight_quotation_marks_pair_by_what_surrounds_them(text, quotes):
    from kg.extract.quotes import find_quotes

    assert [q[2] for q in find_quotes(text)] == quotes


@pytest.mark.parametrize(
    ("text", "quotes"),
    [
        # English opens each paragraph of a quotation anew and closes only the last one
        ("Osei said: “We will hire forty people in the spring this year.\n“The plant opens in May.”\nHe left.",
         ["We will hire forty people in the spring this year.", "The plant opens in May."]),
        # a mark whose line holds no quotation going on stays a stray
        ("He wrote “ then “the plan works well” and left.", ["the plan works well"]),
    ],
)  # fmt: skip
def test_a_quotation_going_on_in_the_next_paragraph_ends_with_its_own(text, quotes):
    from kg.extract.quotes import find_quotes

    assert [q[2] for q in find_quotes(text)] == quotes


@pytest.mark.parametrize(
    ("text", "quotes"),
    [
        # a quotation that quotes a name inside it is one quotation, not the name alone
        ("« Le lycée est le bon endroit pour lancer le plan « Apprendre l’IA » cette année », dit-elle.",
         ["Le lycée est le bon endroit pour lancer le plan « Apprendre l’IA » cette année"]),
        ("« Nous sommes dans les « starting blocks » pour 2027 » et « rien de plus ici ».",
         ["Nous sommes dans les « starting blocks » pour 2027", "rien de plus ici"]),
        # a curly opening mark closed by a straight one
        ("Mensah said it was time for “the second wave of tools\", noting the costs.", ["the second wave of tools"]),
        # a straight mark that opens inside the quotation is not its end
        ("Mensah said “we call it \"open work\" here” today.", ['we call it "open work" here']),
        # an unbalanced mark stays a stray
        ("Il cite « un « plan d’avenir » pour tous.", ["plan d’avenir"]),
    ],
)  # fmt: skip
def test_nested_and_mixed_quotation_marks(text, quotes):
    from kg.extract.quotes import find_quotes

    assert [q[2] for q in find_quotes(text)] == quotes


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Acme hired Bo. Then it grew.", ["Acme hired Bo.", "Then it grew."]),
        ("Acme hired Bo. then it grew.", ["Acme hired Bo. then it grew."]),  # no capital: one sentence
        ('He said "we grew." Acme agreed.', ['He said "we grew."', "Acme agreed."]),  # the closing quote stays
        ("Menu\nAcme hired Bo", ["Menu\n", "Acme hired Bo"]),  # a line break starts one
        ("Acme, Bo and Co partner", ["Acme, Bo and Co partner"]),
        ("Sales rose 5 %. 2026 will be better.", ["Sales rose 5 %.", "2026 will be better."]),
        ("", []),
    ],
)
def test_sentence_starts_given_to_the_parser(text, sentences):
    import spacy

    import kg.extract.components  # noqa: F401  (registers kg_sentences)

    nlp = spacy.blank("en")
    nlp.add_pipe("kg_sentences")
    assert [s.text_with_ws.strip(" ") for s in nlp(text).sents] == sentences
