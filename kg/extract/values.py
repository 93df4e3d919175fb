"""Numbers in news text: money with its currency, counts, target years.

Pure functions over strings; offsets are character offsets in the string.

>>> [(m.value, m.currency) for m in find_money("a investi 13 milliards de dollars", "fr")]
[(Decimal('13000000000'), 'USD')]
>>> [(m.value, m.currency) for m in find_money("Amazon spends $2.75 billion on Anthropic", "en")]
[(Decimal('2750000000'), 'USD')]
>>> [q.value for q in find_counts("former 12,5 millions de travailleurs", "fr")]
[Decimal('12500000')]
>>> [q.value for q in find_counts("train 2 million people by 2025", "en")]
[Decimal('2000000')]
>>> find_target_year("former 10 millions de travailleurs d'ici 2030", "fr")
2030

Numbers written in words are read by text2num:

>>> [q.value for q in find_counts("pledging to upskill a million more people", "en")]
[Decimal('1000000')]
>>> [(m.value, m.currency) for m in find_money("a levé cinq millions d'euros", "fr")]
[(Decimal('5000000'), 'EUR')]
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from text_to_num import text2num

__all__ = ["Quantity", "parse_number", "find_money", "find_counts", "find_target_year"]


@dataclass(frozen=True)
class Quantity:
    """A number found in text, with its currency when it is money."""

    value: Decimal
    start: int
    end: int
    currency: str | None = None


_SCALES = {
    "k": 10**3,
    "thousand": 10**3,
    "mille": 10**3,
    "milliers": 10**3,
    "m": 10**6,
    "mn": 10**6,
    "mio": 10**6,
    "million": 10**6,
    "millions": 10**6,
    "md": 10**9,
    "mds": 10**9,
    "mrd": 10**9,
    "mrds": 10**9,
    "bn": 10**9,
    "b": 10**9,
    "billion": 10**9,
    "billions": 10**9,
    "milliard": 10**9,
    "milliards": 10**9,
    "trillion": 10**12,
    "trillions": 10**12,
    "tn": 10**12,
}
_FR_ONLY_SCALES = {"billion": 10**12, "billions": 10**12}  # French "billion" is 10^12

_CURRENCY_WORDS = {
    "$": "USD",
    "us$": "USD",
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "livre": "GBP",
    "livres": "GBP",
    "pound": "GBP",
    "pounds": "GBP",
    "¥": "JPY",
    "yen": "JPY",
    "yens": "JPY",
    "jpy": "JPY",
    "chf": "CHF",
    "francs suisses": "CHF",
    "yuan": "CNY",
    "yuans": "CNY",
    "cny": "CNY",
    "c$": "CAD",
    "cad": "CAD",
    "a$": "AUD",
    "aud": "AUD",
    "inr": "INR",
    "roupies": "INR",
    "rupees": "INR",
}

# 1,234,567.89 | 1 234 567,89 | 12,5 | 2.75 | 10 000 | 200'000 (Swiss)
_NUM = r"\d{1,3}(?:[ \u202f\u00a0.,'’]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_SCALE = r"(?:milliards?|millions?|milliers|mille|billions?|trillions?|thousand|mds?|mrds?|mios?|mn|bn|tn|[kmb])\b\.?"
_CUR_PRE = r"(?:US\$|C\$|A\$|\$|€|£|¥)"
_CUR_POST = (
    r"(?:de\s+|d['’]\s*|of\s+)?(?:dollars?(?:\s+américains|\s+US)?|euros?|livres(?:\s+sterling)?|pounds?(?:\s+sterling)?"
    r"|yens?|yuans?|francs\s+suisses|roupies|rupees|USD|EUR|GBP|CHF|JPY|CNY|CAD|AUD|INR|\$|€|£|¥)"
)

#: A hyphen before a scale word: "30-million people", "$1.5-billion" (not "10-K").
_HYPHEN = r"-(?=milli|billi|trilli|thous)"
#: An optional scale after a number, with a space, a hyphen or nothing between them.
_SCALED = rf"(?:(?:\s?|{_HYPHEN})(?P<scale>{_SCALE}))?"
_MONEY_PRE = re.compile(rf"(?P<cur>{_CUR_PRE})\s?(?P<num>{_NUM}){_SCALED}", re.I)
_MONEY_POST = re.compile(rf"(?<![\w$€£])(?P<num>{_NUM}){_SCALED}\s*(?P<cur>{_CUR_POST})(?!\w)", re.I)
#: What makes a number a share, not a count: "40 %", "vingt pour cent", "ten percent".
_PERCENT_AFTER = r"\s?(?:%|pour\s?cent|percent|per\s?cent)"
_COUNT = re.compile(rf"(?<![\w$€£.,])(?P<num>{_NUM}){_SCALED}(?![\w%])(?!{_PERCENT_AFTER})", re.I)
_PERCENT = re.compile(_PERCENT_AFTER, re.I)
#: A currency right after a number written in words ("cinq millions d'euros").
_WORDS_CURRENCY = re.compile(rf"\s*(?P<cur>{_CUR_POST})(?!\w)", re.I)
_YEAR = {
    "fr": re.compile(
        r"\b(?:d['’]ici(?:\s+à)?|à\s+l['’]horizon|avant|jusqu['’]en|en|pour|fin|horizon)\s+(?:(?:la\s+)?fin\s+)?(?P<year>20\d\d)\b",
        re.I,
    ),
    "en": re.compile(
        r"\b(?:by|until|before|through|in|within|by\s+the\s+end\s+of|end\s+of)\s+(?P<year>20\d\d)\b", re.I
    ),
}


def parse_number(text: str, lang: str) -> Decimal | None:
    """Parse a number written the way ``lang`` writes them.

    >>> parse_number("12,5", "fr"), parse_number("1,500", "en"), parse_number("10 000", "fr"), parse_number("200'000", "fr")
    (Decimal('12.5'), Decimal('1500'), Decimal('10000'), Decimal('200000'))
    """
    s = re.sub(r"[ \u202f\u00a0'’]", "", text)
    if re.fullmatch(r"\d{1,3}([.,])\d{3}(\1\d{3})*", s):
        # a thousands separator, unless French writes a decimal comma ("1,500" is rare in fr)
        if lang == "fr" and "," in s and s.count(",") == 1:
            s = s.replace(",", ".")
        else:
            s = s.replace(",", "").replace(".", "")
    elif "," in s and "." in s:
        # 1,234.5 (en) or 1.234,5 (fr)
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
    else:
        s = s.replace(",", ".")
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def _scaled(num: str, scale: str | None, lang: str) -> Decimal | None:
    value = parse_number(num, lang)
    if value is None:
        return None
    if scale:
        key = scale.lower().rstrip(".")
        factor = (_FR_ONLY_SCALES.get(key) if lang == "fr" else None) or _SCALES.get(key)
        if factor is None:
            return None
        value *= factor
    return value.normalize() if value == value.to_integral() else value


def _currency(word: str) -> str | None:
    w = re.sub(r"^(?:de|d['’]|of)\s*", "", word.strip().lower())
    w = re.sub(r"\s+(?:américains|us|sterling)$", "", w)
    return _CURRENCY_WORDS.get(w) or (w.upper() if re.fullmatch(r"[a-z]{3}", w) else None)


#: A word, with the hyphens of "forty-four" and "vingt-et-un" inside it.
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
#: Words that stand for "one" before a scale word ("a million", "un milliard").
_ONE = frozenset({"a", "an", "one", "un", "une"})
#: Scale words a number in words may end with.
_WORD_SCALES = frozenset({"hundred", "thousand", "million", "millions", "billion", "billions", "trillion",
                          "cent", "cents", "mille", "milliard", "milliards"})  # fmt: skip
#: Words text2num reads as a number that, alone, are not one: articles and pronouns ("one of",
#: "un programme"), vague amounts ("millions of", "des milliers"), "neuf" (new), "o".
_NOT_ALONE = _ONE | _WORD_SCALES | frozenset({"tens", "hundreds", "thousands", "dizaines", "centaines", "milliers",
                                              "neuf", "o", "zero", "zéro"})  # fmt: skip
#: Longest number in words read, in words ("two hundred and fifty thousand").
_MAX_NUMBER_WORDS = 8


def _number(words: str, lang: str) -> Decimal | None:
    try:
        return Decimal(text2num(words, lang if lang in {"fr", "en"} else "en"))
    except ValueError:
        return None


@functools.lru_cache(maxsize=1 << 14)
def _numeric(word: str, lang: str) -> bool:
    """Whether a lower-case word may be part of a number in words ("forty-four", "and", "et")."""
    return word in _ONE or word in {"and", "et"} or _number(word, lang) is not None


@functools.lru_cache(maxsize=4096)
def _words_numbers(text: str, lang: str) -> tuple[Quantity, ...]:
    """Numbers written in words ("two million", "quarante-quatre", "a million"), the longest run
    of words text2num reads as one number; a lone "one" or "un" is an article or a pronoun, not a count."""
    words = list(_WORD.finditer(text))
    out: list[Quantity] = []
    k = 0
    while k < len(words):
        best = None
        longest = 0
        while (longest < min(_MAX_NUMBER_WORDS, len(words) - k)
               and _numeric(words[k + longest].group().lower(), lang)):  # fmt: skip
            longest += 1
        for n in range(longest, 0, -1):
            run = words[k : k + n]
            if any(text[x.end() : y.start()].strip() for x, y in zip(run, run[1:])):
                continue  # only spaces between the words of one number
            lowered = [w.group().lower() for w in run]
            if lowered[0] in _ONE and n > 1 and lowered[1] in _WORD_SCALES:
                lowered[0] = "un" if lang == "fr" else "one"
            elif n == 1 and lowered[0] in _NOT_ALONE:
                continue
            value = _number(" ".join(lowered), lang)
            if value:
                best = (n, value)
                break
        if best is None:
            k += 1
            continue
        n, value = best
        run = words[k : k + n]
        out.append(Quantity(value, run[0].start(), run[-1].end()))
        k += n
    return tuple(out)


@functools.lru_cache(maxsize=4096)
def find_money(text: str, lang: str) -> tuple[Quantity, ...]:
    """Money amounts with ISO 4217 currency codes, in order of appearance (memoised)."""
    found: list[Quantity] = []
    for rx in (_MONEY_PRE, _MONEY_POST):
        for m in rx.finditer(text):
            value = _scaled(m.group("num"), m.group("scale"), lang)
            cur = _currency(m.group("cur"))
            if value is not None and cur:
                q = Quantity(Decimal(int(value)) if value == value.to_integral() else value, m.start(), m.end(), cur)
                if not any(f.start < q.end and q.start < f.end for f in found):
                    found.append(q)
    for w in _words_numbers(text, lang):  # "cinq millions d'euros", "three hundred million dollars"
        m = _WORDS_CURRENCY.match(text, w.end)
        cur = _currency(m.group("cur")) if m else None
        if m and cur and not any(f.start < m.end() and w.start < f.end for f in found):
            found.append(Quantity(w.value, w.start, m.end(), cur))
    return tuple(sorted(found, key=lambda q: q.start))



def find_counts(text: str, lang: str) -> list[Quantity]:
    """Plain numbers (no currency, no percent, no year-looking bare 4-digit numbers)."""
    money = find_money(text, lang)
    out: list[Quantity] = []
    for m in _COUNT.finditer(text):
        if any(q.start <= m.start() < q.end for q in money):
            continue
        num, scale = m.group("num"), m.group("scale")
        if not scale and re.fullmatch(r"(19|20)\d\d", num):
            continue  # a year
        value = _scaled(num, scale, lang)
        if value is None:
            continue
        out.append(Quantity(Decimal(int(value)) if value == value.to_integral() else value, m.start(), m.end()))
    for w in _words_numbers(text, lang):
        if any(q.start < w.end and w.start < q.end for q in (*money, *out)) or _PERCENT.match(text, w.end):
            continue
        out.append(w)
    return sorted(out, key=lambda q: q.start)



def find_target_year(text: str, lang: str) -> int | None:
    """The target year of a commitment ("d'ici 2030", "by 2025"), if the text gives one."""
    m = _YEAR.get(lang, _YEAR["en"]).search(text)
    return int(m.group("year")) if m else None
