"""The ``kg`` command: a thin shell over the library.

Each command parses its arguments, calls one library function and prints the
result. Library errors (:class:`kg.errors.KGError`) become a one-line message
and exit code 1; usage errors exit with 2; a build in which some documents
were skipped exits with 3.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kg.errors import KGError

EXIT_ERROR = 1
EXIT_SKIPPED = 3

EXPORT_FORMATS = ("gold-json", "turtle", "trig", "nquads", "jsonld")


def _fail(exc: KGError) -> click.ClickException:
    err = click.ClickException(str(exc))
    err.exit_code = EXIT_ERROR
    return err


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
def build(corpus_dir: Path, out_dir: Path, min_confidence: float, no_explorer: bool, quiet: bool) -> None:
    """Build the graph of every .txt, .md and .html file under CORPUS_DIR.

    Writes OUT_DIR/graph.trig (one named graph per document), report.json
    (one entry per input file), manifest.json and explorer.html.
    """
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
                corpus_dir, out_dir, min_confidence=min_confidence, explorer=not no_explorer, progress=on_file
            )
    except KGError as exc:
        raise _fail(exc) from exc
    for f in result.files:
        if f.status == "skipped":
            console.print(f"[red]skipped[/red] {f.path}: {f.reason}", highlight=False)
        elif f.status == "warning" and not quiet:
            console.print(f"[yellow]warning[/yellow] {f.path}: {f.reason}", highlight=False)
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
    attributes); turtle, trig, nquads and jsonld write one RDF file.
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
def viz(out_dir: Path, dest: Path | None) -> None:
    """Write the HTML explorer page of the graph in OUT_DIR."""
    from kg.viz import write_explorer

    try:
        path = write_explorer(out_dir, dest or out_dir / "explorer.html")
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


def main() -> None:  # pragma: no cover - console entry point alias
    cli()
