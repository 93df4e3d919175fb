"""The explorer page in a real headless Chromium (Debian's ``chromium``, driven by Playwright).

Every request other than the page's own file is aborted and counted: a page
that works offline makes none. Skipped only when there is no chromium binary
(``.ci/run`` installs it with apt-get).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kg import viz

CHROMIUM = next(
    (
        p
        for p in (os.environ.get("KG_CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser"))
        if p and Path(p).is_file()
    ),
    None,
)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary found (apt-get install chromium)")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


class Page:
    """A page opened on a local file, recording requests, dialogs and errors."""

    def __init__(self, context, path: Path):
        self.url = path.resolve().as_uri()
        self.page = page = context.new_page()
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []

        def route(r):
            if r.request.url.split("#")[0] == self.url:
                r.continue_()
            else:
                r.abort()

        page.route("**/*", route)
        page.on("request", lambda req: req.url.split("#")[0] != self.url and self.requests.append(req.url))
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.goto(self.url)
        page.wait_for_function("window.kgReady === true", timeout=30_000)

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def node_id(self, label: str) -> int:
        return self.js("l => kgExplorer.data.nodes.findIndex(n => n.l === l)", label)

    def click_canvas(self, x: float, y: float) -> None:
        box = self.page.locator("#mynetwork").bounding_box()
        self.page.mouse.click(box["x"] + x, box["y"] + y)

    def dom_of(self, node: int) -> dict:
        return self.js("id => network.canvasToDOM(network.getPositions([id])[id])", node)

    def assert_clean(self) -> None:
        assert self.requests == [], f"network requests: {self.requests}"
        assert self.dialogs == [], f"dialogs: {self.dialogs}"
        assert self.errors == [], f"console errors: {self.errors}"


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
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    yield ctx
    ctx.close()


@pytest.fixture(scope="module")
def sample_page(tmp_path_factory) -> Path:
    from test_viz import build_sample

    out = build_sample(tmp_path_factory.mktemp("browser") / "out")
    return viz.write_explorer(out, out / "explorer.html")


def test_page_opens_offline_draws_nodes_and_takes_a_screenshot(context, sample_page, tmp_path):
    page = Page(context, sample_page)
    shown = page.js("kgExplorer.data.meta.shown")
    assert shown == 7  # 6 entities and a group
    assert len(page.js("Object.keys(network.getPositions())")) == shown
    painted = page.js(
        """() => { const c = document.querySelector('#mynetwork canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }"""
    )
    assert painted > 1000
    page.page.screenshot(path=tmp_path / "explorer.png")
    assert (tmp_path / "explorer.png").stat().st_size > 10_000
    page.assert_clean()


def test_click_on_a_node_shows_its_facts_with_the_source_sentence(context, sample_page, tmp_path):
    page = Page(context, sample_page)
    openai = page.node_id("OpenAI")
    spot = page.dom_of(openai)
    page.click_canvas(spot["x"], spot["y"])
    page.page.wait_for_selector(f"#panel[data-node='{openai}']", timeout=5_000)
    panel = page.page.locator("#panel")
    text = panel.inner_text()
    assert "a investi 5 millions de dollars dans OpenAI." in text
    assert "confidence 0.80" in text and "5,000,000 USD" in text
    assert panel.locator("mark.self").first.inner_text() == "OpenAI"
    assert "documents (1)" in text.lower()
    page.page.screenshot(path=tmp_path / "node.png")
    page.assert_clean()


def test_click_on_an_edge_shows_that_fact(context, sample_page):
    page = Page(context, sample_page)
    a, b = page.node_id("Société Générale"), page.node_id("Mistral AI")
    edge = page.js("([a, b]) => kgExplorer.data.edges.findIndex(e => e.f === a && e.t === b)", [min(a, b), max(a, b)])
    assert edge >= 0
    page.js("id => network.moveTo({position: network.getPositions([id])[id], scale: 1.5})", a)
    pa, pb = page.dom_of(a), page.dom_of(b)
    page.click_canvas(pa["x"] + 0.4 * (pb["x"] - pa["x"]), pa["y"] + 0.4 * (pb["y"] - pa["y"]))
    page.page.wait_for_selector(f"#panel[data-edge='{edge}']", timeout=5_000)
    text = page.page.locator("#panel").inner_text()
    assert "Société Générale s'associe à Mistral AI." in text and "confidence 0.70" in text
    page.assert_clean()


@pytest.mark.parametrize("query, label", [("societe generale", "Société Générale"), ("socgen", "Société Générale")])
def test_search_is_accent_and_case_insensitive_and_focuses_the_node(context, sample_page, query, label):
    page = Page(context, sample_page)
    page.page.fill("#search", query)
    assert page.page.locator("#results button").first.inner_text().startswith(label)
    page.page.press("#search", "Enter")
    node = page.node_id(label)
    assert page.js("network.getSelectedNodes()") == [node]
    assert page.page.locator("#panel h2").inner_text() == label
    page.assert_clean()


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["csp", "no-csp"])
def test_markup_in_news_text_is_shown_as_text_and_runs_nothing(browser, sample_page, bypass_csp):
    from test_viz import XSS_ORG, XSS_PERSON, XSS_TITLE

    ctx = browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=bypass_csp)
    try:
        page = Page(ctx, sample_page)
        for label in (XSS_ORG, XSS_PERSON):
            node = page.node_id(label)
            assert node >= 0
            page.js("id => kgExplorer.focusNode(id)", node)
            assert page.page.locator("#panel h2").inner_text() == label
            assert XSS_TITLE in page.page.locator("#panel").inner_text()
        page.page.fill("#search", "img src")
        assert page.page.locator("#results button").first.inner_text().startswith(XSS_ORG)
        assert page.js("document.querySelectorAll('img, iframe, object, embed').length") == 0
        assert page.js("document.scripts.length") == 3
        assert page.js("document.querySelectorAll('a[href^=\"javascript\"]').length") == 0
        page.page.wait_for_timeout(200)
        page.assert_clean()
    finally:
        ctx.close()


def test_filters_and_neighbourhood_view(context, sample_page):
    page = Page(context, sample_page)
    total = page.js("kgExplorer.applyFilters()")
    page.page.locator("#confidence").fill("0.75")
    strict = page.js("kgExplorer.applyFilters()")
    assert strict["edges"] < total["edges"]  # partnersWith 0.7 and worksFor 0.6 hidden
    page.page.select_option("#doc", label="2024-05-02 · Mistral news")
    by_doc = page.js("kgExplorer.applyFilters()")
    assert by_doc["nodes"] < total["nodes"]
    page.page.click("#reset")
    page.js("id => kgExplorer.focusNode(id)", page.node_id("Arthur Mensch"))
    page.page.select_option("#hops", "1")
    assert page.js("kgExplorer.applyFilters()") == {"nodes": 2, "edges": 1}
    page.page.select_option("#hops", "2")
    assert page.js("kgExplorer.applyFilters()")["nodes"] > 2
    page.page.check("#physics")
    page.page.select_option("#size-by", "degree")
    page.page.wait_for_timeout(200)
    page.assert_clean()


def test_the_page_kg_build_writes_works_offline(context, example_build, tmp_path):
    out, result = example_build
    page = Page(context, result.explorer_path)
    assert page.js("kgExplorer.data.meta.shown") == len(page.js("Object.keys(network.getPositions())")) > 50
    page.page.fill("#search", "microsoft")
    page.page.press("#search", "Enter")
    assert page.page.locator("#panel h2").inner_text() == "Microsoft"
    assert page.page.locator("#panel .fact mark.self").count() > 0
    page.page.screenshot(path=tmp_path / "examples.png")
    page.assert_clean()
