/* kg explorer: draws the graph embedded as JSON in #kg-data with vis-network.
 *
 * Every text from the graph (labels, titles, sentences, URLs) is untrusted news
 * text: it is only ever inserted with textContent or as vis-network canvas
 * labels, never as HTML. Globals kept from pyvis pages: network, nodes, edges.
 * window.kgExplorer exposes the page's actions for scripts and tests.
 */
(function () {
  "use strict";
  performance.mark("kg-start");
  var DATA = JSON.parse(document.getElementById("kg-data").textContent);
  performance.mark("kg-parsed");
  var META = DATA.meta;
  var SHOWN = META.shown;
  var COLOUR = {};
  DATA.classes.forEach(function (c) { COLOUR[c[0]] = c[1]; });
  var state = { classes: {}, props: {}, doc: -1, from: "", to: "", conf: 0, hops: 0, focus: null, sizeBy: META.size_by };
  var nodeFacts = DATA.nodes.map(function () { return []; });
  var nodeEdges = [];
  var factEdge = DATA.facts.map(function () { return -1; });
  var hiddenNode = new Uint8Array(SHOWN);
  var hiddenEdge = new Uint8Array(DATA.edges.length);
  var $ = function (id) { return document.getElementById(id); };

  DATA.facts.forEach(function (f, i) {
    nodeFacts[f.s].push(i);
    if (f.o >= 0 && f.o !== f.s) nodeFacts[f.o].push(i);
  });
  for (var i = 0; i < SHOWN; i++) nodeEdges.push([]);
  DATA.edges.forEach(function (e, j) {
    nodeEdges[e.f].push(j);
    if (e.t !== e.f) nodeEdges[e.t].push(j);
    e.x.forEach(function (fi) { factEdge[fi] = j; });
  });

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function fold(s) {
    return String(s).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[\u2018\u2019\u02bc]/g, "'").replace(/\u0153/g, "oe").replace(/\u00e6/g, "ae").replace(/\u00df/g, "ss");
  }
  function groupDigits(text) {
    var parts = String(text).split(".");
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var frac = (parts[1] || "").replace(/0+$/, "");
    return frac ? whole + "." + frac : whole;
  }
  function nodeLabel(n) { return n.k !== undefined ? n.l + " (" + groupDigits(n.k) + ")" : n.l; }
  function propName(p) { return DATA.props[p][0]; }
  function safeUrl(u) { return /^https?:\/\//i.test(u || "") ? u : ""; }
  var SERVED = /^https?:$/.test(location.protocol);  // by kg serve, next to the query page
  function docText(d) { return (d.d ? d.d + " · " : "") + (d.t || d.i); }

  // ---- the network -------------------------------------------------------
  function scaled(n) {  // 0..1: the node's degree or PageRank against the largest, square-rooted
    var key = state.sizeBy === "degree" ? "deg" : "pr";
    return Math.sqrt(n[key] / (maxOf[key] || 1));
  }
  function sizing(n, id) {  // node size in pixels; central nodes also get a larger label
    var v = scaled(n), item = { id: id, size: Math.round(60 + 240 * v) / 10 };
    item.font = v > 0.3 ? { size: Math.round(12 + 18 * v) } : { size: 14 };
    return item;
  }
  var maxOf = { deg: 0, pr: 0 };
  DATA.nodes.slice(0, SHOWN).forEach(function (n) {
    maxOf.deg = Math.max(maxOf.deg, n.deg);
    maxOf.pr = Math.max(maxOf.pr, n.pr);
  });
  function visNode(n, id) {
    var item = sizing(n, id);
    item.label = nodeLabel(n); item.x = n.x; item.y = n.y; item.group = n.c;
    if (item.font.size === 14) delete item.font;  // the default: cheaper for vis-network
    return item;
  }
  var groups = {};
  DATA.classes.forEach(function (c) { groups[c[0]] = { color: c[1] }; });
  var parallel = {};
  function visEdge(e, j) {
    var key = Math.min(e.f, e.t) + "|" + Math.max(e.f, e.t);
    var k = parallel[key] = (parallel[key] || 0) + 1;
    var item = { id: j, from: e.f, to: e.t, label: propName(e.p) };
    if (!DATA.props[e.p][1]) item.arrows = { to: { enabled: false } };
    if (e.x.length > 1) item.width = 1 + Math.log2(e.x.length);
    if (k > 1) item.smooth = { enabled: true, type: k % 2 ? "curvedCW" : "curvedCCW", roundness: 0.2 * Math.floor(k / 2) };
    return item;
  }
  var big = SHOWN > 1000;
  var nodes = new vis.DataSet(DATA.nodes.slice(0, SHOWN).map(visNode));
  var edges = new vis.DataSet(DATA.edges.map(visEdge));
  var options = {
    autoResize: true,
    layout: { improvedLayout: false, randomSeed: 7 },
    groups: groups,
    physics: {
      enabled: !!META.physics, solver: "barnesHut", stabilization: { enabled: false },
      barnesHut: { gravitationalConstant: -4000, springLength: 110, avoidOverlap: 0.1 },
    },
    interaction: { hover: !big, hideEdgesOnDrag: big, hideEdgesOnZoom: big, navigationButtons: false, keyboard: false, multiselect: false },
    nodes: {
      shape: "dot", borderWidth: 1,
      font: { size: 14, face: "system-ui, sans-serif", strokeWidth: 3, strokeColor: "#ffffff" },
      color: { border: "#333333" },
      scaling: { label: { drawThreshold: 5 } },
    },
    edges: {
      smooth: false, width: 1, selectionWidth: 2,
      color: { color: "#9aa5b1", highlight: "#24292f", hover: "#24292f" },
      font: { size: 10, align: "middle", color: "#57606a", strokeWidth: 3, strokeColor: "#ffffff" },
      scaling: { label: { drawThreshold: 6 } },
      arrows: { to: { enabled: true, scaleFactor: 0.6 } },
    },
  };
  performance.mark("kg-datasets");
  var network = new vis.Network($("mynetwork"), { nodes: nodes, edges: edges }, options);
  performance.mark("kg-network");
  window.network = network;
  window.nodes = nodes;
  window.edges = edges;
  window.kgReady = false;
  network.once("afterDrawing", function () {
    window.kgReady = true;
    window.kgReadyAt = performance.now();
    performance.mark("kg-drawn");
    document.body.setAttribute("data-ready", "1");
  });
  function onClick(params) {
    if (params.nodes.length) showNode(params.nodes[0]);
    else if (params.edges.length) showEdge(params.edges[0]);
    else clearSelection();
  }
  network.on("click", onClick);

  // ---- filters -------------------------------------------------------------
  function dateOk(di) {
    if (!state.from && !state.to) return true;
    var d = di >= 0 ? DATA.docs[di].d : "";
    return !!d && (!state.from || d >= state.from) && (!state.to || d <= state.to);
  }
  function docOk(di) { return (state.doc < 0 || di === state.doc) && dateOk(di); }
  function factOk(fi) { var f = DATA.facts[fi]; return f.c + 1e-9 >= state.conf && docOk(f.d); }
  function classOn(id) { return state.classes[DATA.nodes[id].c] !== false; }
  function applyFilters() {
    var docFilter = state.doc >= 0 || !!state.from || !!state.to;
    var nodeOn = new Uint8Array(SHOWN), edgeOn = new Uint8Array(DATA.edges.length);
    for (var i = 0; i < SHOWN; i++) nodeOn[i] = classOn(i) && (!docFilter || DATA.nodes[i].d.some(docOk)) ? 1 : 0;
    DATA.edges.forEach(function (e, j) {
      if (state.props[e.p] === false || !classOn(e.f) || !classOn(e.t) || !e.x.some(factOk)) return;
      edgeOn[j] = 1;
      nodeOn[e.f] = nodeOn[e.t] = 1;
    });
    if (state.hops > 0 && state.focus !== null && state.focus < SHOWN) {
      var reached = new Uint8Array(SHOWN), frontier = [state.focus];
      reached[state.focus] = 1;
      nodeOn[state.focus] = 1;
      for (var hop = 0; hop < state.hops; hop++) {
        var next = [];
        frontier.forEach(function (n) {
          nodeEdges[n].forEach(function (j) {
            if (!edgeOn[j]) return;
            var e = DATA.edges[j], m = e.f === n ? e.t : e.f;
            if (!reached[m]) { reached[m] = 1; next.push(m); }
          });
        });
        frontier = next;
      }
      for (i = 0; i < SHOWN; i++) nodeOn[i] = nodeOn[i] && reached[i];
    }
    var nodeChanges = [], edgeChanges = [], shownNodes = 0, shownEdges = 0;
    for (i = 0; i < SHOWN; i++) {
      if (hiddenNode[i] === nodeOn[i]) { hiddenNode[i] = 1 - nodeOn[i]; nodeChanges.push({ id: i, hidden: !nodeOn[i] }); }
      shownNodes += nodeOn[i];
    }
    DATA.edges.forEach(function (e, j) {
      var on = edgeOn[j] && nodeOn[e.f] && nodeOn[e.t] ? 1 : 0;
      if (hiddenEdge[j] === on) { hiddenEdge[j] = 1 - on; edgeChanges.push({ id: j, hidden: !on }); }
      shownEdges += on;
    });
    if (nodeChanges.length) nodes.update(nodeChanges);
    if (edgeChanges.length) edges.update(edgeChanges);
    $("visible-count").textContent = shownNodes.toLocaleString("en") + " nodes, " + shownEdges.toLocaleString("en") + " edges visible";
    return { nodes: shownNodes, edges: shownEdges };
  }
  function resetFilters() {
    state.classes = {}; state.props = {}; state.doc = -1; state.from = state.to = ""; state.conf = 0; state.hops = 0;
    document.querySelectorAll("#legend input, #props input").forEach(function (box) { box.checked = true; });
    $("doc").value = "-1"; $("date-from").value = ""; $("date-to").value = "";
    $("confidence").value = "0"; $("confidence-value").textContent = "0.00"; $("hops").value = "0";
    return applyFilters();
  }

  // ---- the side panel ------------------------------------------------------
  var panel = $("panel");
  function clearPanel() { while (panel.firstChild) panel.removeChild(panel.firstChild); }
  function nodeLink(id, selfId) {
    var n = DATA.nodes[id];
    if (id === selfId) return el("span", "", nodeLabel(n));
    var b = el("button", "link", nodeLabel(n));
    b.type = "button";
    b.addEventListener("click", function () { focusNode(id); });
    return b;
  }
  function sentenceBlock(f, selfId) {
    var q = el("blockquote");
    var chars = Array.from(f.t), pos = 0;  // offsets are in code points
    f.m.forEach(function (m) {
      if (m[0] > pos) q.appendChild(document.createTextNode(chars.slice(pos, m[0]).join("")));
      var self = (m[2] === "s" && f.s === selfId) || (m[2] === "o" && f.o === selfId);
      q.appendChild(el("mark", self ? "self" : m[2] === "q" ? "q" : "", chars.slice(m[0], m[1]).join("")));
      pos = m[1];
    });
    if (pos < chars.length) q.appendChild(document.createTextNode(chars.slice(pos).join("")));
    return q;
  }
  function attrText(a) {
    var out = [];
    if (a.amount !== undefined) out.push(groupDigits(a.amount) + (a.currency ? " " + a.currency : ""));
    else if (a.currency !== undefined) out.push(a.currency);
    if (a.count !== undefined) out.push("count " + groupDigits(a.count));
    if (a.year !== undefined) out.push("year " + a.year);
    if (a.role !== undefined) out.push("role: " + a.role);
    if (a.date !== undefined) out.push("date " + a.date);
    return out.join(" · ");
  }
  function docLine(di) {
    var d = DATA.docs[di], span = el("span");
    span.appendChild(el("span", "", docText(d)));
    var url = safeUrl(d.u);
    if (url) {
      span.appendChild(document.createTextNode(" "));
      var a = el("a", "", "source");
      a.href = url; a.target = "_blank"; a.rel = "noopener noreferrer";
      span.appendChild(a);
    }
    return span;
  }
  function factCard(fi, selfId) {
    var f = DATA.facts[fi], card = el("div", "fact");
    card.setAttribute("data-fact", String(fi));
    var what = el("div", "what");
    what.appendChild(nodeLink(f.s, selfId));
    what.appendChild(document.createTextNode(" "));
    what.appendChild(el("span", "prop", propName(f.p)));
    what.appendChild(document.createTextNode(" "));
    if (f.o >= 0) what.appendChild(nodeLink(f.o, selfId));
    else what.appendChild(el("span", "", "“" + (f.q.length > 160 ? f.q.slice(0, 160) + "…" : f.q) + "”"));
    card.appendChild(what);
    var attrs = attrText(f.a);
    if (attrs) card.appendChild(el("div", "attrs", attrs));
    card.appendChild(sentenceBlock(f, selfId));
    var meta = el("div", "meta", "confidence " + f.c.toFixed(2) + (f.r ? " · rule " + f.r : "") + (f.d >= 0 ? " · " : ""));
    if (f.d >= 0) meta.appendChild(docLine(f.d));
    card.appendChild(meta);
    return card;
  }
  function byConfidence(a, b) { return DATA.facts[b].c - DATA.facts[a].c || a - b; }
  function showNode(id) {
    var n = DATA.nodes[id];
    state.focus = id;
    clearPanel();
    panel.setAttribute("data-node", String(id));
    panel.removeAttribute("data-edge");
    panel.appendChild(el("h2", "", n.l));
    var badge = el("span", "badge", n.c);
    badge.style.background = COLOUR[n.c] || "#888888";
    panel.appendChild(badge);
    if (n.k !== undefined) panel.appendChild(el("p", "", "count: " + groupDigits(n.k)));
    if (n.n.length > 1) panel.appendChild(el("p", "aliases", "Also named: " + n.n.slice(1).join(" · ")));
    if (SERVED && n.i) {
      var ask = el("a", "ask", "Ask about this entity");
      ask.href = "query?about=" + encodeURIComponent(n.i);
      ask.title = "Questions about " + n.l + " on the query page";
      var p = el("p");
      p.appendChild(ask);
      panel.appendChild(p);
    }
    if (id >= SHOWN) panel.appendChild(el("p", "note", "Not drawn: less central than the nodes on the page."));
    var facts = nodeFacts[id].slice().sort(byConfidence);
    panel.appendChild(el("h3", "", "Facts (" + facts.length + ")"));
    facts.forEach(function (fi) { panel.appendChild(factCard(fi, id)); });
    panel.appendChild(el("h3", "", "Documents (" + n.d.length + ")"));
    var list = el("ul", "docs");
    n.d.forEach(function (di) { var li = el("li"); li.appendChild(docLine(di)); list.appendChild(li); });
    panel.appendChild(list);
    if (state.hops > 0) applyFilters();
  }
  function showEdge(j) {
    var e = DATA.edges[j];
    clearPanel();
    panel.setAttribute("data-edge", String(j));
    panel.removeAttribute("data-node");
    var h = el("h2");
    h.appendChild(nodeLink(e.f, null));
    h.appendChild(el("span", "prop", " " + propName(e.p) + " "));
    h.appendChild(nodeLink(e.t, null));
    panel.appendChild(h);
    panel.appendChild(el("h3", "", "Facts (" + e.x.length + ")"));
    e.x.slice().sort(byConfidence).forEach(function (fi) { panel.appendChild(factCard(fi, null)); });
  }
  function clearSelection() {
    state.focus = null;
    clearPanel();
    panel.removeAttribute("data-node");
    panel.removeAttribute("data-edge");
    panel.appendChild(el("p", "note", "Click a node or an edge to see its facts, the sentences they come from and their documents."));
    if (state.hops > 0) applyFilters();
  }
  function focusNode(id) {
    if (id >= SHOWN) { showNode(id); return; }
    if (hiddenNode[id] && state.hops === 0) resetFilters();
    network.selectNodes([id]);
    showNode(id);
    network.focus(id, { scale: Math.max(network.getScale(), 1), animation: false });
  }

  // ---- search --------------------------------------------------------------
  var index = DATA.nodes.slice(0, SHOWN).map(function (n) { return n.n.map(fold); });
  function search(query) {
    var q = fold(query).trim().replace(/\s+/g, " ");
    if (!q) return [];
    var hits = [];
    index.forEach(function (names, id) {
      var best = 9;
      names.forEach(function (name) {
        var at = name.indexOf(q);
        if (at < 0) return;
        var rank = name === q ? 0 : at === 0 ? 1 : /[^a-z0-9]/.test(name.charAt(at - 1)) ? 2 : 3;
        best = Math.min(best, rank);
      });
      if (best < 9) hits.push([best, -DATA.nodes[id].pr, id]);
    });
    hits.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]; });
    return hits.slice(0, 12).map(function (h) { return h[2]; });
  }
  var results = $("results");
  function showResults() {
    while (results.firstChild) results.removeChild(results.firstChild);
    search($("search").value).forEach(function (id) {
      var li = el("li"), b = el("button", "", DATA.nodes[id].l);
      b.type = "button";
      b.appendChild(el("span", "cls", DATA.nodes[id].c));
      b.addEventListener("click", function () { focusNode(id); });
      li.appendChild(b);
      results.appendChild(li);
    });
  }
  $("search").addEventListener("input", showResults);
  $("search").addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter") return;
    var hits = search($("search").value);
    if (hits.length) focusNode(hits[0]);
  });

  // ---- controls ------------------------------------------------------------
  function checkbox(list, text, count, swatch, onChange) {
    var li = el("li"), label = el("label", "check"), box = el("input");
    box.type = "checkbox"; box.checked = true;
    box.addEventListener("change", function () { onChange(box.checked); applyFilters(); });
    label.appendChild(box);
    if (swatch) { var dot = el("span", "dot"); dot.style.background = swatch; label.appendChild(dot); }
    label.appendChild(el("span", "", text));
    li.appendChild(label);
    li.appendChild(el("span", "n", count.toLocaleString("en")));
    list.appendChild(li);
  }
  var classCount = {}, propCount = {};
  DATA.nodes.slice(0, SHOWN).forEach(function (n) { classCount[n.c] = (classCount[n.c] || 0) + 1; });
  DATA.edges.forEach(function (e) { propCount[e.p] = (propCount[e.p] || 0) + 1; });
  DATA.classes.forEach(function (c) {
    if (classCount[c[0]]) checkbox($("legend"), c[0], classCount[c[0]], c[1], function (on) { state.classes[c[0]] = on; });
  });
  DATA.props.forEach(function (p, k) {
    if (propCount[k]) checkbox($("props"), p[0] + (p[1] ? " →" : " ↔"), propCount[k], null, function (on) { state.props[k] = on; });
  });
  var dates = DATA.docs.map(function (d) { return d.d; }).filter(Boolean).sort();
  DATA.docs.forEach(function (d, k) {
    var opt = el("option", "", docText(d).slice(0, 80));
    opt.value = String(k);
    $("doc").appendChild(opt);
  });
  if (dates.length) {
    ["date-from", "date-to"].forEach(function (id) { $(id).min = dates[0]; $(id).max = dates[dates.length - 1]; });
  }
  $("doc").addEventListener("change", function () { state.doc = parseInt($("doc").value, 10); applyFilters(); });
  $("date-from").addEventListener("change", function () { state.from = $("date-from").value; applyFilters(); });
  $("date-to").addEventListener("change", function () { state.to = $("date-to").value; applyFilters(); });
  $("confidence").addEventListener("input", function () {
    state.conf = parseFloat($("confidence").value);
    $("confidence-value").textContent = state.conf.toFixed(2);
    applyFilters();
  });
  $("hops").addEventListener("change", function () {
    state.hops = parseInt($("hops").value, 10);
    var shown = applyFilters();
    if (state.hops > 0 && state.focus !== null && state.focus < SHOWN) {
      network.fit({ nodes: nodes.getIds({ filter: function (n) { return !n.hidden; } }), animation: false });
    } else if (shown) network.fit({ animation: false });
  });
  $("size-by").addEventListener("change", function () {
    state.sizeBy = $("size-by").value;
    nodes.update(DATA.nodes.slice(0, SHOWN).map(sizing));
  });
  $("physics").addEventListener("change", function () { network.setOptions({ physics: { enabled: $("physics").checked } }); });
  $("reset").addEventListener("click", function () { resetFilters(); network.fit({ animation: false }); });

  applyFilters();
  network.fit({ animation: false });

  // ---- #node=IRI: select an entity from the address (links from the query page) ----------------------
  var byIri = {};
  DATA.nodes.forEach(function (n, id) { if (n.i) byIri[n.i] = id; });
  function focusFromHash() {
    var m = /^#node=(.+)$/.exec(location.hash);
    if (!m) return false;
    var iri;
    try { iri = decodeURIComponent(m[1]); } catch (e) { return false; }
    if (Object.prototype.hasOwnProperty.call(byIri, iri)) {
      focusNode(byIri[iri]);
      return true;
    }
    clearSelection();
    clearPanel();
    panel.appendChild(el("p", "note", "This entity is not on this page (it is less central than the nodes drawn, or not in the graph): " + iri));
    return false;
  }
  window.addEventListener("hashchange", focusFromHash);
  focusFromHash();
  if (SERVED) $("to-query").hidden = false;
  performance.mark("kg-controls");
  window.kgExplorer = {
    data: DATA, state: state, onClick: onClick, showNode: showNode, showEdge: showEdge, focusNode: focusNode,
    search: search, applyFilters: applyFilters, resetFilters: resetFilters, clearSelection: clearSelection,
    focusFromHash: focusFromHash,
  };
})();
