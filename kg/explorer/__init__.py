"""Building blocks of the HTML explorer page written by :mod:`kg.viz`.

- :mod:`kg.explorer.data` reads the RDF graph into plain records (entities,
  documents, facts with their provenance);
- :mod:`kg.explorer.layout` ranks nodes by centrality, keeps the most central
  ones and computes their positions, so the browser has no physics to run;
- ``page.html.j2``, ``explorer.js`` and ``explorer.css`` are the page itself
  (package data), filled in by :mod:`kg.viz`.
"""

from __future__ import annotations
