"""Tests of kg.chrome: line rules from ontology/lexicon/chrome.yaml, HTML pruning, Markdown.

Every input here is invented for the tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.chrome import (
    ChromeRules,
    html_blocks,
    html_body_text,
    key,
    load_rules,
    markdown_to_text,
    prune_html,
    strip_chrome,
)
from kg.errors import IngestError

DATA = Path(__file__).parent / "data" / "ingest"

#: Enough article text before a paywall/comments line for it to cut the rest.
ARTICLE = (
    "La coopérative Ventoline a annoncé lundi un accord avec le syndicat des monteurs pour former "
    "quatre cents salariés aux nouveaux logiciels de maintenance d'ici à la fin de l'année prochaine.\n"
    "L'entreprise, installée à Brest, consacrera deux millions d'euros à ce programme."
)


@pytest.fixture(scope="module")
def rules() -> ChromeRules:
    return load_rules()


# --------------------------------------------------------------------------- single lines


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Share the Post:", "share/like widget"),
        ("  • Partager", "share/like widget"),
        ("• Reposter", "share/like widget"),
        ("Tweet", "share/like widget"),
        ("Like", "share/like widget"),
        ("Partager sur LinkedIn", "share/like widget"),
        ("Facebook | X | LinkedIn | Copier le lien", "share/like widget"),
        ("1,2K partages", "share/like widget"),
        ("Voir l'original", "share/like widget"),
        ("Création du résumé en cours", "page widget"),
        ("0/400", "page widget"),
        ("4 min de lecture", "page widget"),
        ("Temps de lecture : 6 min", "page widget"),
        ("5 min read", "page widget"),
        ("English", "language picker"),
        ("  • Español", "language picker"),
        ("Français (Afrique)", "language picker"),
        ("Português (Brasil)", "language picker"),
        ("• 简体中文", "language picker"),
        ("Русский", "language picker"),
        ("FR | EN | DE", "language picker"),
        ("Nous utilisons des cookies pour améliorer votre expérience et mesurer l'audience.", "cookie banner"),
        ("We use cookies to personalise content. By continuing to browse you agree.", "cookie banner"),
        ("Tout accepter", "cookie banner"),
        ("Continuer sans accepter", "cookie banner"),
        ("Reject all", "cookie banner"),
        ("Je m'abonne à la newsletter « Matin »", "newsletter prompt"),
        ("Sign up for our weekly newsletter", "newsletter prompt"),
        (
            "A NEWSLETTER FOR YOU Friday, 9 AM Harbour Tech The week's port news in five minutes. Sign Up",
            "newsletter prompt",
        ),
        ("Votre adresse e-mail", "newsletter prompt"),
        ("Connexion", "account/navigation link"),
        ("Abonnez-vous", "account/navigation link"),
        ("News", "account/navigation link"),
        ("Back to top", "account/navigation link"),
        ("Accueil › Économie › Industrie", "account/navigation link"),
        ("Économie · Industrie", "account/navigation link"),
        ("© 2024 Le Petit Quotidien. Tous droits réservés.", "account/navigation link"),
        ("Scan pour télécharger l'app Ventoline", "app download prompt"),
        ("Téléchargez notre application gratuite", "app download prompt"),
        ("Available on the App Store and Google Play", "app download prompt"),
        ("Il reste 58% de l'article à découvrir.", "paywall notice"),
        ("Il vous reste 40.5% de cet article à lire. La suite est réservée aux abonnés.", "paywall notice"),
        ("Déjà abonné ? Se connecter", "paywall notice"),
        ("Subscribe to continue reading", "paywall notice"),
        ("Commentaires (12)", "comment section"),
        ("3 commentaires", "comment section"),
        ("Aucun commentaire", "comment section"),
        ("Leave a comment", "comment section"),
        ("Comments", "comment section"),
        ("Commentaire", "comment widget"),
        ("À lire aussi", "related-article teaser"),
        ("À lire aussiLe port de Brest bat un record", "related-article teaser"),
        ("Lire aussi : Le port de Brest bat un record", "related-article teaser"),
        ("Read also: Ventoline opens a new plant", "related-article teaser"),
        ("Related articles", "related-article teaser"),
        ("Publicité", "advertisement"),
        ("advertisement", "advertisement"),
        ("Story continues below advertisement", "advertisement"),
        ("Advertisement - Scroll to continue", "advertisement"),
        ("Photograph: Jeanne Morvan/Reuters", "photo credit"),
        ("Suivez-nous sur les réseaux sociaux", "account/navigation link"),
        ("Mots-clés : maintenance, syndicats, Brest", "account/navigation link"),
        ("Cet article vous a-t-il été utile ?", "page widget"),
        ("Photo : Jeanne Morvan / Agence Iroise", "photo credit"),
        ("Crédit : Jeanne Morvan", "photo credit"),
        ("Crédit photo Jeanne Morvan", "photo credit"),
        ("© Jeanne Morvan", "photo credit"),
        ("Getty Images", "photo credit"),
        ("Worker/Studio – Atelier Lune – Better Images of AI", "photo credit"),
        ("Jeanne Morvan / AFP", "photo credit"),
        (
            "Cette page peut inclure du contenu de tiers fourni à des fins d'information uniquement.",
            "disclaimer boilerplate",
        ),
        (
            "This page may contain third-party content and does not constitute investment advice.",
            "disclaimer boilerplate",
        ),
        ("https://exemple.example/article/1234", "bare link"),
        ("robot", "icon or image label"),
        ("qrCode", "app download prompt"),
        ("iconShare", "icon or image label"),
        ("* * *", "punctuation"),
        ("•", "punctuation"),
    ],
)
def test_chrome_lines_are_recognised(rules: ChromeRules, line: str, reason: str) -> None:
    verdict = rules.classify(line)
    assert verdict is not None, line
    assert verdict[0] == reason


@pytest.mark.parametrize(
    "line",
    [
        "Lire aussi les rapports de la Cour des comptes permet de mesurer l'écart.",
        "Crédit Agricole annonce un partenariat avec une start-up de Rennes",
        "La CNIL a sanctionné le moteur de recherche pour ses cookies publicitaires.",
        "Les clients peuvent télécharger l'application sur leur téléphone dès lundi.",
        "L'application est disponible sur l'App Store depuis mai, selon la société.",
        "Related Companies said it would invest in the new tower.",
        "Listen Labs raised $12 million from two funds.",
        "Dans sa newsletter hebdomadaire, l'économiste estime que la croissance ralentit.",
        "Les commentaires du ministre ont surpris les syndicats.",
        "Share prices rose after the announcement.",
        "Comment les syndicats encadrent-ils l'usage de l'IA ?",
        "Réactions",
        "Rija",
        "Un syndicat associé dès la conception",
        "Le 25 mars à 10h40",
        "What Changed",
        "Reuters reported that the deal was signed on Friday, citing two sources.",
        "Anglais, espagnol et allemand sont enseignés dans l'école.",
        "- 30,000 consultants",
        "Par Léa Ronan | Le | Emploi",
        "By Jane Doe · Reuters",
        "Jane O'Doe · 3 days ago · 4 minutes read",
        "Léa Ronan, publié le 5 mars 2024",
    ],
)
def test_article_lines_are_kept(rules: ChromeRules, line: str) -> None:
    assert rules.classify(line) is None


def test_key_normalises_bullets_quotes_and_trailing_punctuation() -> None:
    assert key("  • Voir l’original :") == "Voir l'original"
    assert key("Déjà abonné ? Se connecter") == "Déjà abonné? Se connecter"


# --------------------------------------------------------------------------- whole texts


@pytest.mark.parametrize(
    ("tail", "reason"),
    [
        ("Il reste 61% de l'article à découvrir.\nUne phrase derrière le paywall.", "paywall notice"),
        ("Commentaires (2)\nBravo pour cet article !\nJe ne suis pas d'accord.", "comment section"),
        ("Aucun commentaire\nÉpingler\nTrader partout et à tout moment", "comment section"),
        ("Leave a comment\nGreat piece, thanks.", "comment section"),
    ],
)
def test_cut_drops_the_rest_of_the_document(tail: str, reason: str) -> None:
    text, removed = strip_chrome(ARTICLE + "\n\n" + tail)
    assert text == ARTICLE
    assert removed[0].reason == reason
    assert all(r.reason == f"after {reason}" for r in removed[1:])


@pytest.mark.parametrize(
    ("widget", "reason"),
    [
        ("- 0 Comments", "comment section"),
        ("Sign up for a free preview to unlock the rest of this article", "paywall notice"),
    ],
)
def test_cut_line_followed_by_article_prose_is_only_dropped(widget: str, reason: str) -> None:
    more = (
        "Le directeur du site, Yann Kerleau, a précisé que les premières sessions commenceront en septembre "
        "dans les ateliers de Brest et de Lorient."
    )
    text, removed = strip_chrome(f"{ARTICLE}\n{widget}\nPartager\n\n{more}")
    assert text == f"{ARTICLE}\n\n{more}"
    assert [r.reason for r in removed] == [reason, "share/like widget"]


def test_cut_line_followed_by_short_lines_still_cuts() -> None:
    tail = "Partager\nYann44\nIl y a 2 heures\n" + ARTICLE.replace("Ventoline", "Venteline")
    text, _ = strip_chrome(f"{ARTICLE}\nCommentaires (3)\n{tail}")
    assert text == ARTICLE


def test_cut_line_before_the_article_is_only_dropped() -> None:
    text, removed = strip_chrome("12 commentaires\n" + ARTICLE)
    assert text == ARTICLE
    assert [r.reason for r in removed] == ["comment section"]


def test_repeated_title_and_bullets_are_dropped() -> None:
    title = "Ventoline forme ses monteurs aux logiciels"
    text, removed = strip_chrome(f"{title}\n\n—\n\n{title}\n\n{ARTICLE}")
    assert text == f"{title}\n\n{ARTICLE}"
    assert [r.reason for r in removed] == ["punctuation", "repeated line"]


def test_short_repeated_lines_are_kept() -> None:
    text, _ = strip_chrome("« Je gagne peu. »\nRija\n« Je travaille la nuit. »\nRija")
    assert text.count("Rija") == 2


def test_glued_navigation_word_and_citation_labels_are_trimmed() -> None:
    text, removed = strip_chrome(
        "BackThe union met on Monday.\nThe firm pays per task. [Daily Ledger, archive]\nRelated work [1] continues."
    )
    assert text == "The union met on Monday.\nThe firm pays per task.\nRelated work [1] continues."
    assert [r.reason for r in removed] == ["navigation link", "citation label"]


@pytest.mark.parametrize(
    ("line", "caption", "credit"),
    [
        (
            "Le siège de la coopérative à Brest © Jeanne Morvan / Agence Iroise",
            "Le siège de la coopérative à Brest",
            "© Jeanne Morvan / Agence Iroise",
        ),
        ("L'atelier de Rezé en février - © D.R.", "L'atelier de Rezé en février", "- © D.R."),
        (
            "Ventoline CEO Yann Kerleau. Photographer: Jeanne Morvan/Reuters",
            "Ventoline CEO Yann Kerleau.",
            "Photographer: Jeanne Morvan/Reuters",
        ),
    ],
)
def test_caption_keeps_its_text_and_loses_its_credit(line: str, caption: str, credit: str) -> None:
    text, removed = strip_chrome(line)
    assert text == caption
    assert [(r.text, r.reason) for r in removed] == [(credit, "photo credit")]


@pytest.mark.parametrize(
    "line",
    [
        "© Jeanne Morvan / Agence Iroise",
        "Jeanne Morvan © Agence Iroise",
        "AFP PHOTO / Jeanne Morvan ©",
        "Photograph: Jeanne Morvan/Reuters",
        "Tous droits réservés © 2024 Le Petit Quotidien",
    ],
)
def test_credit_without_a_caption_goes_whole(line: str) -> None:
    assert strip_chrome(line)[0] == ""


@pytest.mark.parametrize(
    "line",
    [
        "Le paragraphe (c) de l'article 5 impose un délai de trois mois aux employeurs.",
        "The plant opened in May. Image recognition is what the new robots do best.",
    ],
)
def test_article_lines_without_a_credit_are_not_trimmed(line: str) -> None:
    assert strip_chrome(line) == (line, [])


def test_removal_records_line_numbers() -> None:
    _, removed = strip_chrome("Connexion\nLe texte.\nPublicité")
    assert [(r.line, r.text) for r in removed] == [(0, "Connexion"), (2, "Publicité")]


# --------------------------------------------------------------------------- lexicon loading


def test_packaged_lexicon_loads(rules: ChromeRules) -> None:
    assert {g.action for g in rules.groups} == {"keep", "drop", "cut"}
    assert rules.html.drop_tags >= {"script", "style", "nav", "footer"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("groups:\n  bad:\n    patterns: ['(unclosed']\n", "invalid pattern"),
        ("groups:\n  bad:\n    action: explode\n", "unknown action"),
        ("- just\n- a list\n", "must be a mapping"),
        ("groups: [unclosed\n", "invalid YAML"),
    ],
)
def test_invalid_lexicon_raises_ingest_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "chrome.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(IngestError, match=message) as info:
        load_rules(path)
    assert str(path) in str(info.value)


def test_custom_lexicon_is_used(tmp_path: Path) -> None:
    path = tmp_path / "chrome.yaml"
    path.write_text("groups:\n  house:\n    reason: house style\n    lines: [Zorglub]\n", encoding="utf-8")
    text, removed = strip_chrome("Zorglub\nPartager\nTexte.", rules=load_rules(path))
    assert text == "Partager\nTexte."
    assert removed[0].reason == "house style"


# --------------------------------------------------------------------------- HTML and Markdown


@pytest.fixture(scope="module")
def page() -> str:
    return (DATA / "saved_page.html").read_text(encoding="utf-8")


def test_html_body_text_keeps_article_blocks_in_order(page: str) -> None:
    text, warnings = html_body_text(page)
    assert warnings == []
    paragraphs = text.split("\n\n")
    assert paragraphs[0] == "Brisemer Robotique s'allie à la FML pour former ses techniciens"
    assert paragraphs[1].startswith("Par Camille Ferrand")
    assert any(p.startswith("Des techniciens dans l'atelier") for p in paragraphs)
    assert paragraphs[-1] == "Les premières sessions commenceront en septembre à Saint-Herblain & Rezé."


def test_html_fallback_when_trafilatura_finds_nothing(page: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    monkeypatch.setattr(trafilatura, "extract", lambda *a, **k: None)
    text, warnings = html_body_text(page)
    assert "trafilatura" in warnings[0]
    assert "Hélène Marchal" in text
    assert "Par Camille Ferrand" in text
    for leak in ("COMMENT-LEAK", "SIDEBAR-LEAK", "Tout accepter", "Deutsch", "Copier le lien"):
        assert leak not in text


def test_prune_html_never_removes_the_article_wrapper() -> None:
    import lxml.html

    tree = lxml.html.document_fromstring(
        "<html><body><form id='aspnetForm'><div class='page-with-sidebar'><article>"
        f"<p>{'Le texte de l’article. ' * 20}</p></article><div class='sidebar'>Les plus lus</div>"
        "</div></form></body></html>"
    )
    prune_html(tree)
    lines = [line for line, _, _ in html_blocks(tree)]
    assert lines and lines[0].startswith("Le texte de l’article.")
    assert "Les plus lus" not in lines


def test_html_blocks_kinds_and_tables() -> None:
    import lxml.html

    tree = lxml.html.fragment_fromstring(
        "<div><figure><img src='a.png' alt='ALT'><figcaption>Un atelier à Brest.</figcaption></figure>"
        "<p class='article-byline'>Par Léa Ronan</p><p>Ligne un<br>ligne deux</p>"
        "<table><tr><td>Année</td><td>Salariés</td></tr><tr><td>2024</td><td>400</td></tr></table></div>"
    )
    blocks = html_blocks(tree)
    assert [(line, kind) for line, kind, _ in blocks] == [
        ("Un atelier à Brest.", "caption"),
        ("Par Léa Ronan", "byline"),
        ("Ligne un", "text"),
        ("ligne deux", "text"),
        ("Année | Salariés", "text"),
        ("2024 | 400", "text"),
    ]
    assert blocks[2][2] == blocks[3][2]  # one paragraph, two lines


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("# Un titre\n\nDu texte *mis en avant* et **gras**.", "Un titre\n\nDu texte mis en avant et gras."),
        ("Voir [le rapport](https://exemple.example/r.pdf) publié.", "Voir le rapport publié."),
        ("![photo d'usine](usine.jpg)\n\nTexte.", "Texte."),
        ("Ligne une\nLigne deux", "Ligne une\nLigne deux"),
        ("- premier point\n- second point", "premier point\n\nsecond point"),
        ("Avant <script>alert('x')</script> après.", "Avant après."),
        ("Du `code` en ligne.", "Du code en ligne."),
    ],
)
def test_markdown_to_text(markdown: str, expected: str) -> None:
    assert markdown_to_text(markdown) == expected
