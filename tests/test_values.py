from decimal import Decimal

import pytest

from kg.extract.values import find_counts, find_money, find_target_year, parse_number


@pytest.mark.parametrize(
    ("text", "lang", "value", "currency"),
    [
        ("a investi 13 milliards de dollars dans", "fr", 13_000_000_000, "USD"),
        ("une levée de 105 millions d’euros", "fr", 105_000_000, "EUR"),
        ("un tour de 105 millions €", "fr", 105_000_000, "EUR"),
        ("pour 1,5 Md€", "fr", 1_500_000_000, "EUR"),
        ("2,75 milliards de dollars", "fr", 2_750_000_000, "USD"),
        ("Amazon spends $2.75 billion", "en", 2_750_000_000, "USD"),
        ("a $385 million round", "en", 385_000_000, "USD"),
        ("the €200 billion plan", "en", 200_000_000_000, "EUR"),
        ("up to US$4bn", "en", 4_000_000_000, "USD"),
        ("£100m for training", "en", 100_000_000, "GBP"),
        ("10 million euros", "en", 10_000_000, "EUR"),
        ("a $1.5-billion deal", "en", 1_500_000_000, "USD"),
        # numbers written in words
        ("a levé cinq millions d'euros", "fr", 5_000_000, "EUR"),
        ("raised three hundred million dollars", "en", 300_000_000, "USD"),
        ("un milliard de dollars", "fr", 1_000_000_000, "USD"),
        ("a billion dollars", "en", 1_000_000_000, "USD"),
    ],
)
def test_money(text, lang, value, currency):
    found = find_money(text, lang)
    assert [(q.value, q.currency) for q in found] == [(Decimal(value), currency)]
    assert text[found[0].start : found[0].end].strip()


@pytest.mark.parametrize(
    ("text", "lang", "values"),
    [
        ("former 10 millions de travailleurs", "fr", [10_000_000]),
        ("12,5 millions de travailleurs", "fr", [12_500_000]),
        ("10 000 agents", "fr", [10_000]),
        ("5,000 workers", "en", [5_000]),
        ("2 million people by 2025", "en", [2_000_000]),
        ("60 unions", "en", [60]),
        ("en 2024, 40 % des salariés", "fr", []),
        ("a $4 billion investment", "en", []),
        ("to certify 30-million people", "en", [30_000_000]),
        ("its 10-K filing", "en", [10]),
        ("the 30-member board", "en", [30]),
        # Swiss thousands separators
        ("avec ses quelque 200'000 membres", "fr", [200_000]),
        ("1’500 salariés et 20 sites", "fr", [1_500, 20]),
        # numbers written in words
        ("pledging to upskill a million more people", "en", [1_000_000]),
        ("will provide two million people with skills", "en", [2_000_000]),
        ("former un million de personnes", "fr", [1_000_000]),
        ("former dix mille salariés et quarante-quatre élèves", "fr", [10_000, 44]),
        ("two hundred and fifty thousand workers", "en", [250_000]),
        ("1.5 million people and ten more", "en", [1_500_000, 10]),
        # words that are numbers only in some uses
        ("one of the unions and a programme", "en", []),
        ("un programme et une formation", "fr", []),
        ("millions of people, des milliers de salariés", "en", []),
        ("vingt pour cent des salariés, ten percent of staff", "fr", []),
        ("un bâtiment neuf", "fr", []),
    ],
)
def test_counts(text, lang, values):
    assert [int(q.value) for q in find_counts(text, lang)] == values


@pytest.mark.parametrize(
    ("text", "lang", "year"),
    [
        ("former 10 millions de travailleurs d'ici 2030", "fr", 2030),
        ("d’ici à 2027", "fr", 2027),
        ("à l'horizon 2030", "fr", 2030),
        ("train 2 million people by 2025", "en", 2025),
        ("founded in the past", "en", None),
    ],
)
def test_target_year(text, lang, year):
    assert find_target_year(text, lang) == year


@pytest.mark.parametrize(
    ("text", "lang", "value"),
    [
        ("12,5", "fr", "12.5"),
        ("1,500", "en", "1500"),
        ("10 000", "fr", "10000"),
        ("2.75", "en", "2.75"),
        ("1.234,5", "fr", "1234.5"),
        ("1,234.5", "en", "1234.5"),
        ("200'000", "fr", "200000"),
    ],
)
def test_parse_number(text, lang, value):
    assert parse_number(text, lang) == Decimal(value)
