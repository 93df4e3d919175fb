"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint, the explorer and the query page.

Routes (a Starlette app served by uvicorn):

- ``GET /``: the explorer page (``OUT_DIR/explorer.html``, generated if missing).
- ``GET /query``: the query page (:mod:`kg.workbench`): questions as forms, a
  SPARQL editor, results as tables. It calls ``POST /api/query`` (a named
  query and its fields, or SPARQL and its parameters, as JSON; answers SPARQL
  results JSON with the labels of the entities and the titles of the documents
  in it), ``GET /api/complete?q=…&kind=…`` (names of entities or documents
  that start like ``q``) and ``GET /api/entity?iri=…``.
- ``GET /sparql?query=…``, ``POST /sparql`` with ``application/x-www-form-urlencoded``
  (``query=…``) or ``application/sparql-query``: runs a query. Results are
  negotiated from ``Accept`` (or ``?format=``): SPARQL results JSON (default),
  XML, CSV or TSV for ``SELECT`` / ``ASK``; Turtle (default), N-Triples,
  RDF/XML or JSON-LD for ``CONSTRUCT`` / ``DESCRIBE``.
- ``GET /sparql`` without a query: a SPARQL service description (Turtle).
- ``GET /api/status``: the graph served (its build's time and counts, the store),
  the server's start and reload times and its memory (JSON).

The server follows rebuilds (:mod:`kg.live`): when a build finishes in the
folder it moves to the new graph between two requests; each request is
answered from one graph, and a query in flight finishes on the graph it
started with. ``reload=False`` keeps the graph found at start.

The guard rails are the CLI's, on ``/sparql`` and ``/api/query`` alike: updates get ``403``, so do ``SERVICE`` and
remote ``FROM`` unless the server was started with ``allow_network``; a query
past its time limit is stopped (its worker process is killed) and gets
``503``; an invalid query gets ``400``. Queries run in a pool of worker
processes (:mod:`kg.worker`), so a slow query never blocks the server. CORS
is open to every origin (the endpoint is read-only and uses no cookies).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from kg.errors import KGError, QueryError
from kg.live import MEMORY_LIMIT, Generation, LiveGraph
from kg.results import GRAPH_FORMATS, RESULT_FORMATS, QueryResult
from kg.sparql import QueryRefused, QueryTimeout

__all__ = ["create_app", "serve", "negotiate"]

MAX_QUERY_BYTES = 1 << 20
#: Seconds before the query page's index of names is read again after it could not be.
INDEX_RETRY = 300.0
_NO_DATASET = "default-graph-uri and named-graph-uri are not supported: use FROM or GRAPH in the query"

_RESULT_MEDIA = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
_GRAPH_MEDIA = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/rdf+xml": "rdfxml",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
}
_GRAPH_MEDIA.update(dict.fromkeys(("application/turtle", "text/n3", "text/rdf+n3"), "turtle"))
_NAMES = {  # ?format= values (SPARQLWrapper sends its return format as format=, output=, results=)
    "json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "turtle": "turtle", "ttl": "turtle", "n3": "turtle",
    "nt": "ntriples", "ntriples": "ntriples", "n-triples": "ntriples", "rdfxml": "rdfxml", "rdf+xml": "rdfxml",
    "rdf": "rdfxml", "jsonld": "jsonld", "json-ld": "jsonld",
}  # fmt: skip
_GRAPH_NAMES = {"json": "jsonld", "xml": "rdfxml"}


def _media(value: str | tuple[str, str]) -> str:
    return value[0] if isinstance(value, tuple) else value


def negotiate(accept: str | None, graph: bool, override: str | None = None) -> str | None:
    """The format to answer with: ``override`` (``?format=``) if it fits, else the best of ``Accept``.

    Returns ``None`` when nothing acceptable can be produced.

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", graph=False)
    'xml'
    >>> negotiate("application/sparql-results+xml, application/rdf+xml", graph=True)
    'rdfxml'
    >>> negotiate(None, graph=True), negotiate("*/*", graph=False), negotiate("image/png", graph=False)
    ('turtle', 'json', None)
    """
    allowed: dict[str, Any] = GRAPH_FORMATS if graph else RESULT_FORMATS
    media_map = _GRAPH_MEDIA if graph else _RESULT_MEDIA
    default = next(iter(allowed))
    if override:
        name = media_map.get(override.lower()) or _NAMES.get(override.lower(), "")
        name = _GRAPH_NAMES.get(name, name) if graph else name
        if name in allowed:
            return name
    if not accept or not accept.strip():
        return default
    ranked = []
    for index, part in enumerate(accept.split(",")):
        media, *options = (f.strip() for f in part.split(";"))
        quality = 1.0
        for option in options:
            if option.startswith("q="):
                try:
                    quality = float(option[2:])
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, index, media.lower()))
    for _, _, media in sorted(ranked):
        if media == "*/*":
            return default
        if media.endswith("/*"):
            for name, value in allowed.items():
                if _media(value).startswith(media[:-1]):
                    return name
        if media in media_map:
            return media_map[media]
    return None


def _media_type(result: QueryResult, fmt: str) -> str:
    media = _media(GRAPH_FORMATS[fmt] if result.is_graph else RESULT_FORMATS[fmt])
    return f"{media}; charset=utf-8"


def _service_description(endpoint: str) -> str:
    formats = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle",
               "N-Triples", "RDF_XML", "JSON-LD"]  # fmt: skip
    return (
        "@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .\n\n"
        f"[] a sd:Service ;\n  sd:endpoint <{endpoint}> ;\n  sd:supportedLanguage sd:SPARQL11Query ;\n"
        "  sd:feature sd:UnionDefaultGraph ;\n  sd:resultFormat "
        + ", ".join(f"<http://www.w3.org/ns/formats/{f}>" for f in formats)
        + " .\n"
    )


def create_app(
    out_dir: str | os.PathLike[str],
    *,
    store: str | None = None,
    timeout: float | None = 30.0,
    workers: int = 2,
    allow_network: bool = False,
    reload: bool = True,
    reload_interval: float = 1.0,
    memory_limit: int | None = MEMORY_LIMIT,
) -> Any:
    """The Starlette application serving the graph in ``out_dir``.

    The graph is loaded when the application starts (its lifespan), not here.

    Args:
        out_dir: an output folder of ``kg build``.
        store: ``memory``, ``oxigraph`` or ``None`` (what the build kept).
        timeout: seconds before a query is stopped (``None``: no limit).
        workers: worker processes running queries (concurrent queries).
        allow_network: let ``SERVICE`` and remote ``FROM`` through.
        reload: move to the graph of each build that finishes in ``out_dir``.
        reload_interval: seconds between two looks at ``out_dir``.
        memory_limit: quads above which the memory store is refused (``None``: no limit).

    Raises:
        GraphError: no graph in ``out_dir``.
    """
    from contextlib import asynccontextmanager

    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.requests import Request
    from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
    from starlette.routing import Route

    from kg.store import graph_file

    out = Path(out_dir)
    graph_file(out)  # a missing graph is an error now, not when the server starts
    live = LiveGraph(
        out, store=store, timeout=timeout, workers=workers, allow_network=allow_network, reload=reload,
        interval=reload_interval, memory_limit=memory_limit,
    )  # fmt: skip

    @asynccontextmanager
    async def lifespan(app: Any) -> Any:
        if live.current is None:  # serve() opens it first, to report a graph it cannot serve before listening
            await run_in_threadpool(live.open)
        try:
            yield
        finally:
            await run_in_threadpool(live.close)

    def error(status: int, message: str) -> Response:
        return PlainTextResponse(message + "\n", status_code=status)

    async def explorer(request: Request) -> Response:
        path = out / "explorer.html"
        if path.is_file():
            return FileResponse(path, media_type="text/html")
        with live.use() as generation:
            page = generation.cache
            if "html" not in page:
                from kg.viz import explorer_html

                try:
                    page["html"] = await run_in_threadpool(explorer_html, out)
                except KGError as exc:
                    return error(500, str(exc))
            return HTMLResponse(page["html"])

    async def read_query(request: Request) -> tuple[str | None, Response | None]:
        params = request.query_params
        if request.method == "GET":
            if "update" in params:
                return None, error(403, "updates are refused: this endpoint is read-only")
            if len(params.getlist("query")) > 1:
                return None, error(400, "give one query parameter, not several")
            return params.get("query"), None
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await request.body()
        if len(body) > MAX_QUERY_BYTES:
            return None, error(413, f"the request is larger than {MAX_QUERY_BYTES} bytes")
        if ctype == "application/sparql-update":
            return None, error(403, "updates are refused: this endpoint is read-only")
        if ctype == "application/sparql-query":
            try:
                return body.decode("utf-8"), None
            except UnicodeDecodeError:
                return None, error(400, "the query is not UTF-8")
        if ctype == "application/x-www-form-urlencoded":
            try:
                form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
            except UnicodeDecodeError:
                return None, error(400, "the form is not UTF-8")
            if "update" in form:
                return None, error(403, "updates are refused: this endpoint is read-only")
            if "default-graph-uri" in form or "named-graph-uri" in form:
                return None, error(400, _NO_DATASET)
            request.state.format = (form.get("format") or [None])[0]
            values = form.get("query", [])
            if len(values) > 1:
                return None, error(400, "give one query parameter, not several")
            return (values[0] if values else None), None
        return None, error(415, "POST a query as application/x-www-form-urlencoded or application/sparql-query")

    # --- the query page ---------------------------------------------------------------------------------

    def graph_index(generation: Generation) -> Any:
        """The entities and documents of the graph, read once (see :mod:`kg.workbench.index`).

        Raises:
            KGError: they could not be read (tried again after :data:`INDEX_RETRY` seconds).
        """
        index, graph = generation.cache, generation.graph
        with generation.cache_lock:
            if "index" not in index:
                failed = index.get("failed")
                if failed is not None and time.monotonic() - failed[0] < INDEX_RETRY:
                    raise failed[1]
                from kg.workbench.index import GraphIndex

                limit = None if timeout is None else max(timeout, 120.0)
                try:
                    index["index"] = GraphIndex.load(lambda q: graph.pool().run(q, {}, timeout=limit))
                except KGError as exc:
                    index["failed"] = (time.monotonic(), exc)
                    raise
            return index["index"]

    async def workbench(request: Request) -> Response:
        with live.use() as generation:
            page = generation.cache
            if "workbench" not in page:
                from kg.workbench.page import render_page

                page["workbench"], page["csp"] = await run_in_threadpool(
                    render_page, store=generation.store, timeout=timeout, allow_network=allow_network
                )
        headers = {
            "Content-Security-Policy": page["csp"] + "; frame-ancestors 'none'",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-cache",
        }
        return HTMLResponse(page["workbench"], headers=headers)

    def json_error(status: int, body: dict[str, Any]) -> Response:
        return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})

    async def api_query(request: Request) -> Response:
        from kg.workbench.api import answer, problem, read_request

        body = await request.body()
        if len(body) > MAX_QUERY_BYTES:
            return json_error(413, {"error": f"the request is larger than {MAX_QUERY_BYTES} bytes", "kind": "query"})
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return json_error(400, {"error": "send the query as JSON", "kind": "query"})
        sparql_text = payload.get("query") if isinstance(payload, dict) else None
        try:
            text, bound, _ = read_request(payload)
            with live.use() as generation:  # the answer and the names in it from the same graph
                result = await run_in_threadpool(
                    generation.graph.pool().run, text, bound, allow_network=allow_network, timeout=timeout
                )
                try:
                    describe = (await run_in_threadpool(graph_index, generation)).describe
                except KGError:
                    describe = None  # the page then shows IRIs instead of names
            data = await run_in_threadpool(answer, result, describe)
        except KGError as exc:
            status, data = problem(exc, sparql_text if isinstance(sparql_text, str) else None)
            return json_error(status, data)
        return JSONResponse(data, headers={"Cache-Control": "no-store"})

    async def api_complete(request: Request) -> Response:
        params = request.query_params
        try:
            limit = min(max(int(params.get("limit", "10")), 1), 50)
        except ValueError:
            limit = 10
        try:
            with live.use() as generation:
                found = await run_in_threadpool(graph_index, generation)
        except KGError as exc:
            return json_error(503, {"error": f"the names of the graph cannot be read: {exc}", "kind": "server"})
        items = found.complete(params.get("q", "")[:200], params.getlist("kind"), limit)
        return JSONResponse({"items": items})

    async def api_entity(request: Request) -> Response:
        try:
            with live.use() as generation:
                found = await run_in_threadpool(graph_index, generation)
        except KGError as exc:
            return json_error(503, {"error": f"the names of the graph cannot be read: {exc}", "kind": "server"})
        entity = found.entity(request.query_params.get("iri", ""))
        if entity is None:
            return json_error(404, {"error": "no entity with this IRI in the graph", "kind": "query"})
        return JSONResponse(entity)

    async def sparql(request: Request) -> Response:
        text, problem = await read_query(request)
        if problem is not None:
            return problem
        if "default-graph-uri" in request.query_params or "named-graph-uri" in request.query_params:
            return error(400, _NO_DATASET)
        if not text:
            if request.method == "GET":
                endpoint = str(request.url.replace(query=""))
                return Response(_service_description(endpoint), media_type="text/turtle; charset=utf-8")
            return error(400, "missing query")
        try:
            # always in a worker process, even without a time limit: a query never blocks the server
            with live.use() as generation:
                result = await run_in_threadpool(
                    generation.graph.pool().run, text, {}, allow_network=allow_network, timeout=timeout
                )
        except QueryRefused as exc:
            return error(403, str(exc))
        except QueryTimeout as exc:
            return error(503, str(exc))
        except QueryError as exc:
            return error(400, str(exc))
        except KGError as exc:
            return error(500, str(exc))
        override = request.query_params.get("format") or getattr(request.state, "format", None)
        fmt = negotiate(request.headers.get("accept"), result.is_graph, override)
        if fmt is None:
            kinds = ", ".join(_media(v) for v in (GRAPH_FORMATS if result.is_graph else RESULT_FORMATS).values())
            return error(406, f"no acceptable format; this result is available as {kinds}")
        body = await run_in_threadpool(result.serialize, fmt)
        return Response(body, media_type=_media_type(result, fmt))

    async def status(request: Request) -> Response:
        data = await run_in_threadpool(live.status)
        return JSONResponse(data, headers={"Cache-Control": "no-store"})

    routes = [
        Route("/", explorer, methods=["GET"]),
        Route("/api/status", status, methods=["GET"]),
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/query", workbench, methods=["GET"]),
        Route("/api/query", api_query, methods=["POST"]),
        Route("/api/complete", api_complete, methods=["GET"]),
        Route("/api/entity", api_entity, methods=["GET"]),
    ]
    cors = Middleware(
        CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST", "OPTIONS"], allow_headers=["*"], max_age=600
    )
    app = Starlette(routes=routes, middleware=[cors], lifespan=lifespan)
    app.state.live = live
    return app


def serve(
    out_dir: str | os.PathLike[str],
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    store: str | None = None,
    timeout: float | None = 30.0,
    workers: int = 2,
    allow_network: bool = False,
    log_level: str = "warning",
    reload: bool = True,
    memory_limit: int | None = MEMORY_LIMIT,
) -> None:
    """Serve the graph in ``out_dir`` until interrupted (see :func:`create_app`)."""
    import uvicorn

    app = create_app(
        out_dir, store=store, timeout=timeout, workers=workers, allow_network=allow_network, reload=reload,
        memory_limit=memory_limit,
    )  # fmt: skip
    live = app.state.live
    live.open()
    try:
        uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False, lifespan="on")
    finally:
        live.close()
