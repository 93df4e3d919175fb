"""The query page of ``kg serve`` (``/query``): questions as forms, a SPARQL editor, results as tables.

- :mod:`kg.workbench.page` writes the page: one self-contained HTML document
  (``page.html.j2``, ``workbench.js`` and ``workbench.css`` inlined, package
  data) whose Content-Security-Policy lets only its own script and style run
  and lets it talk to its own server only;
- :mod:`kg.workbench.api` reads the page's requests and writes its answers
  (SPARQL results JSON, with the labels of the entities and the titles of the
  documents in them, or an error with its position in the query);
- :mod:`kg.workbench.index` keeps the entities' names and the documents in
  memory, for completion and for showing IRIs by name.

The routes live in :mod:`kg.server`.
"""

from __future__ import annotations
