"""The ``kg`` command: a thin shell over the library.

Each command parses its arguments, calls one library function and prints the
result. Library errors (:class:`kg.errors.KGError`) become a one-line message
and exit code 1; usage errors exit with 2; a build in which some documents
were skipped exits with 3.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from kg.analyze import ANALYSES as ANALYZE_SECTIONS
from kg.convert import NODE_CLASSES
from kg.errors import KGError
from kg.live import MEMORY_LIMIT
from kg.model import PREDICATES as FACT_PROPERTIES

EXIT_ERROR = 1
EXIT_SKIPPED = 3
#: Skipped inputs and warnings listed after a build (report.json has them all).
MAX_LISTED = 20

EXPORT_FORMATS = ("gold-json", "turtle", "trig", "nquads", "jsonld", "graphml", "gexf")


def _fail(exc: KGError) -> click.ClickException:
    err = click.ClickException(str(exc))
    err.exit_code = EXIT_ERROR
    return err


class _Group(click.Group):
    """Turns any error into a one-line message: library errors exit 1, and so does a bug, with
    its type and message (``KG_DEBUG=1`` shows the traceback instead)."""

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KGError as exc:
            raise _fail(exc) from exc
        except Exception as exc:
            if os.environ.get("KG_DEBUG"):
                raise
            err = click.ClickException(f"unexpected error: {type(exc).__name__}: {exc} (KG_DEBUG=1 shows the traceback)")
            err.exit_code = EXIT_ERROR
            raise err from exc


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kg")
def cli() -> None:
    """Build and use a knowledge graph of French and English news articles."""


@cli.command()
@click.argument("corpus_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (created if missing).",
)
@click.option(
    "--min-confidence",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    show_default=True,
    help="Keep only facts at or above this confidence.",
)
@click.option("--no-explorer", is_flag=True, help="Do not write explorer.html.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary table.")
@click.option(
    "--store",
    type=click.Choice(["memory", "oxigraph"]),
    default="memory",
    show_default=True,
    help="oxigraph also keeps the graph in an on-disk Oxigraph store (OUT_DIR/oxigraph) for fast queries on large corpora.",
)
@click.option(
    "--workers",
    "-j",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes for parsing and extraction on this machine (each loads the spaCy models once). "
    "With 1, on two cores or more, this process parses and a helper process extracts alongside.",
)
@click.option(
    "--executor",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: this machine (see --workers); dask: the workers of a Dask cluster (see --scheduler).",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="Address of the Dask scheduler for --executor dask, e.g. tcp://10.0.0.5:8786.",
)
@click.option("--force", is_flag=True, help="Rebuild even if nothing changed since the last build into OUT_DIR.")
@click.option(
    "--model",
    "model_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    metavar="DIR",
    help="Extract with the model in DIR (written by kg train) instead of the one shipped with kg.",
)
@click.option(
    "--fields",
    metavar="NAME=FIELD,...",
    default=None,
    help="Where JSON Lines and CSV records keep what kg reads, when not under the usual names: "
    "text, title, lead, date, url, lang, source, id; e.g. --fields text=body,date=published_at,source=source.name.",
)
def build(
    corpus_dir: Path,
    out_dir: Path,
    min_confidence: float,
    no_explorer: bool,
    quiet: bool,
    store: str,
    workers: int,
    executor: str,
    scheduler: str | None,
    force: bool,
    model_dir: Path | None,
    fields: str | None,
) -> None:
    """Build the graph of every document under CORPUS_DIR.

    \b
    Inputs (searched recursively):
      .txt .md .html        one article per file
      .jsonl .ndjson .csv   one article per record (also gzipped: .jsonl.gz, .csv.gz);
                            text, title, date, url, lang, source found under their
                            usual names (text/body/content, headline, publishedAt, ...)
      .warc .warc.gz        one article per HTML response of a web archive
      .rss .atom .xml       one article per feed entry (summary-only entries flagged)

    Writes OUT_DIR/graph.trig (one named graph per document), report.json
    (one entry per input file and per archive record), manifest.json and
    explorer.html.

    A rebuild into the same OUT_DIR reuses what it can: when no input file,
    option or model changed, the output is kept as it is; otherwise only new
    and changed documents are parsed again.
    """
    if executor == "dask" and not scheduler:
        raise click.UsageError("--executor dask needs --scheduler ADDRESS (the Dask scheduler, e.g. tcp://HOST:8786)")
    if scheduler and executor != "dask":
        raise click.UsageError("--scheduler is only used with --executor dask")
    if executor == "dask" and workers != 1:
        raise click.UsageError("--workers is for --executor local; a Dask cluster has its own workers")
    from kg.records import parse_fields

    try:
        parse_fields(fields)
    except KGError as exc:
        raise click.BadParameter(str(exc).removeprefix("--fields: "), param_hint="--fields") from exc
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from kg.pipeline import build as run_build

    console = Console(stderr=True)
    progress = Progress(
        TextColumn("[bold]building"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=console,
        disable=quiet,
        transient=False,
    )
    task = progress.add_task("", total=None)

    def on_file(path: str, status: str, total: int) -> None:
        progress.update(task, total=total, advance=1, description=path if len(path) < 50 else "…" + path[-48:])

    try:
        with progress:
            result = run_build(
                corpus_dir,
                out_dir,
                min_confidence=min_confidence,
                explorer=not no_explorer,
                progress=on_file,
                store=store,
                workers=workers,
                executor=executor,
                scheduler=scheduler,
                force=force,
                model=model_dir,
                fields=fields,
            )
    except KGError as exc:
        raise _fail(exc) from exc
    listed: dict[str, int] = {}
    colours = {"skipped": "red", "warning": "yellow", "ok": "blue"}
    for f in result.files:
        if f.status != "skipped" and (quiet or f.status not in ("warning", "ok") or (f.status == "ok" and f.kind != "archive")):
            continue
        if f.kind != "archive":  # an archive's own line sums up its records: always shown
            listed[f.status] = listed.get(f.status, 0) + 1
            if listed[f.status] > MAX_LISTED:
                continue
        label = "archive" if f.status == "ok" else f.status
        console.print(f"[{colours[f.status]}]{label}[/{colours[f.status]}] {f.path}: {f.reason}", highlight=False)
    for status, n in listed.items():
        if n > MAX_LISTED:
            console.print(f"... and {n - MAX_LISTED:,} more {status} (see report.json)", highlight=False)
    if result.duplicates and not quiet:
        console.print(f"{result.duplicates:,} duplicate records left out (same URL or id; see report.json)", highlight=False)
    if result.unchanged and not quiet:
        console.print("nothing changed since the last build: output kept as it is (--force rebuilds)", highlight=False)
    if not quiet:
        table = Table(title="kg build")
        for col in ("documents", "entities", "facts", "warnings", "skipped", "seconds"):
            table.add_column(col, justify="right")
        s = result.summary()
        table.add_row(*(str(s[c]) for c in ("documents", "entities", "facts", "warnings", "skipped", "seconds")))
        console.print(table)
    click.echo(f"graph: {result.graph_path}")
    click.echo(f"report: {out_dir / 'report.json'}")
    if result.explorer_path:
        click.echo(f"explorer: {result.explorer_path}")
    if result.skipped:
        sys.exit(EXIT_SKIPPED)


@cli.command()
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True, help="Output format.")
@click.option(
    "--out",
    "dest",
    required=True,
    type=click.Path(path_type=Path),
    help="A folder for gold-json (one JSON file per document), a file otherwise.",
)
def export(out_dir: Path, fmt: str, dest: Path) -> None:
    """Export the graph in OUT_DIR.

    gold-json writes one file per document in the evaluation format
    (entities with label, type, aliases, iri; facts with s, p, o and their
    attributes); turtle, trig, nquads and jsonld write one RDF file; graphml
    and gexf write the entity graph for Gephi or yEd (node ids are IRIs).
    """
    from kg.export import export as run_export

    try:
        path = run_export(out_dir, fmt, dest)
    except KGError as exc:
        raise _fail(exc) from exc
    click.echo(f"{fmt}: {path}")


@cli.command()
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
def validate(out_dir: Path) -> None:
    """Check the graph in OUT_DIR against the SHACL shapes (exit 0 only if it conforms)."""
    from kg.validate import validate as run_validate

    try:
        result = run_validate(out_dir)
    except KGError as exc:
        raise _fail(exc) from exc
    if result.conforms:
        click.echo("conforms: the graph satisfies ontology/shapes.ttl")
        return
    click.echo(result.text)
    click.echo(f"{len(result.violations)} violation(s)", err=True)
    sys.exit(EXIT_ERROR)


@cli.command()
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def stats(out_dir: Path, as_json: bool) -> None:
    """Print counts of the graph in OUT_DIR by class and by property."""
    from kg.stats import stats as run_stats

    try:
        result = run_stats(out_dir)
    except KGError as exc:
        raise _fail(exc) from exc
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    head = Table(title="graph")
    head.add_column("what")
    head.add_column("count", justify="right")
    for key, value in result.items():
        if not isinstance(value, dict):
            head.add_row(key, str(value))
    console.print(head)
    for key, value in result.items():
        if isinstance(value, dict):
            t = Table(title=key)
            t.add_column("name")
            t.add_column("count", justify="right")
            for name, n in value.items():
                t.add_row(str(name), str(n))
            console.print(t)


@cli.command()
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--out",
    "dest",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="HTML file to write (default: OUT_DIR/explorer.html).",
)
@click.option(
    "--max-nodes",
    type=click.IntRange(min=0),
    default=500,
    show_default=True,
    help="Draw only the N most central nodes (PageRank); the page says how many were left out. 0: all.",
)
@click.option(
    "--size-by",
    type=click.Choice(["pagerank", "degree"]),
    default="pagerank",
    show_default=True,
    help="What node size shows (the page can switch).",
)
@click.option("--physics", is_flag=True, help="Start with the physics simulation on (positions are precomputed).")
def viz(out_dir: Path, dest: Path | None, max_nodes: int, size_by: str, physics: bool) -> None:
    """Write the HTML explorer page of the graph in OUT_DIR.

    One self-contained file: it makes no network request when opened.
    """
    from kg.viz import write_explorer

    try:
        path = write_explorer(
            out_dir, dest or out_dir / "explorer.html", max_nodes=max_nodes or None, size_by=size_by, physics=physics
        )
    except KGError as exc:
        raise _fail(exc) from exc
    click.echo(f"explorer: {path}")


@cli.command()
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the merges as JSON.")
def merges(out_dir: Path, as_json: bool) -> None:
    """List the entities merged across documents in OUT_DIR, with the reasons.

    Each row is one entity of the graph made from several documents' entities:
    its IRI, the names merged, the documents, and each merge's rule and score.
    Force or forbid merges with an aliases.yaml in the corpus folder.
    """
    from kg.pipeline import load_merges

    try:
        rows = load_merges(out_dir)
    except KGError as exc:
        raise _fail(exc) from exc
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(rows)} merged entities")
    for col in ("entity", "type", "names", "documents", "rules (score)"):
        table.add_column(col)
    for m in rows:
        by_rule: dict[str, list[float]] = {}
        for r in m["reasons"]:
            by_rule.setdefault(str(r["rule"]), []).append(float(r["score"]))
        rules = ", ".join(f"{rule} x{len(sc)} ({min(sc):g})" for rule, sc in sorted(by_rule.items()))
        table.add_row(m["label"], m["type"], " / ".join(m["names"]), str(len(m["documents"])), rules)
    Console().print(table)


NODE_CLASS_CHOICES = (*NODE_CLASSES, "Quotation")


def _json_value(value: object) -> object:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return str(value)


def _money(amounts: dict) -> str:
    parts = []
    for currency, amount in amounts.items():
        number = f"{int(amount):,}" if amount == amount.to_integral_value() else f"{amount:,f}".rstrip("0")
        parts.append(f"{number} {currency}")
    return "; ".join(parts) or "-"


def _print_analysis(result: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    g = result["graph"]
    console.print(f"{g['nodes']} nodes, {g['edges']} edges, {g['facts']} facts from {g['documents']} documents")

    def table(title: str, columns: tuple[str, ...], rows: list[tuple], right: tuple[str, ...] = ()) -> None:
        t = Table(title=title, title_justify="left")
        for col in columns:
            t.add_column(col, justify="right" if col in right else "left", overflow="fold")
        for row in rows:
            t.add_row(*(str(x) for x in row))
        if not rows:
            t.add_row(*(["(none)"] + [""] * (len(columns) - 1)))
        console.print(t)

    def names(items: list[str], limit: int = 8) -> str:
        return ", ".join(items[:limit]) + (f", … (+{len(items) - limit})" if len(items) > limit else "")

    if "centrality" in result:
        rows = [(r["rank"], r["label"], r["class"], f"{r['pagerank']:.4f}", r["degree"], r["documents"])
                for r in result["centrality"]]  # fmt: skip
        table("most central entities", ("#", "entity", "class", "pagerank", "degree", "docs"), rows,
              ("#", "pagerank", "degree", "docs"))  # fmt: skip
    if "communities" in result:
        rows = [(c["id"], c["size"], c["label"], names(c["members"])) for c in result["communities"]]
        table("communities (Louvain)", ("#", "size", "most connected", "members"), rows, ("#", "size"))
    if "partnerships" in result:
        rows = [(c["id"], c["size"], c["facts"], names(c["members"])) for c in result["partnerships"]]
        table("partnership clusters", ("#", "size", "facts", "members"), rows, ("#", "size", "facts"))
    if "investments" in result:
        inv = result["investments"]
        rows = [
            (f["investor"], f["investee"], _money(f["amounts"]), f["facts"], len(f["documents"])) for f in inv["flows"]
        ]
        columns = ("investor", "investee", "amount", "facts", "docs")
        table("investment flows", columns, rows, ("amount", "facts", "docs"))
        console.print(f"total invested: {_money(inv['totals'])}")
    if "training" in result:
        rows = [
            (r["trainer"], r["group"], "-" if r["count"] is None else f"{r['count']:,}",
             "-" if r["year"] is None else r["year"], len(r["documents"]))
            for r in result["training"]
        ]  # fmt: skip
        table("training commitments", ("trainer", "group", "count", "by", "docs"), rows, ("count", "by", "docs"))
    if "timeline" in result:
        rows = [
            (r["date"] or "undated", r["documents"], r["facts"],
             ", ".join(f"{p} {n}" for p, n in sorted(r["properties"].items(), key=lambda x: (-x[1], x[0]))))
            for r in result["timeline"]
        ]  # fmt: skip
        table("timeline (by document date)", ("date", "docs", "facts", "properties"), rows, ("docs", "facts"))


@cli.command("analyze")
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--top", type=click.IntRange(min=0), default=10, show_default=True,
              help="How many central entities and communities to list (0: all).")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="Tables, or one JSON object with a key per analysis.")  # fmt: skip
@click.option("--only", "only", multiple=True, type=click.Choice(ANALYZE_SECTIONS),
              help="Run only this analysis (repeatable).")  # fmt: skip
@click.option("--class", "classes", multiple=True, type=click.Choice(NODE_CLASS_CHOICES),
              help="Keep only nodes of this class (repeatable).")  # fmt: skip
@click.option("--property", "properties", multiple=True, type=click.Choice(FACT_PROPERTIES),
              help="Keep only facts of this property (repeatable).")  # fmt: skip
@click.option("--document", "documents", multiple=True, metavar="DOC_ID",
              help="Keep only facts of this document (its id, e.g. the file stem; repeatable).")  # fmt: skip
@click.option("--since", metavar="DATE", help="Keep only documents dated on or after DATE (YYYY[-MM[-DD]]).")
@click.option("--until", metavar="DATE", help="Keep only documents dated on or before DATE (YYYY[-MM[-DD]]).")
@click.option("--min-confidence", type=click.FloatRange(0.0, 1.0), default=0.0, show_default=True,
              help="Keep only facts at or above this confidence.")  # fmt: skip
@click.option("--include-quotes", is_flag=True, help="Count quotations (said facts) as nodes and edges.")
@click.option("--period", type=click.Choice(["day", "month", "year"]), default="day", show_default=True,
              help="Timeline period.")  # fmt: skip
@click.option("--seed", type=int, default=42, show_default=True, help="Random seed of the community detection.")
def analyze_command(
    out_dir: Path,
    top: int,
    fmt: str,
    only: tuple[str, ...],
    classes: tuple[str, ...],
    properties: tuple[str, ...],
    documents: tuple[str, ...],
    since: str | None,
    until: str | None,
    min_confidence: float,
    include_quotes: bool,
    period: str,
    seed: int,
) -> None:
    """Analyse the graph in OUT_DIR: central entities, communities, partners, money, training, timeline.

    Central entities by PageRank and degree; communities (Louvain, fixed
    seed); partnership clusters; investment flows with amounts summed per
    currency (the same amount reported twice counts once); training
    commitments (who trains how many, by when); facts per document date.
    Filters apply before every analysis. The output is deterministic.
    """
    from kg.analyze import analyze

    try:
        result = analyze(
            out_dir,
            top=top or None,
            only=list(only) or None,
            seed=seed,
            period=period,
            classes=list(classes) or None,
            properties=list(properties) or None,
            documents=list(documents) or None,
            since=since,
            until=until,
            min_confidence=min_confidence,
            include_quotes=include_quotes,
        )
    except KGError as exc:
        raise _fail(exc) from exc
    if fmt == "json":
        click.echo(json.dumps(result, indent=2, ensure_ascii=False, default=_json_value))
        return
    _print_analysis(result)


def _echo_scores(result: dict, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    from kg.evaluate import format_table

    click.echo(format_table(result))


@cli.command("evaluate")
@click.argument("corpus_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("gold_dir", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--model",
    "model_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    metavar="DIR",
    help="Build with the trained model in DIR (a folder written by kg train).",
)
@click.option(
    "--min-confidence",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    show_default=True,
    help="Keep only facts at or above this confidence.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="A table, or the whole result as JSON.",
)
@click.option(
    "--cv",
    "folds",
    type=click.IntRange(min=2),
    default=None,
    metavar="K",
    help="K-fold cross-validation by document: train on K-1 folds, score the held-out fold (needs no model).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the folds and of training (with --cv).")
@click.option(
    "--errors",
    "errors_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help="Write every missed and wrong fact and entity to FILE, one JSON object per line, with why it counts as one.",
)
@click.option(
    "--bootstrap",
    "resamples",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    metavar="N",
    help="Also give 95% intervals of entity F1 and fact P/R/F1, from N resamples of the scored documents "
    "(how far the scores could move on other documents of the same kind; 1000 is usual).",
)
def evaluate_command(
    corpus_dir: Path, gold_dir: Path, model_dir: Path | None, min_confidence: float, fmt: str, folds: int | None,
    seed: int, errors_path: Path | None, resamples: int,
) -> None:
    """Build CORPUS_DIR in a temporary folder and score it against the annotation in GOLD_DIR.

    GOLD_DIR holds one JSON file per document in the gold format (the format
    of kg export --format gold-json), paired with the corpus documents by
    their "doc" field or file stem. Prints precision, recall and F1 of
    entities and facts, one row per predicate, entity type accuracy and fact
    attribute accuracy. Corpus documents without gold are built but not
    scored; a gold file whose document is not in CORPUS_DIR is an error.

    With --cv K, no model is used: K models are trained, each on all folds but
    one, and each extracts the documents of its held-out fold; the scores say
    what to expect of a model trained on this material on articles it never saw.

    With --errors FILE, each disagreement the scores count is written to FILE
    (JSON Lines): kind (missed_fact, wrong_fact, missed_entity, extra_entity,
    entity_type, wrong_attribute), document, the fact or entity, for facts
    what the other side has between the same two entities ("annotated as
    memberOf", "object not extracted", "annotated the other way round", ...),
    and for attributes of matched facts the gold and the extracted value. Each
    missed fact also gets "model": where the model's extraction of its document
    lost it (entity: a name not found; not_paired: names too far apart; types:
    classes the property does not fit; unscored: a chance under 0.02;
    below_threshold: its score and the property's threshold;
    below_min_confidence; dropped; kept), and a count per stage is printed.

    With --bootstrap N, the scored documents are resampled N times (drawn with
    replacement) and the scores' 95% percentile intervals are given too: on a
    few dozen documents, two models whose F1 differ by less than these
    intervals are wide may not differ on other articles.
    """
    if folds is not None:
        if model_dir is not None:
            raise click.UsageError("--cv trains its own models: it cannot be used with --model")
        if min_confidence:
            raise click.UsageError("--cv scores the models' own decisions: it cannot be used with --min-confidence")
        _cross_validate(corpus_dir, gold_dir, folds, seed, fmt, errors_path, resamples)
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from kg.evaluate import evaluate

    console = Console(stderr=True)
    progress = Progress(
        TextColumn("[bold]building"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    task = progress.add_task("", total=None)

    def on_file(path: str, status: str, total: int) -> None:
        progress.update(task, total=total, advance=1)

    try:
        with progress:
            result = evaluate(corpus_dir, gold_dir, model=model_dir, min_confidence=min_confidence, progress=on_file,
                              with_errors=errors_path is not None, bootstrap=resamples)  # fmt: skip
    except KGError as exc:
        raise _fail(exc) from exc
    _write_errors(result, errors_path)
    _echo_scores(result, fmt)


def _write_errors(result: dict, path: Path | None) -> None:
    """Write ``result["errors"]`` (taken out of the result) to ``path``, one JSON object per line."""
    records = result.pop("errors", [])
    if path is None:
        return
    from kg.store import atomic_write

    data = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)
    try:
        atomic_write(path, data.encode("utf-8"))
    except KGError as exc:
        raise _fail(exc) from exc
    click.echo(f"{len(records)} error record(s) written to {path}", err=True)
    stages = _stage_counts(records)
    if stages:
        click.echo("missed facts by where the model lost them: " + ", ".join(f"{n} {s}" for s, n in stages), err=True)


def _stage_counts(records: list[dict]) -> list[tuple[str, int]]:
    """How many missed facts each stage of :mod:`kg.learn.explain` lost, in the order of the stages."""
    from kg.learn.explain import STAGES

    counts: dict[str, int] = {}
    for r in records:
        stage = (r.get("model") or {}).get("stage") if r.get("kind") == "missed_fact" else None
        if stage:
            counts[stage] = counts.get(stage, 0) + 1
    return [(s, counts[s]) for s in reversed(STAGES) if s in counts]


def _stage_progress(label: str):  # type: ignore[no-untyped-def]
    """A progress display on stderr, and the (stage, done, total) callback that moves it."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    progress = Progress(
        TextColumn(f"[bold]{label}"),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    tasks: dict[str, int] = {}

    def on_stage(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(stage, total=total)
        progress.update(tasks[stage], completed=done, total=total)

    return console, progress, on_stage


def _cross_validate(
    corpus_dir: Path, gold_dir: Path, folds: int, seed: int, fmt: str, errors_path: Path | None, resamples: int = 0
) -> None:
    from kg.evaluate import cross_validate

    console, progress, on_stage = _stage_progress("cross-validating")
    with progress:
        result = cross_validate(corpus_dir, gold_dir, k=folds, seed=seed, progress=on_stage,
                                with_errors=errors_path is not None, bootstrap=resamples)  # fmt: skip
    _write_errors(result, errors_path)
    if result["warnings"] and fmt == "table":
        console.print(f"{len(result['warnings'])} warning(s) about the annotations (kg train lists them)",
                      highlight=False)  # fmt: skip
    _echo_scores(result, fmt)
    if fmt == "json":
        return
    click.echo(f"{folds}-fold cross-validation (seed {seed}), fact F1 per fold: "
               + ", ".join(f"{f['fact_f1']:.3f}" for f in result["folds"]))  # fmt: skip


@cli.command("train")
@click.argument("corpus_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("gold_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the model into (created).",
)
@click.option(
    "--add",
    "extra",
    nargs=2,
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    metavar="CORPUS_DIR GOLD_DIR",
    help="Train on another annotated corpus too (repeatable).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of training: same inputs and seed, same model.")
@click.option(
    "--objective",
    type=click.Choice(["balanced", "micro", "predicate"]),
    default="balanced",
    show_default=True,
    help="How the decision threshold of each property is chosen on held-out folds: the F1 of all facts "
    "together (micro), each property's own F1 (predicate), or the mean of the two (balanced).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")
def train_command(
    corpus_dir: Path, gold_dir: Path, out_dir: Path, extra: tuple, seed: int, objective: str, quiet: bool
) -> None:
    """Train an extraction model on the articles of CORPUS_DIR annotated in GOLD_DIR.

    GOLD_DIR holds one JSON file per document in the annotation format (the
    format of kg export --format gold-json, corrected by hand). The annotations
    are checked first: each problem is named with its file and fact, and
    errors stop training. Only annotated documents are used. The model is
    written to OUT_DIR; use it with kg build --model OUT_DIR.
    """
    import time

    from kg.learn.train import train

    console, progress, on_stage = _stage_progress("training")
    sources = [(corpus_dir, gold_dir), *[(Path(c), Path(g)) for c, g in extra]]
    started = time.perf_counter()
    with progress:
        model, warnings = train(sources, out_dir, seed=seed, config={"objective": objective}, progress=None if quiet else on_stage)
    seconds = time.perf_counter() - started
    if not quiet:
        for w in warnings[:20]:
            console.print(f"[yellow]warning[/yellow] {w}", highlight=False)
        if len(warnings) > 20:
            console.print(f"… and {len(warnings) - 20} more warnings", highlight=False)
        figures = model.config["held_out_f1"]
        click.echo(f"trained on {model.config['trained_on']['documents']} documents in {seconds:.0f} s; "
                   "held-out F1 per property (thresholds chosen on it):")  # fmt: skip
        for p, v in figures.items():
            click.echo(f"  {p:14} F1 {v['f1']:.3f}  threshold {model.threshold(p):.2f}  ({v['gold']} facts)")
    click.echo(f"model: {out_dir} ({model.model_id})")


QUERY_FORMATS = ("table", "csv", "tsv", "json", "xml")
STORE_CHOICE = click.Choice(["auto", "memory", "oxigraph"])
STORE_HELP = "Store to query: auto uses the Oxigraph store when the build kept one (kg build --store oxigraph)."


@cli.command("query")
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("sparql", required=False)
@click.option(
    "-f",
    "--file",
    "query_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the query from a file.",
)
@click.option("--name", "-n", help="Run a named query (list them with `kg queries`).")
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind ?NAME to the literal VALUE, or to an IRI when VALUE is written <…>. Repeatable.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(QUERY_FORMATS),
    default="table",
    show_default=True,
    help="SELECT / ASK output; csv, tsv, json and xml are the W3C SPARQL 1.1 results formats.",
)
@click.option("--store", type=STORE_CHOICE, default="auto", show_default=True, help=STORE_HELP)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="Stop the query after this many seconds (0: no limit).",
)
@click.option("--allow-network", is_flag=True, help="Let SERVICE and FROM <remote graph> reach the network.")
def query_command(
    out_dir: Path,
    sparql: str | None,
    query_file: Path | None,
    name: str | None,
    params: tuple[str, ...],
    fmt: str,
    store: str,
    timeout: float,
    allow_network: bool,
) -> None:
    """Run a read-only SPARQL query on the graph in OUT_DIR.

    Give the query as SPARQL, with -f FILE, or with --name NAME. Prefixes kg,
    kgr, rdf, rdfs, owl, xsd, skos, prov, dcterms and schema are predeclared.
    ASK prints true or false; CONSTRUCT and DESCRIBE print Turtle.
    """
    from kg.query import open_graph, parse_param

    if sum(x is not None for x in (sparql, query_file, name)) != 1:
        raise click.UsageError("give exactly one of SPARQL, -f FILE or --name NAME")
    try:
        bound = dict(parse_param(p) for p in params)
        graph = open_graph(out_dir, store=store, timeout=timeout or None, allow_network=allow_network)
        with graph:
            if name is not None:
                result = graph.named(name, bound)
            else:
                text = sparql if sparql is not None else query_file.read_text(encoding="utf-8")  # type: ignore[union-attr]
                result = graph.query(text, bound)
    except KGError as exc:
        raise _fail(exc) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(KGError(f"{query_file}: cannot read the query: {exc}")) from exc
    if result.is_graph:
        click.echo(result.serialize("turtle"), nl=False)
    elif result.type == "ASK" and fmt in ("table", "csv", "tsv"):
        click.echo("true" if result.boolean else "false")
    elif fmt != "table":
        click.echo(result.serialize(fmt), nl=False)
    else:
        from rich.console import Console
        from rich.table import Table

        from kg.results import compact

        table = Table(caption=f"{len(result)} row{'s' if len(result) != 1 else ''}", caption_justify="left")
        for var in result.vars:
            table.add_column(var, overflow="fold")
        for row in result.bindings:
            table.add_row(*(compact(t) for t in row))
        Console(highlight=False).print(table)


@cli.command("queries")
@click.argument("name", required=False)
def queries_command(name: str | None) -> None:
    """List the named queries, or print the SPARQL of query NAME."""
    from kg.query import named_queries, named_query

    try:
        if name is not None:
            click.echo(named_query(name).sparql, nl=False)
            return
    except KGError as exc:
        raise _fail(exc) from exc
    for spec in named_queries().values():
        click.echo(spec.name)
        if spec.question:
            click.echo(f"    {spec.question}")
        click.echo(f"    {spec.description}")
        for p in spec.parameters:
            kind = "required" if p.required else "optional"
            click.echo(f"    --param {p.name}=…  {p.description} ({kind})")
        click.echo("")
    click.echo("Run one with: kg query OUT_DIR --name NAME [--param NAME=VALUE]")


@cli.command("serve")
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 exposes the graph)."
)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--store", type=STORE_CHOICE, default="auto", show_default=True, help=STORE_HELP)
@click.option(
    "--timeout", type=click.FloatRange(min=0), default=30.0, show_default=True, help="Seconds per query (0: no limit)."
)
@click.option(
    "--workers", type=click.IntRange(1, 64), default=2, show_default=True, help="Queries run at the same time."
)
@click.option("--allow-network", is_flag=True, help="Let SERVICE and FROM <remote graph> reach the network.")
@click.option(
    "--reload/--no-reload",
    default=True,
    show_default=True,
    help="Move to the new graph when a build finishes in OUT_DIR (--no-reload: keep the graph found at start).",
)
@click.option(
    "--memory-limit",
    type=click.IntRange(min=0),
    default=MEMORY_LIMIT,
    show_default=True,
    help="Quads above which the memory store is refused (0: no limit); larger graphs need --store oxigraph.",
)
def serve_command(
    out_dir: Path,
    host: str,
    port: int,
    store: str,
    timeout: float,
    workers: int,
    allow_network: bool,
    reload: bool,
    memory_limit: int,
) -> None:
    """Serve the graph in OUT_DIR: a read-only SPARQL endpoint at /sparql, the explorer at /
    and the query page at /query.

    The endpoint follows the SPARQL 1.1 Protocol (GET and POST; results as
    JSON, XML, CSV or TSV, graphs as Turtle, by content negotiation). The
    query page asks the named queries as questions (forms whose fields complete
    from the graph's names) and runs SPARQL from an editor, with the same
    guard rails. When a build finishes in OUT_DIR the server moves to its graph
    (every answer comes from one whole graph, the old or the new); the start,
    each switch and the memory in use are logged.
    """
    import logging

    from kg.server import serve

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s kg serve: %(message)s", "%H:%M:%S"))
    server_log = logging.getLogger("kg.server")
    server_log.addHandler(handler)
    server_log.setLevel(logging.INFO)

    shown = f"[{host}]" if ":" in host else host
    click.echo(f"SPARQL endpoint: http://{shown}:{port}/sparql", err=True)
    click.echo(f"explorer: http://{shown}:{port}/", err=True)
    click.echo(f"query page: http://{shown}:{port}/query  (Ctrl+C to stop)", err=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"warning: listening on {host}: other machines can query the graph", err=True)
    try:
        serve(
            out_dir,
            host=host,
            port=port,
            store=store,
            timeout=timeout or None,
            workers=workers,
            allow_network=allow_network,
            reload=reload,
            memory_limit=memory_limit or None,
        )
    except KGError as exc:
        raise _fail(exc) from exc
    finally:
        server_log.removeHandler(handler)


def main() -> None:  # pragma: no cover - console entry point alias
    cli()
