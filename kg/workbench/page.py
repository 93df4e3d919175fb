"""The query page as one HTML string: template, script and style inlined, data as escaped JSON.

Safety: named queries and settings reach the page only as JSON in a
``<script type="application/json">`` block (``<``, ``>`` and ``&`` escaped),
and the page script inserts every text it gets (from there or from the
server) with ``textContent``. The Content-Security-Policy runs the page's one
script and one style sheet by hash, and lets the page fetch from its own
server only.

>>> html = page_html()
>>> html.startswith("<!DOCTYPE html>") and "https://" not in html.split("<script")[0]
True
"""

from __future__ import annotations

import base64
import hashlib
from importlib.resources import files
from typing import Any

__all__ = ["page_html", "render_page", "page_config", "content_security_policy"]


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy(script: str, style: str) -> str:
    """The policy of the page: nothing but its own script and style, and requests to its own server."""
    return (
        f"default-src 'none'; script-src {_hash(script)}; style-src {_hash(style)}; connect-src 'self'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def page_config(*, store: str = "", timeout: float | None = None, allow_network: bool = False) -> dict[str, Any]:
    """What the page needs to know: the named queries, prefixes, classes and the server's limits."""
    from kg.query import PREFIXES, named_queries
    from kg.viz import CLASS_COLOURS
    from kg.workbench.api import MAX_ROWS

    def about_entities(spec: Any) -> bool:
        return any(k not in ("Document", "Class") for p in spec.parameters for k in p.kinds)

    queries = []
    for spec in sorted(named_queries().values(), key=lambda q: (not about_entities(q), q.name)):
        params = [
            {"name": p.name, "description": p.description, "required": p.required, "kinds": list(p.kinds)}
            for p in spec.parameters
        ]
        queries.append(
            {
                "name": spec.name,
                "question": spec.question or spec.description,
                "description": spec.description,
                "params": params,
                "sparql": spec.sparql,
            }
        )
    return {
        "queries": queries,
        "prefixes": sorted(PREFIXES.items()),
        "classes": [[c, colour] for c, colour in CLASS_COLOURS.items()],
        "limits": {"store": store, "timeout": timeout, "network": allow_network, "rows": MAX_ROWS},
    }


def render_page(*, store: str = "", timeout: float | None = None, allow_network: bool = False) -> tuple[str, str]:
    """The query page (see the module docstring) for a server of ``store`` with these limits, and its policy."""
    from jinja2 import Environment, StrictUndefined

    from kg.viz import _asset, _json_for_html

    script = _asset("kg.workbench", "workbench.js")
    style = _asset("kg.workbench", "workbench.css")
    policy = content_security_policy(script, style)
    env = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    template = env.from_string(files("kg.workbench").joinpath("page.html.j2").read_text(encoding="utf-8"))
    config = page_config(store=store, timeout=timeout, allow_network=allow_network)
    html = template.render(csp=policy, css=style, js=script, data_json=_json_for_html(config))
    return html, policy


def page_html(*, store: str = "", timeout: float | None = None, allow_network: bool = False) -> str:
    """The query page as an HTML string (see :func:`render_page`)."""
    return render_page(store=store, timeout=timeout, allow_network=allow_network)[0]
