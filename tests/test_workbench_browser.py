"""The query page of a real `kg serve`, in Debian's headless Chromium driven by Playwright.

Every request that is not for the local server is aborted and counted: the page
works offline and makes none. Skipped only when there is no chromium binary.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
import urllib.request

import pytest
from conftest import free_port
from test_viz import XSS_ORG, XSS_PERSON, XSS_TITLE, build_sample
from test_viz_browser import CHROMIUM, CHROMIUM_ARGS

from kg.query import named_queries

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary found (apt-get install chromium)")
EDITOR_QUERY = "SELECT DISTINCT ?s WHERE { ?s rdfs:label ?l . FILTER(STR(?l) = ?name) }"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`kg serve` on the sample graph (hostile names included), in a subprocess: its base URL."""
    out = build_sample(tmp_path_factory.mktemp("workbench-browser") / "out")
    port = free_port()
    command = [sys.executable, "-c", "import sys; from kg.cli import cli; sys.exit(cli())", "serve", str(out),
               "--port", str(port), "--workers", "1", "--timeout", "10"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"kg serve exited: {process.stdout.read().decode(errors='replace')}")
            try:
                with urllib.request.urlopen(base + "query", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("kg serve did not answer within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')"
    )
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 950}, accept_downloads=True)
    yield ctx
    ctx.close()


class Page:
    """A page of the local server, recording requests elsewhere, dialogs and console errors."""

    def __init__(self, context, base: str, path: str = "query"):
        self.base = base
        self.page = page = context.new_page()
        self.outside: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []

        def route(r):
            if r.request.url.startswith(base):
                r.continue_()
            else:
                self.outside.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.goto(path)

    def goto(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.wait_ready()

    def wait_ready(self) -> None:
        if "/query" in self.page.url:
            self.page.wait_for_selector("body[data-ready='1']", timeout=30_000)
        else:
            self.wait_until("window.kgReady === true", timeout=30)

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def wait_until(self, expression: str, timeout: float = 15) -> None:
        """Poll ``expression`` from Python (the page's policy forbids the eval that wait_for_function uses)."""
        deadline = time.monotonic() + timeout
        while not self.js(expression):
            if time.monotonic() > deadline:
                raise AssertionError(f"still false after {timeout} s: {expression}")
            time.sleep(0.05)

    def form(self, name: str):
        return self.page.locator(f"form.question[data-name='{name}']")

    def wait_rows(self):
        self.page.wait_for_selector("table.results tbody tr", timeout=15_000)
        return self.page.locator("table.results tbody tr")

    def column(self, name: str) -> list[str]:
        return self.js(
            """name => { const heads = [...document.querySelectorAll('table.results th')].map(th => th.innerText.trim());
            const k = heads.indexOf(name);
            return [...document.querySelectorAll('table.results tbody tr')].map(tr => tr.children[k].innerText.trim()); }""",
            name,
        )

    def assert_clean(self, allow_failed_requests: bool = False) -> None:
        errors = [e for e in self.errors if not (allow_failed_requests and "Failed to load resource" in e)]
        assert self.outside == [], f"requests leaving the machine: {self.outside}"
        assert self.dialogs == [], f"dialogs: {self.dialogs}"
        assert errors == [], f"console errors: {errors}"


def test_the_query_page_loads_offline_without_errors(context, server, tmp_path):
    page = Page(context, server)
    assert page.page.locator("form.question").count() == len(named_queries())
    assert page.page.locator("#highlight .t-kw").count() > 0  # the editor's example query, highlighted
    assert "read-only" in page.page.locator("#limits").inner_text()
    assert page.js("document.scripts.length") == 2
    page.page.screenshot(path=tmp_path / "query-page.png")
    assert (tmp_path / "query-page.png").stat().st_size > 10_000
    page.assert_clean()


def test_a_question_answered_through_its_form(context, server):
    page = Page(context, server)
    field = page.form("partners-of").locator("input[name=org]")
    field.click()
    field.type("socg", delay=20)
    first = "document.querySelector(\"form[data-name='partners-of'] .suggest:not([hidden]) li .label\")"
    page.wait_until(f"({first} || {{}}).textContent === 'Société Générale'")
    assert "SocGen" in page.form("partners-of").locator(".suggest li").first.inner_text()
    field.press("ArrowDown")
    field.press("Enter")
    assert field.input_value() == "Société Générale"
    page.form("partners-of").locator("button[type=submit]").click()
    rows = page.wait_rows()
    assert rows.count() == 1
    assert page.column("partner") == ["Mistral AI"]
    heads = page.js("[...document.querySelectorAll('table.results th')].map(th => th.innerText.trim())")
    assert heads == ["partner", "document", "sentence", "confidence"]  # x_iri columns are the links of x
    assert page.page.locator("#result-title").inner_text() == "Who are the partners of “Société Générale”?"
    assert "Société Générale s'associe à Mistral AI." in rows.first.inner_text()
    assert "name=partners-of" in page.page.url and "p.org=Soci" in page.page.url
    assert page.page.locator("#recent li a").first.inner_text() == "Who are the partners of “Société Générale”?"
    # downloads
    with page.page.expect_download() as done:
        page.page.click("#download-csv")
    table = list(csv.reader(io.StringIO(open(done.value.path(), encoding="utf-8").read())))
    assert table[0] == ["partner", "document", "sentence", "confidence", "partner_iri", "document_iri"]
    assert table[1][0] == "Mistral AI" and table[1][4].startswith("https://w3id.org/kg-news/id/")
    with page.page.expect_download() as done:
        page.page.click("#download-json")
    data = json.loads(open(done.value.path(), encoding="utf-8").read())
    assert data["results"]["bindings"][0]["partner"]["value"] == "Mistral AI"
    page.page.click("#share")  # to the clipboard, or shown selected: never a dialog
    page.wait_until(
        "document.getElementById('share').textContent === 'Link copied' || !!document.getElementById('link-box')"
    )
    if page.page.locator("#link-box").count():
        assert page.page.locator("#link-box").input_value() == page.page.url
    # the link in the address asks the question again
    shared = page.page.url
    again = Page(context, server, shared[len(server) :])
    assert again.wait_rows().count() == 1 and again.column("partner") == ["Mistral AI"]
    page.assert_clean()
    again.assert_clean()


def test_an_editor_query_runs_with_a_parameter_and_sorts(context, server):
    page = Page(context, server)
    page.page.locator("#sparql").fill(EDITOR_QUERY)
    page.js("() => kgWorkbench.setEditorParams({name: 'Mistral AI'})")
    page.page.locator("#sparql").press("Control+Enter")
    page.wait_rows()
    link = page.page.locator("table.results a.entity")
    assert link.count() == 1 and link.inner_text() == "Mistral AI"
    assert page.page.locator("#highlight .t-var").count() >= 4
    page.page.locator("#sparql").fill("SELECT ?name ?n WHERE { VALUES (?name ?n) { ('b' 10) ('a' 9) ('c' 100) } }")
    page.js("() => kgWorkbench.setEditorParams({})")
    page.page.click("#run")
    page.wait_until("document.querySelectorAll('table.results tbody tr').length === 3")
    page.page.click("table.results th:nth-child(2) button")
    assert page.column("n") == ["9", "10", "100"]  # numbers sort as numbers
    page.page.click("table.results th:nth-child(2) button")
    assert page.column("n") == ["100", "10", "9"]
    page.page.click("table.results th:nth-child(1) button")
    assert page.column("name") == ["a", "b", "c"]
    page.assert_clean()


def test_a_syntax_error_is_shown_at_its_position(context, server):
    page = Page(context, server)
    page.js("() => kgWorkbench.setEditorParams({})")
    page.page.locator("#sparql").fill("SELECT ?s WHERE {\n  ?s ?p ?o .\n  ?s kg:x ?y ?z .\n}")
    page.page.click("#run")
    page.page.wait_for_selector("#error:not([hidden])")
    assert "line 3, column 14" in page.page.locator("#error").inner_text()
    assert page.page.locator("#highlight .t-err").inner_text() == "?z"
    assert page.page.locator("#gutter .bad").inner_text().strip() == "3"
    page.page.click("#error button")
    assert page.js("[document.activeElement.id, document.activeElement.selectionStart]") == ["sparql", 44]
    page.page.locator("#sparql").press("End")
    page.page.keyboard.type(" ")
    assert page.page.locator("#highlight .t-err").count() == 0  # editing clears the mark
    page.assert_clean(allow_failed_requests=True)  # the 400 answer is logged by Chromium


def test_a_parameter_the_query_does_not_use_is_named_and_can_be_removed(context, server):
    page = Page(context, server)
    page.page.locator("#sparql").fill("ASK { ?s a kg:Person }")
    page.js("() => kgWorkbench.setEditorParams({nmae: 'x'})")
    page.page.click("#run")
    page.page.wait_for_selector("#error:not([hidden])")
    assert "nmae" in page.page.locator("#error").inner_text()
    page.page.click("#error button")
    page.page.wait_for_selector(".answer")
    assert page.page.locator(".answer").inner_text() == "Yes"
    page.assert_clean(allow_failed_requests=True)


def test_a_link_in_the_results_opens_the_explorer_on_that_node(context, server):
    page = Page(context, server, "query?name=partners-of&p.org=SocGen")
    page.wait_rows()
    page.page.click("table.results a.entity")
    page.page.wait_for_url("**/#node=*")
    page.wait_ready()
    assert page.page.locator("#panel h2").inner_text() == "Mistral AI"
    node = page.js("kgExplorer.data.nodes.findIndex(n => n.l === 'Mistral AI')")
    assert page.js("network.getSelectedNodes()") == [node]
    page.assert_clean()


def test_ask_about_an_entity_from_the_explorer(context, server):
    page = Page(context, server, "")
    node = page.js("kgExplorer.data.nodes.findIndex(n => n.l === 'Société Générale')")
    page.js("id => kgExplorer.focusNode(id)", node)
    page.page.click("#panel a.ask")
    page.page.wait_for_url("**/query?about=*")
    page.wait_ready()
    assert "Questions about Société Générale" in page.page.locator("#about").inner_text()
    assert page.form("partners-of").locator("input[name=org]").input_value() == "Société Générale"
    assert page.page.locator("form.question").first.get_attribute("data-name") in {"partners-of", "investments",
                                                                                   "training", "works-for"}  # fmt: skip
    page.form("partners-of").locator("button[type=submit]").click()
    page.wait_rows()
    assert page.column("partner") == ["Mistral AI"]
    page.page.click("#run")  # the editor holds "what the graph says about it", bound to its IRI
    page.wait_until("document.querySelectorAll('table.results tbody tr').length > 3")
    assert "SocGen" in page.page.locator("table.results").inner_text()
    page.page.click("#to-explorer")
    page.wait_ready()
    assert page.page.locator("#to-query").is_visible()
    page.assert_clean()


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["csp", "no-csp"])
def test_markup_in_names_raises_no_dialog(browser, server, bypass_csp):
    ctx = browser.new_context(viewport={"width": 1400, "height": 950}, bypass_csp=bypass_csp)
    try:
        page = Page(ctx, server)
        field = page.form("investments").locator("input[name=investor]")
        field.click()
        field.type("img src", delay=20)
        first = "document.querySelector(\"form[data-name='investments'] .suggest:not([hidden]) li .label\")"
        page.wait_until(f"({first} || {{}}).textContent === {json.dumps(XSS_ORG)}")
        field.press("ArrowDown")
        field.press("Enter")
        page.form("investments").locator("button[type=submit]").click()
        page.wait_rows()
        assert page.column("investor_name") == [XSS_ORG]
        assert XSS_TITLE in page.page.locator("table.results").inner_text()
        page.page.locator("#sparql").fill(
            "SELECT ?e ?l ?d ?t ?u WHERE { { ?e rdfs:label ?l } UNION { ?d dcterms:title ?t OPTIONAL { ?d schema:url ?u } } }"
        )
        page.js("() => kgWorkbench.setEditorParams({})")
        page.page.click("#run")
        page.wait_until("document.querySelectorAll('table.results tbody tr').length > 5")
        text = page.page.locator("table.results").inner_text()
        assert XSS_ORG in text and XSS_PERSON in text and "javascript:alert(3)" in text
        iri = page.js(
            "x => [...document.querySelectorAll('table.results a.entity')].find(a => a.textContent === x).dataset.iri",
            XSS_ORG,
        )
        page.goto("query?about=" + urllib.request.quote(iri, safe=""))
        assert XSS_ORG in page.page.locator("#about").inner_text()
        page.goto("query?query=" + urllib.request.quote("SELECT ?x WHERE { BIND(?v AS ?x) }") + "&p.v="
                  + urllib.request.quote(XSS_ORG))  # fmt: skip
        page.wait_rows()
        assert page.column("x") == [XSS_ORG]
        page.page.wait_for_timeout(200)
        assert page.js("document.querySelectorAll('img, iframe, object, embed').length") == 0
        assert page.js("document.scripts.length") == 2
        assert page.js("document.querySelectorAll('a[href^=\"javascript\" i]').length") == 0
        assert XSS_ORG in page.page.locator("#recent").inner_text()
        page.assert_clean()
    finally:
        ctx.close()
