/* kg query page: questions as forms, a SPARQL editor, results as a sortable table.
 *
 * Everything that comes from the graph or the user (names, sentences, IRIs,
 * query text, error messages) is inserted with textContent, never as HTML.
 * The page talks to its own server only: api/query, api/complete, api/entity.
 * window.kgWorkbench exposes the page's actions for scripts and tests.
 */
(function () {
  "use strict";
  const CONFIG = JSON.parse(document.getElementById("kg-workbench").textContent);
  const $ = (id) => document.getElementById(id);
  const COLOUR = Object.fromEntries(CONFIG.classes);
  const QUERIES = Object.fromEntries(CONFIG.queries.map((q) => [q.name, q]));
  const RECENT_KEY = "kg.query.recent";
  const PAGE_ROWS = 500;
  const state = { last: null, result: null, title: "", sort: null, shown: 0, error: null, running: false };

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function explorerHref(iri) { return "./#node=" + encodeURIComponent(iri); }
  function safeUrl(u) { return /^https?:\/\//i.test(u || "") ? u : ""; }
  function dot(cls) {
    const d = el("span", "dot");
    d.style.backgroundColor = COLOUR[cls] || "#8a8a8a";
    return d;
  }
  function badge(cls) {
    const b = el("span", "badge", cls);
    b.style.backgroundColor = COLOUR[cls] || "#8a8a8a";
    return b;
  }

  // ---- SPARQL tokens (highlighting) ---------------------------------------------------------------
  const KEYWORDS = new Set(("BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK DISTINCT REDUCED AS FROM NAMED WHERE ORDER BY " +
    "ASC DESC LIMIT OFFSET GROUP HAVING VALUES UNDEF OPTIONAL GRAPH SERVICE SILENT MINUS UNION FILTER BIND NOT " +
    "EXISTS IN A TRUE FALSE SEPARATOR").split(" "));
  const FUNCTIONS = new Set(("STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT " +
    "STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES " +
    "SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI " +
    "ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT").split(" "));
  const TOKEN = new RegExp([
    "(\\s+)",
    "(#[^\\n]*)",
    "('''[\\s\\S]*?(?:'''|$)|\"\"\"[\\s\\S]*?(?:\"\"\"|$)|'(?:[^'\\\\\\n]|\\\\.)*'?|\"(?:[^\"\\\\\\n]|\\\\.)*\"?)",
    "(<[^<>\"{}|^`\\\\\\s]*>)",
    "([?$][\\p{L}\\p{N}_\\u00B7\\u0300-\\u036F\\u203F-\\u2040]+)",
    "((?:\\p{L}[\\p{L}\\p{N}_.\\-]*)?:(?:[\\p{L}\\p{N}_:%.\\-]|\\\\.)*|_:[\\p{L}\\p{N}_.\\-]+)",
    "(@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",
    "([+-]?(?:\\d+(?:\\.\\d*)?(?:[eE][+-]?\\d+)?|\\.\\d+(?:[eE][+-]?\\d+)?))",
    "([\\p{L}_][\\p{L}\\p{N}_]*)",
    "([\\s\\S])",
  ].join("|"), "gu");
  const KINDS = ["ws", "comment", "str", "iri", "var", "pname", "lang", "num", "word", "punct"];
  function tokenize(text) {
    const out = [];
    TOKEN.lastIndex = 0;
    let m;
    while ((m = TOKEN.exec(text)) !== null) {
      let kind = "punct";
      for (let k = 1; k <= KINDS.length; k++) if (m[k] !== undefined) { kind = KINDS[k - 1]; break; }
      if (kind === "word") {
        const up = m[0].toUpperCase();
        kind = KEYWORDS.has(up) ? (up === "TRUE" || up === "FALSE" ? "lit" : "kw") : FUNCTIONS.has(up) ? "fn" : "word";
      }
      out.push([m.index, m.index + m[0].length, kind]);
    }
    return out;
  }

  // ---- the editor ----------------------------------------------------------------------------------
  const editor = $("sparql"), highlight = $("highlight"), gutter = $("gutter");
  let escapeTab = false;
  function renderEditor() {
    const text = editor.value;
    const frag = document.createDocumentFragment();
    const err = state.error;
    for (const [start, end, kind] of tokenize(text)) {
      const cls = kind === "ws" || kind === "word" ? "" : "t-" + kind;
      if (err && start < err[1] && end > err[0]) {
        const a = Math.max(start, err[0]), b = Math.min(end, err[1]);
        if (a > start) frag.appendChild(el("span", cls, text.slice(start, a)));
        frag.appendChild(el("span", (cls + " t-err").trim(), text.slice(a, b)));
        if (end > b) frag.appendChild(el("span", cls, text.slice(b, end)));
      } else if (cls) {
        frag.appendChild(el("span", cls, text.slice(start, end)));
      } else {
        frag.appendChild(document.createTextNode(text.slice(start, end)));
      }
    }
    if (err && err[0] >= text.length) frag.appendChild(el("span", "t-err t-err-end", " "));
    frag.appendChild(document.createTextNode("\n "));
    clear(highlight);
    highlight.appendChild(frag);
    const lines = text.split("\n").length;
    const bad = err ? text.slice(0, err[0]).split("\n").length : 0;
    clear(gutter);
    for (let i = 1; i <= lines; i++) {
      if (i === bad) gutter.appendChild(el("span", "bad", i + "\n"));
      else gutter.appendChild(document.createTextNode(i + "\n"));
    }
    syncScroll();
  }
  function syncScroll() {
    highlight.scrollTop = editor.scrollTop;
    highlight.scrollLeft = editor.scrollLeft;
    gutter.scrollTop = editor.scrollTop;
  }
  function setQuery(text) {
    editor.value = text;
    state.error = null;
    renderEditor();
  }
  editor.addEventListener("input", () => { state.error = null; renderEditor(); });
  editor.addEventListener("scroll", syncScroll);
  editor.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      runEditor();
    } else if (ev.key === "Escape") {
      escapeTab = true;
    } else if (ev.key === "Tab" && !escapeTab && !ev.shiftKey && !ev.altKey && !ev.ctrlKey) {
      ev.preventDefault();
      const s = editor.selectionStart, e = editor.selectionEnd;
      editor.setRangeText("  ", s, e, "end");
      state.error = null;
      renderEditor();
    } else {
      escapeTab = false;
    }
  });
  if (typeof ResizeObserver === "function") new ResizeObserver(syncScroll).observe(editor);

  // ---- parameters of the editor --------------------------------------------------------------------
  function addParamRow(name, value) {
    const li = el("li"), n = el("input", "name"), v = el("input", "value"), rm = el("button", "link", "remove");
    n.type = v.type = "text";
    n.placeholder = "name";
    v.placeholder = "value, or <IRI>";
    n.setAttribute("aria-label", "parameter name");
    v.setAttribute("aria-label", "parameter value");
    n.spellcheck = v.spellcheck = false;
    n.value = name || "";
    v.value = value || "";
    rm.type = "button";
    rm.addEventListener("click", () => li.remove());
    for (const input of [n, v]) {
      input.addEventListener("keydown", (ev) => {
        if (ev.key === "Enter") { ev.preventDefault(); runEditor(); }
      });
    }
    li.append(n, el("span", "", "="), v, rm);
    $("param-rows").appendChild(li);
    return li;
  }
  function editorParams() {
    const out = {};
    for (const li of $("param-rows").children) {
      const [n, v] = li.querySelectorAll("input");
      const name = n.value.trim().replace(/^[?$]/, "");
      if (name && v.value !== "") out[name] = v.value;
    }
    return out;
  }
  function setEditorParams(params) {
    clear($("param-rows"));
    for (const [k, v] of Object.entries(params || {})) addParamRow(k, v);
  }
  $("add-param").addEventListener("click", () => addParamRow("", "").querySelector("input").focus());

  // ---- completion ----------------------------------------------------------------------------------
  let suggestId = 0;
  function completion(input, kinds) {
    const list = el("ul", "suggest");
    list.id = "suggest-" + (++suggestId);
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.autocomplete = "off";
    let items = [], active = -1, timer = 0, controller = null;
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function choose(k) {
      input.value = items[k].value;
      input.removeAttribute("aria-invalid");
      close();
    }
    function highlightItem(k) {
      active = k;
      [...list.children].forEach((li, i) => li.setAttribute("aria-selected", i === k ? "true" : "false"));
      if (k >= 0) input.setAttribute("aria-activedescendant", list.children[k].id);
    }
    function show(found) {
      items = found;
      clear(list);
      found.forEach((item, k) => {
        const li = el("li");
        li.id = list.id + "-" + k;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        if (item.class && item.class !== "Class" && item.class !== "Document") li.appendChild(dot(item.class));
        li.appendChild(el("span", "label", item.label));
        if (item.match && item.match !== item.label) li.appendChild(el("span", "alias", " · " + item.match));
        if (item.class === "Document") li.appendChild(el("span", "alias", " · " + item.value + (item.date ? " · " + item.date : "")));
        if (item.documents) li.appendChild(el("span", "count", item.documents + (item.documents === 1 ? " doc" : " docs")));
        li.addEventListener("mousedown", (ev) => { ev.preventDefault(); choose(k); });
        list.appendChild(li);
      });
      list.hidden = !found.length || document.activeElement !== input;
      input.setAttribute("aria-expanded", list.hidden ? "false" : "true");
      active = -1;
    }
    function fetchSuggestions() {
      if (controller) controller.abort();
      controller = new AbortController();
      const asked = input.value;
      const q = new URLSearchParams({ q: asked, limit: "10" });
      kinds.forEach((k) => q.append("kind", k));
      fetch("api/complete?" + q.toString(), { signal: controller.signal })
        .then((r) => (r.ok ? r.json() : { items: [] }))
        .then((data) => { if (input.value === asked) show(data.items || []); })
        .catch(() => {});
    }
    input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(fetchSuggestions, 120); });
    input.addEventListener("focus", () => { if (!input.value) { clearTimeout(timer); timer = setTimeout(fetchSuggestions, 50); } });
    input.addEventListener("blur", () => setTimeout(close, 100));
    input.addEventListener("keydown", (ev) => {
      if (list.hidden || !items.length) return;
      if (ev.key === "ArrowDown") { ev.preventDefault(); highlightItem((active + 1) % items.length); }
      else if (ev.key === "ArrowUp") { ev.preventDefault(); highlightItem((active - 1 + items.length) % items.length); }
      else if (ev.key === "Enter" && active >= 0) { ev.preventDefault(); choose(active); }
      else if (ev.key === "Escape") { ev.preventDefault(); close(); }
    });
    return list;
  }

  // ---- questions as forms --------------------------------------------------------------------------
  const forms = {};
  function example(p) {
    const m = /\(e\.g\.\s*([^)]+)\)/.exec(p.description);
    return m ? m[1].trim() : p.name;
  }
  function fieldFor(spec, p) {
    const wrap = el("span", "field");
    let input;
    if (p.kinds.indexOf("Class") >= 0) {
      input = el("select");
      const any = el("option", "", p.required ? "choose…" : anyOf(p));
      any.value = "";
      input.appendChild(any);
      CONFIG.classes.forEach(([c]) => { const o = el("option", "", c); o.value = c; input.appendChild(o); });
      wrap.appendChild(input);
    } else {
      input = el("input");
      input.type = "text";
      input.spellcheck = false;
      input.placeholder = p.required ? example(p) : anyOf(p);
      wrap.appendChild(input);
      wrap.appendChild(completion(input, p.kinds));
    }
    input.name = p.name;
    input.required = !!p.required;
    input.setAttribute("aria-label", p.name + ": " + p.description + (p.required ? "" : " (optional)"));
    input.title = p.description + (p.required ? "" : " (optional)");
    return wrap;
  }
  function buildQuestions() {
    const box = $("questions");
    CONFIG.queries.forEach((spec) => {
      const form = el("form", "question");
      form.setAttribute("data-name", spec.name);
      form.noValidate = true;
      const q = el("p", "q");
      const used = new Set();
      spec.question.split(/(\{[A-Za-z_][A-Za-z0-9_]*\})/).forEach((part) => {
        const m = /^\{(\w+)\}$/.exec(part);
        const p = m && spec.params.find((x) => x.name === m[1]);
        if (p) { q.appendChild(fieldFor(spec, p)); used.add(p.name); }
        else if (part) q.appendChild(document.createTextNode(part));
      });
      form.appendChild(q);
      spec.params.filter((p) => !used.has(p.name)).forEach((p) => {
        const label = el("label", "extra", p.description + (p.required ? ": " : " (optional): "));
        label.appendChild(fieldFor(spec, p));
        form.appendChild(label);
      });
      form.appendChild(el("p", "desc", spec.description));
      const actions = el("div", "actions"), ask = el("button", "primary", "Ask"), edit = el("button", "link", "Open in the editor");
      ask.type = "submit";
      edit.type = "button";
      actions.append(ask, edit);
      form.appendChild(actions);
      form.addEventListener("submit", (ev) => { ev.preventDefault(); askQuestion(spec.name); });
      edit.addEventListener("click", () => loadIntoEditor(spec.name, formValues(spec.name)));
      box.appendChild(form);
      forms[spec.name] = form;
      const opt = el("option", "", spec.question.replace(/\{(\w+)\}/g, "…"));
      opt.value = spec.name;
      $("load").appendChild(opt);
    });
  }
  function formValues(name) {
    const out = {};
    forms[name].querySelectorAll("input[name], select[name]").forEach((input) => {
      if (input.value.trim() !== "") out[input.name] = input.value.trim();
    });
    return out;
  }
  function setFormValues(name, values) {
    forms[name].querySelectorAll("input[name], select[name]").forEach((input) => {
      if (Object.prototype.hasOwnProperty.call(values, input.name)) input.value = values[input.name];
    });
  }
  function anyOf(p) {
    if (!p) return "any";
    if (p.kinds.indexOf("Class") >= 0) return "every class";
    if (p.kinds.indexOf("Person") >= 0) return "anyone";
    if (p.kinds.indexOf("Organization") >= 0) return "any organisation";
    if (p.kinds.indexOf("Document") >= 0) return "any document";
    return "any";
  }
  function questionText(name, values) {
    const spec = QUERIES[name];
    return spec.question.replace(/\{(\w+)\}/g, (_, p) => (values[p] ? "“" + values[p] + "”" : anyOf(spec.params.find((x) => x.name === p))));
  }
  function askQuestion(name) {
    const form = forms[name];
    let missing = null;
    form.querySelectorAll("input[name], select[name]").forEach((input) => {
      const empty = input.required && input.value.trim() === "";
      if (empty) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
      if (empty && !missing) missing = input;
    });
    if (missing) {
      showError({ error: "Fill in " + missing.name + " first: " + QUERIES[name].params.find((p) => p.name === missing.name).description });
      missing.focus();
      return Promise.resolve(false);
    }
    const values = formValues(name);
    return run({ name: name, params: values }, questionText(name, values));
  }
  function loadIntoEditor(name, values) {
    const spec = QUERIES[name];
    setQuery(spec.sparql);
    const params = {};
    spec.params.forEach((p) => { if (values[p.name]) params[p.name] = values[p.name]; else if (p.required) params[p.name] = ""; });
    setEditorParams(params);
    editor.focus();
    editor.setSelectionRange(0, 0);
    editor.scrollTop = 0;
    syncScroll();
  }
  $("load").addEventListener("change", () => {
    const name = $("load").value;
    if (name) loadIntoEditor(name, formValues(name));
    $("load").value = "";
  });

  // ---- running -------------------------------------------------------------------------------------
  function runEditor() {
    const text = editor.value;
    if (!text.trim()) { showError({ error: "The query is empty: write one, or start from a question." }); return Promise.resolve(false); }
    const params = editorParams();
    const first = text.split("\n").map((l) => l.trim()).find((l) => l && !l.startsWith("#") && !/^PREFIX\s/i.test(l)) || "SPARQL query";
    return run({ query: text, params: params }, first.length > 90 ? first.slice(0, 90) + "…" : first);
  }
  function setRunning(on) {
    state.running = on;
    document.querySelectorAll("#run, form.question button[type=submit]").forEach((b) => { b.disabled = on; });
    document.body.setAttribute("data-running", on ? "1" : "0");
  }
  async function run(request, title) {
    setRunning(true);
    $("status").textContent = "Running…";
    $("error").hidden = true;
    const started = performance.now();
    let response, body;
    try {
      response = await fetch("api/query", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(request),
      });
      body = await response.json().catch(() => ({ error: "The server answered " + response.status + " without an explanation." }));
    } catch (e) {
      setRunning(false);
      showError({ error: "The server cannot be reached (is kg serve still running?): " + e.message });
      return false;
    }
    setRunning(false);
    if (!response.ok) {
      showError(body, request);
      return false;
    }
    state.last = request;
    state.title = title;
    updateUrl(request);
    remember(request, title);
    showResult(body, title, performance.now() - started);
    return true;
  }

  // ---- errors --------------------------------------------------------------------------------------
  function offsetOf(text, line, column) {
    const lines = text.split("\n");
    let at = 0;
    for (let i = 0; i < Math.min(line - 1, lines.length); i++) at += lines[i].length + 1;
    const here = lines[Math.min(line - 1, lines.length - 1)] || "";
    return at + Array.from(here).slice(0, Math.max(0, column - 1)).join("").length;
  }
  function showError(body, request) {
    const box = $("error");
    clear(box);
    clear($("results"));
    state.result = null;
    $("result-title").textContent = "Results";
    ["share", "download-csv", "download-json"].forEach((id) => { $(id).hidden = true; });
    box.appendChild(el("span", "", body.error || "Something went wrong."));
    $("status").textContent = body.kind === "timeout" ? "Stopped." : "No answer.";
    document.body.setAttribute("data-error", body.kind || "error");
    if (body.kind === "syntax" && request && request.query !== undefined && body.line) {
      const start = offsetOf(request.query, body.line, body.column);
      const rest = request.query.slice(start);
      const word = /^[^\s{}().,;]+/.exec(rest);
      state.error = [start, start + (word ? word[0].length : Math.min(1, rest.length))];
      renderEditor();
      const go = el("button", "", "Show in the editor");
      go.type = "button";
      go.addEventListener("click", () => {
        editor.focus();
        editor.setSelectionRange(state.error[0], state.error[1]);
      });
      box.appendChild(go);
    }
    if (body.kind === "parameter" && body.param && request && request.name) {
      const input = forms[request.name].querySelector("[name='" + CSS.escape(body.param) + "']");
      if (input) input.setAttribute("aria-invalid", "true");
    }
    if (body.kind === "parameter" && body.param && request && request.query !== undefined) {
      const row = [...$("param-rows").children].find((li) => li.querySelector("input").value.trim().replace(/^[?$]/, "") === body.param);
      if (row && /has no variable/.test(body.error || "")) {
        const drop = el("button", "", "Remove the parameter " + body.param + " and run again");
        drop.type = "button";
        drop.addEventListener("click", () => { row.remove(); runEditor(); });
        box.appendChild(drop);
      }
    }
    box.hidden = false;
  }

  // ---- results -------------------------------------------------------------------------------------
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const NUMERIC = new Set(["integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort",
    "unsignedByte"].map((t) => XSD + t));
  const PREFIXES = CONFIG.prefixes.slice().sort((a, b) => b[1].length - a[1].length);
  function compact(iri) {
    for (const [p, ns] of PREFIXES) if (iri.startsWith(ns) && iri.length > ns.length) return p + ":" + iri.slice(ns.length);
    return iri;
  }
  function groupDigits(text) {
    if (/e/i.test(text) || !/^[+-]?\d+(\.\d+)?$/.test(text)) {
      const n = Number(text);
      return Number.isFinite(n) ? n.toLocaleString("en", { maximumFractionDigits: 6 }) : text;
    }
    const parts = text.replace(/^\+/, "").split(".");
    const whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    const frac = (parts[1] || "").replace(/0+$/, "");
    return frac ? whole + "." + frac : whole;
  }
  function isNumber(term) { return term && term.type === "literal" && NUMERIC.has(term.datatype || ""); }
  function companions(vars) {
    const link = {}, hidden = new Set();
    vars.forEach((v) => {
      if (!v.endsWith("_iri")) return;
      const base = v.slice(0, -4);
      const target = vars.indexOf(base) >= 0 ? base : vars.indexOf(base + "_name") >= 0 ? base + "_name" : null;
      if (target) { link[target] = v; hidden.add(v); }
    });
    return { link, hidden };
  }
  function displayText(row, v, link) {
    const term = row[v], target = link[v] && row[link[v]];
    const iri = target && target.type === "uri" ? target.value : term && term.type === "uri" ? term.value : null;
    const res = state.result;
    if (term && term.type === "literal") return term.value;
    if (iri && res.entities[iri]) return res.entities[iri].l;
    if (iri && res.documents[iri]) return res.documents[iri].t || res.documents[iri].i;
    if (term) return term.type === "uri" ? compact(term.value) : "_:" + term.value;
    return "";
  }
  function renderCell(row, v, link) {
    const td = el("td"), term = row[v], target = link[v] && row[link[v]];
    const iri = target && target.type === "uri" ? target.value : term && term.type === "uri" ? term.value : null;
    const res = state.result;
    if (!term && !target) return td;
    if (iri && res.entities[iri]) {
      const ent = res.entities[iri], a = el("a", "entity");
      a.href = explorerHref(iri);
      a.title = ent.c + " · " + iri + " · open in the explorer";
      a.setAttribute("data-iri", iri);
      a.appendChild(dot(ent.c));
      a.appendChild(document.createTextNode(term && term.type === "literal" ? term.value : ent.l));
      td.appendChild(a);
      return td;
    }
    if (iri && res.documents[iri]) {
      const doc = res.documents[iri], span = el("span", "doc");
      span.appendChild(el("span", "id", term && term.type === "literal" ? term.value : doc.i));
      const about = [doc.t, doc.d].filter(Boolean).join(" · ");
      if (about) span.appendChild(el("span", "title", about));
      const url = safeUrl(doc.u);
      if (url) {
        const a = el("a", "", "source");
        a.href = url; a.target = "_blank"; a.rel = "noopener noreferrer";
        span.appendChild(a);
      }
      span.title = iri;
      td.appendChild(span);
      return td;
    }
    if (!term) return td;
    if (term.type === "uri") {
      td.appendChild(el("span", "iri", compact(term.value)));
      td.title = term.value;
    } else if (term.type === "bnode") {
      td.appendChild(el("span", "iri", "_:" + term.value));
    } else if (isNumber(term)) {
      td.className = "num";
      td.textContent = groupDigits(term.value);
      td.title = term.value;
    } else {
      const long = term.value.length > 80;
      if (long) td.className = "text";
      td.appendChild(el("span", long && /sentence|quote|text/i.test(v) ? "quote" : "", term.value));
      if (term["xml:lang"]) td.appendChild(el("span", "lang", "@" + term["xml:lang"]));
      else if (term.datatype && term.datatype !== XSD + "string") td.title = compact(term.datatype);
    }
    return td;
  }
  function sortKey(rows, v, link) {
    const numeric = rows.every((r) => !r[v] || isNumber(r[v]));
    return (row) => {
      if (!row[v] && !(link[v] && row[link[v]])) return numeric ? -Infinity : "";
      return numeric ? Number(row[v].value) : displayText(row, v, link).toLocaleLowerCase();
    };
  }
  function sortBy(v) {
    const res = state.result;
    const dir = state.sort && state.sort[0] === v && state.sort[1] === 1 ? -1 : 1;
    state.sort = [v, dir];
    const { link } = companions(res.head.vars);
    const key = sortKey(res.rows, v, link);
    const keyed = res.rows.map((row, i) => [key(row), i, row]);
    const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });
    keyed.sort((a, b) => {
      let c = typeof a[0] === "number" && typeof b[0] === "number" ? a[0] - b[0] : collator.compare(String(a[0]), String(b[0]));
      return c * dir || a[1] - b[1];
    });
    res.rows = keyed.map((k) => k[2]);
    renderTable();
  }
  function renderTable() {
    const res = state.result, box = $("results");
    clear(box);
    const { link, hidden } = companions(res.head.vars);
    const vars = res.head.vars.filter((v) => !hidden.has(v));
    const table = el("table", "results"), thead = el("thead"), tr = el("tr");
    vars.forEach((v) => {
      const th = el("th"), b = el("button", "", v);
      b.type = "button";
      b.title = "Sort by " + v;
      b.addEventListener("click", () => sortBy(v));
      th.setAttribute("scope", "col");
      th.setAttribute("aria-sort", state.sort && state.sort[0] === v ? (state.sort[1] > 0 ? "ascending" : "descending") : "none");
      th.appendChild(b);
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    table.appendChild(thead);
    const tbody = el("tbody");
    table.appendChild(tbody);
    box.appendChild(table);
    state.shown = 0;
    function more() {
      const end = Math.min(res.rows.length, state.shown + PAGE_ROWS);
      const frag = document.createDocumentFragment();
      for (let i = state.shown; i < end; i++) {
        const row = el("tr");
        vars.forEach((v) => row.appendChild(renderCell(res.rows[i], v, link)));
        frag.appendChild(row);
      }
      tbody.appendChild(frag);
      state.shown = end;
      const old = box.querySelector(".more");
      if (old) old.remove();
      if (state.shown < res.rows.length) {
        const b = el("button", "more", "Show " + Math.min(PAGE_ROWS, res.rows.length - state.shown).toLocaleString("en") +
          " more rows (" + (res.rows.length - state.shown).toLocaleString("en") + " not shown)");
        b.type = "button";
        b.addEventListener("click", more);
        box.appendChild(b);
      }
    }
    more();
  }
  function showResult(body, title, ms) {
    body.entities = body.entities || {};
    body.documents = body.documents || {};
    body.rows = body.results ? body.results.bindings : [];
    state.result = body;
    state.sort = null;
    $("result-title").textContent = title;
    document.body.removeAttribute("data-error");
    ["share", "download-csv", "download-json"].forEach((id) => { $(id).hidden = false; });
    const seconds = (ms / 1000).toLocaleString("en", { maximumFractionDigits: 2 });
    if (body.type === "ASK") {
      clear($("results"));
      $("results").appendChild(el("p", "answer", body.boolean ? "Yes" : "No"));
      $("status").textContent = "ASK: " + (body.boolean ? "true" : "false") + " · " + seconds + " s";
      return;
    }
    const n = body.total, what = body.type === "SELECT" ? "row" : "triple";
    let status = n.toLocaleString("en") + " " + what + (n === 1 ? "" : "s") + " · " + seconds + " s";
    if (body.truncated) status += " · the first " + body.rows.length.toLocaleString("en") + " are shown and downloadable (add LIMIT / OFFSET, or use kg query for all)";
    $("status").textContent = status;
    if (!n) { clear($("results")); $("results").appendChild(el("p", "note", "No answer: nothing in the graph matches.")); return; }
    renderTable();
    document.body.setAttribute("data-rows", String(n));
  }

  // ---- downloads, link, recent ---------------------------------------------------------------------
  function csvField(s) { return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; }
  function toCsv(res) {
    if (res.type === "ASK") return (res.boolean ? "true" : "false") + "\r\n";
    const vars = res.head.vars, lines = [vars.map(csvField).join(",")];
    res.results.bindings.forEach((row) => {
      lines.push(vars.map((v) => (row[v] ? csvField(row[v].type === "bnode" ? "_:" + row[v].value : row[v].value) : "")).join(","));
    });
    return lines.join("\r\n") + "\r\n";
  }
  function toJson(res) {
    const doc = res.type === "ASK" ? { head: {}, boolean: res.boolean } : { head: res.head, results: { bindings: res.results.bindings } };
    return JSON.stringify(doc, null, 1) + "\n";
  }
  function fileName(ext) {
    const base = state.last && state.last.name ? state.last.name : "query";
    return "kg-" + base + "-" + new Date().toISOString().slice(0, 10) + "." + ext;
  }
  function download(text, type, ext) {
    const url = URL.createObjectURL(new Blob([text], { type: type }));
    const a = el("a");
    a.href = url;
    a.download = fileName(ext);
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }
  $("download-csv").addEventListener("click", () => download(toCsv(state.result), "text/csv;charset=utf-8", "csv"));
  $("download-json").addEventListener("click", () => download(toJson(state.result), "application/sparql-results+json", "json"));
  function searchOf(request) {
    const q = new URLSearchParams();
    if (request.name) q.set("name", request.name);
    else q.set("query", request.query);
    for (const [k, v] of Object.entries(request.params || {})) q.set("p." + k, v);
    return q.toString();
  }
  function updateUrl(request) {
    history.replaceState(null, "", location.pathname + "?" + searchOf(request));
  }
  function showLink(url) {  // when the clipboard is not available: the link, selected, to copy by hand
    const old = document.getElementById("link-box");
    if (old) old.remove();
    const box = el("input");
    box.id = "link-box";
    box.readOnly = true;
    box.value = url;
    box.size = Math.min(80, url.length);
    box.setAttribute("aria-label", "Link to this question");
    $("status").appendChild(document.createTextNode(" "));
    $("status").appendChild(box);
    box.focus();
    box.select();
  }
  $("share").addEventListener("click", () => {
    const url = location.href;
    const done = () => { $("share").textContent = "Link copied"; setTimeout(() => { $("share").textContent = "Copy link"; }, 1500); };
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(url).then(done, () => showLink(url));
    else showLink(url);
  });
  function readRecent() {
    try {
      const list = JSON.parse(localStorage.getItem(RECENT_KEY) || "[]");
      return Array.isArray(list) ? list.filter((x) => x && typeof x.t === "string" && typeof x.q === "string") : [];
    } catch (e) { return []; }
  }
  function remember(request, title) {
    const q = searchOf(request);
    const list = [{ t: title, q: q, at: Date.now() }].concat(readRecent().filter((x) => x.q !== q)).slice(0, 20);
    try { localStorage.setItem(RECENT_KEY, JSON.stringify(list)); } catch (e) { /* storage full or disabled */ }
    renderRecent();
  }
  function ago(ms) {
    const s = Math.max(0, (Date.now() - ms) / 1000);
    if (s < 60) return "just now";
    if (s < 3600) return Math.round(s / 60) + " min ago";
    if (s < 86400) return Math.round(s / 3600) + " h ago";
    return new Date(ms).toISOString().slice(0, 10);
  }
  function renderRecent() {
    const list = readRecent(), box = $("recent");
    clear(box);
    list.forEach((item) => {
      const li = el("li"), a = el("a", "", item.t);
      a.href = location.pathname + "?" + item.q;
      li.appendChild(a);
      if (item.at) li.appendChild(el("span", "when", ago(item.at)));
      box.appendChild(li);
    });
    if (!list.length) box.appendChild(el("li", "note", "Queries you run are kept here, in this browser only."));
    $("clear-recent").hidden = !list.length;
  }
  $("clear-recent").addEventListener("click", () => {
    try { localStorage.removeItem(RECENT_KEY); } catch (e) { /* disabled */ }
    renderRecent();
  });

  // ---- about an entity -----------------------------------------------------------------------------
  async function showAbout(iri) {
    let ent = null;
    try {
      const r = await fetch("api/entity?" + new URLSearchParams({ iri: iri }).toString());
      if (r.ok) ent = await r.json();
    } catch (e) { ent = null; }
    const box = $("about");
    clear(box);
    box.hidden = false;
    if (!ent) {
      box.appendChild(el("p", "", "This entity is not in the graph: " + iri));
      return;
    }
    const h = el("h2", "", "Questions about " + ent.label + " ");
    h.appendChild(badge(ent.class));
    box.appendChild(h);
    if (ent.names.length > 1) box.appendChild(el("p", "note", "Also named: " + ent.names.slice(1).join(" · ")));
    const links = el("p", "note"), a = el("a", "", "Show it in the explorer");
    a.href = explorerHref(iri);
    links.appendChild(a);
    box.appendChild(links);
    const relevant = [];
    CONFIG.queries.forEach((spec) => {
      const fits = spec.params.filter((p) => p.kinds.indexOf(ent.class) >= 0);
      if (!fits.length) return;
      const values = {};
      fits.forEach((p) => { values[p.name] = ent.label; });
      setFormValues(spec.name, values);
      forms[spec.name].classList.add("relevant");
      relevant.push(forms[spec.name]);
    });
    const list = $("questions");
    relevant.reverse().forEach((form) => list.insertBefore(form, list.firstChild));
    if (!relevant.length) box.appendChild(el("p", "note", "No question takes a " + ent.class + "; the editor below lists what the graph says about it."));
    setQuery("# What the graph says about " + ent.label.replace(/[\r\n]+/g, " ") +
      "\nSELECT ?property ?value WHERE {\n  ?entity ?property ?value\n}\nORDER BY ?property ?value\n");
    setEditorParams({ entity: "<" + iri + ">" });
  }

  // ---- start ---------------------------------------------------------------------------------------
  function showLimits() {
    const l = CONFIG.limits, parts = [];
    if (l.store) parts.push(l.store === "oxigraph" ? "Oxigraph store" : "in-memory store");
    parts.push("read-only");
    parts.push(l.timeout ? "queries stop after " + l.timeout + " s" : "no time limit");
    if (!l.network) parts.push("no SERVICE");
    $("limits").textContent = parts.join(" · ");
  }
  function showPrefixes() {
    const dl = $("prefix-list");
    CONFIG.prefixes.forEach(([p, ns]) => { dl.appendChild(el("dt", "", p + ":")); dl.appendChild(el("dd", "", ns)); });
  }
  $("run").addEventListener("click", runEditor);
  buildQuestions();
  showLimits();
  showPrefixes();
  renderRecent();
  setQuery("SELECT ?entity ?name WHERE {\n  ?entity a kg:Organization ; rdfs:label ?name .\n  FILTER(CONTAINS(LCASE(STR(?name)), LCASE(?text)))\n}\nORDER BY ?name\nLIMIT 20\n");
  setEditorParams({ text: "micro" });
  const url = new URLSearchParams(location.search);
  const given = {};
  for (const [k, v] of url) if (k.startsWith("p.")) given[k.slice(2)] = v;
  let started = Promise.resolve(null);
  if (url.get("name") && QUERIES[url.get("name")]) {
    setFormValues(url.get("name"), given);
    forms[url.get("name")].classList.add("relevant");
    started = askQuestion(url.get("name"));
  } else if (url.get("query") !== null) {
    setQuery(url.get("query"));
    setEditorParams(given);
    started = runEditor();
  } else if (url.get("about")) {
    started = showAbout(url.get("about"));
  }
  started.finally(() => document.body.setAttribute("data-ready", "1"));
  window.kgWorkbench = {
    config: CONFIG, state: state, run: run, runEditor: runEditor, askQuestion: askQuestion, setQuery: setQuery,
    setEditorParams: setEditorParams, loadIntoEditor: loadIntoEditor, tokenize: tokenize, toCsv: toCsv, sortBy: sortBy,
  };
})();
