// oreflow's dashboard. Plain JavaScript over the JSON API (docs/api.md);
// the libraries (ECharts, CodeMirror, smol-toml) come from /assets/vendor.js
// as `window.OF`. Panels are registered with `registerPanel`, so another one
// (e.g. news) can be added without touching the others.
"use strict";
(() => {
const { echarts, cm, toml } = window.OF;
const $ = (sel, root = document) => root.querySelector(sel);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids.flat()) if (k !== null && k !== undefined) e.append(k instanceof Node ? k : String(k));
  return e;
};
const fmt = (x, d) => {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  const a = Math.abs(x);
  if (d !== undefined) return x.toLocaleString("en", { maximumFractionDigits: d, minimumFractionDigits: d });
  if (a >= 1e9) return (x / 1e9).toLocaleString("en", { maximumFractionDigits: 2 }) + " bn";
  if (a >= 1e6) return (x / 1e6).toLocaleString("en", { maximumFractionDigits: 1 }) + " M";
  if (a >= 100) return x.toLocaleString("en", { maximumFractionDigits: 0 });
  return x.toLocaleString("en", { maximumFractionDigits: 2 });
};
const pct = (x, d = 1) => (x === null || x === undefined ? "–" : (x > 0 ? "+" : "") + x.toFixed(d) + " %");

// ---------------------------------------------------------------- API
async function api(path, opts = {}) {
  const r = await fetch(path, opts);
  const text = await r.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = { message: text }; }
  if (!r.ok) {
    const e = new Error((body && body.message) || r.statusText);
    e.status = r.status; e.body = body; e.retryAfter = r.headers.get("retry-after");
    throw e;
  }
  return body;
}
const postJSON = (path, data) => api(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(data) });
const rows = (t) => t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c, r[i]])));

// ---------------------------------------------------------------- state
const S = {
  vocab: null, shipped: [], text: "", obj: {}, run: null, base: null, compare: null,
  fingerprint: null, regionNames: {},
};
const status = (msg, bad = false) => { const s = $("#status"); s.textContent = msg; s.classList.toggle("bad", bad); };

// ---------------------------------------------------------------- panels
const panels = [];
function registerPanel(p) {
  panels.push(p);
  const tab = el("button", { role: "tab", id: "tab-" + p.id, "aria-controls": "panel-" + p.id, type: "button", onclick: () => showPanel(p.id) }, p.title);
  $("#tabs").append(tab);
  const box = el("div", { class: "panel hidden", id: "panel-" + p.id, role: "tabpanel", "aria-labelledby": "tab-" + p.id });
  $("#panels").append(box);
  p.root = box;
  p.init && p.init(box);
}
function showPanel(id) {
  for (const p of panels) {
    const on = p.id === id;
    $("#tab-" + p.id).setAttribute("aria-selected", on);
    p.root.classList.toggle("hidden", !on);
    if (on && p.show) p.show();
  }
  for (const c of charts) if (c.dom.offsetParent) c.inst.resize();
}
window.oreflow = { registerPanel, showPanel, api, state: S };

// ---------------------------------------------------------------- charts
const charts = [];
const PALETTE = ["#c0392b", "#1f5fa8", "#2a7d2e", "#c25400", "#6b4c9a", "#008b8b", "#8a2f6e", "#7a6a00", "#555555", "#d4679b", "#3d8fd1", "#99582a"];
const SYMBOLS = ["circle", "rect", "diamond", "triangle", "roundRect", "pin", "arrow"];

/// A chart box: title, caption with units, controls, the chart, a data table and a CSV download.
function chartBox(parent, { id, title, caption, controls = [], tall = false }) {
  const dom = el("div", { class: "chart" + (tall ? " tall" : ""), id: "chart-" + id, role: "img", "aria-label": title });
  const table = el("details", { id: "table-" + id }, el("summary", {}, "Data table"));
  const csv = el("button", { type: "button", class: "csv", id: "csv-" + id }, "CSV");
  const box = el("div", { class: "chart-box", id: "box-" + id },
    el("h3", {}, title), el("p", { class: "caption" }, caption),
    el("div", { class: "controls" }, ...controls, csv), dom, table);
  parent.append(box);
  const inst = echarts.init(dom, null, { renderer: "canvas" });
  const c = { id, dom, inst, table, data: { header: [], rows: [] }, title };
  csv.addEventListener("click", () => downloadText(id + ".csv", toCSV(c.data), "text/csv"));
  charts.push(c);
  return c;
}
function setChart(c, option, data) {
  // Patterns as well as colours on lines and bars (readable in grey); heat maps and Sankeys print their values.
  const patterned = !(option.series || []).some((x) => x.type === "heatmap" || x.type === "sankey" || x.type === "lines");
  option.aria = { enabled: true, decal: { show: patterned } };
  option.animation = false;
  option.tooltip = Object.assign({ renderMode: "richText", confine: true }, option.tooltip || {});
  c.inst.setOption(option, true);
  c.data = data;
  const t = el("table", {}, el("thead", {}, el("tr", {}, data.header.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, data.rows.map((r) => el("tr", {}, r.map((v, i) => i === 0 ? el("th", { scope: "row" }, v) : el("td", {}, typeof v === "number" ? fmt(v) : v))))));
  c.table.replaceChildren(el("summary", {}, "Data table"), t);
  if (!document.body.dataset.firstChart) {
    // Milliseconds from the start of navigation to the first chart drawn (benchmarks read it).
    document.body.dataset.firstChart = String(Math.round(performance.now()));
  }
}
function toCSV(d) {
  const q = (v) => { const s = v === null || v === undefined ? "" : String(v); return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; };
  return [d.header, ...d.rows].map((r) => r.map(q).join(",")).join("\n") + "\n";
}
function downloadText(name, text, type) {
  const a = el("a", { href: URL.createObjectURL(new Blob([text], { type })), download: name });
  document.body.append(a); a.click(); a.remove();
}
const select = (id, options, value, onchange, label) => {
  const s = el("select", { id, "aria-label": label || id, onchange: (e) => onchange(e.target.value) },
    options.map((o) => { const [v, t] = Array.isArray(o) ? o : [o, o]; return el("option", { value: v, selected: String(v) === String(value) }, t); }));
  return label ? el("label", {}, label + " ", s) : s;
};
window.addEventListener("resize", () => charts.forEach((c) => c.dom.offsetParent && c.inst.resize()));

// ---------------------------------------------------------------- the scenario: form <-> TOML
const ELEMENTS_DEFAULT = ["La", "Ce", "Pr", "Nd", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Y"];
const list = (v) => (Array.isArray(v) ? v.join(", ") : v === undefined ? "" : String(v));
const unlist = (s) => s.split(",").map((x) => x.trim()).filter(Boolean);
const pathText = (v) => (Array.isArray(v) ? v.map((p) => p.join(": ")).join(", ") : "");
const unpath = (s) => s.split(",").map((x) => x.trim()).filter(Boolean).map((p) => { const [y, v] = p.split(":").map((z) => z.trim()); return [parseInt(y, 10), parseFloat(v)]; });

// What the form shows of each part of the format (docs/scenarios.md); other keys are kept as they are.
const SECTIONS = [
  { key: "export_control", title: "Export bans, quotas and licences", fields: [
    ["origin", "region"], ["destinations", "regions", "destinations (* = all)"], ["except", "regions"], ["stages", "stages"],
    ["elements", "elements", "elements (empty = all)"], ["kind", ["ban", "quota", "licence"]], ["share", "number", "share (licence, 0–1)"],
    ["quota_t", "number", "quota (t/yr)"], ["fee_usd_per_kg", "number", "fee (USD/kg)"], ["from", "year"], ["to", "year"], ["label", "text"], ["source", "text"]],
    fresh: () => ({ origin: "CN", destinations: ["*"], stages: ["oxide"], elements: ["Dy"], kind: "licence", share: 0.5, from: 2026 }) },
  { key: "tariff", title: "Tariffs", fields: [
    ["importer", "region"], ["origins", "regions", "origins (* = all)"], ["stages", "stages"], ["elements", "elements"],
    ["rate", "number", "rate (ad valorem, 0.25 = 25 %)"], ["from", "year"], ["to", "year"], ["source", "text"]],
    fresh: () => ({ importer: "US", origins: ["CN"], stages: ["magnet"], rate: 0.25, from: 2026 }) },
  { key: "project", title: "Projects (new, expanded, delayed or closed facilities)", fields: [
    ["id", "facility", "facility id (existing or new)"], ["stage", ["", "mining", "separation", "magnet"], "stage (new only)"], ["region", "region-opt", "region (new only)"],
    ["start_year", "year"], ["delay_years", "int"], ["ramp_years", "int"], ["capacity_factor", "number"], ["capacity_t_reo", "number"],
    ["capacity_t_magnet", "number"], ["ore_type", "text"], ["cost_usd_per_kg", "number"], ["close_year", "year"], ["source", "text"]],
    fresh: () => ({ id: "tr_beylikova", start_year: 2027 }) },
  { key: "stockpile", title: "Strategic stockpiles", fields: [
    ["region", "region"], ["element", "element"], ["size_t", "number"], ["release_above_usd_per_kg", "number", "release above (USD/kg)"], ["from", "year"], ["source", "text"]],
    fresh: () => ({ region: "JP", element: "Dy", size_t: 200, release_above_usd_per_kg: 500 }) },
];
const DEMAND = [
  { key: "substitution", title: "Substitution (share of an end use's demand no longer needing rare earths)", fields: [["end_use", "end_use"], ["share", "path", "share path (year: share, …)"], ["source", "text"]],
    fresh: () => ({ end_use: "ev_traction", share: [[2024, 0], [2035, 0.2]] }) },
  { key: "thrifting", title: "Thrifting (cut in an element's content per t of magnet)", fields: [["element", ["Nd", "Pr", "Dy", "Tb"]], ["reduction", "path", "reduction path (year: cut, …)"], ["source", "text"]],
    fresh: () => ({ element: "Dy", reduction: [[2024, 0], [2030, 0.3]] }) },
];

function fieldInput(item, [key, type, label], onchange) {
  const v = item[key];
  const id = "f-" + Math.random().toString(36).slice(2, 8);
  const set = (x) => { if (x === "" || x === undefined || (Array.isArray(x) && !x.length) || Number.isNaN(x)) delete item[key]; else item[key] = x; onchange(); };
  const V = S.vocab || { regions: [], end_uses: [], facilities: [] };
  let input;
  if (Array.isArray(type)) {
    input = el("select", { id, onchange: (e) => set(e.target.value) }, type.map((o) => el("option", { value: o, selected: o === (v ?? "") }, o || "—")));
  } else if (type === "region" || type === "region-opt") {
    input = el("select", { id, onchange: (e) => set(e.target.value) }, (type === "region-opt" ? [el("option", { value: "" }, "—")] : []),
      V.regions.map((r) => el("option", { value: r.code, selected: r.code === v }, r.code + " " + r.name)));
  } else if (type === "element") {
    input = el("select", { id, onchange: (e) => set(e.target.value) }, ELEMENTS_DEFAULT.map((e) => el("option", { value: e, selected: e === v }, e)));
  } else if (type === "end_use") {
    input = el("select", { id, onchange: (e) => set(e.target.value) }, V.end_uses.map((e) => el("option", { value: e, selected: e === v }, e)));
  } else if (type === "stages") {
    const cur = new Set(v || []);
    input = el("span", { class: "checks", id }, ["concentrate", "oxide", "magnet"].map((s) => el("label", {},
      el("input", { type: "checkbox", checked: cur.has(s), onchange: (e) => { e.target.checked ? cur.add(s) : cur.delete(s); set(["concentrate", "oxide", "magnet"].filter((x) => cur.has(x))); } }), s)));
  } else if (type === "number" || type === "int" || type === "year") {
    input = el("input", { id, type: "number", step: type === "number" ? "any" : "1", value: v ?? "",
      onchange: (e) => set(e.target.value === "" ? "" : type === "number" ? parseFloat(e.target.value) : parseInt(e.target.value, 10)) });
  } else if (type === "path") {
    input = el("input", { id, type: "text", value: pathText(v), onchange: (e) => set(unpath(e.target.value)) });
  } else if (type === "facility") {
    input = el("input", { id, type: "text", list: "facilities", value: v ?? "", onchange: (e) => set(e.target.value.trim()) });
  } else if (type === "regions" || type === "elements") {
    input = el("input", { id, type: "text", value: list(v), onchange: (e) => set(unlist(e.target.value)) });
  } else {
    input = el("input", { id, type: "text", value: v ?? "", onchange: (e) => set(e.target.value) });
  }
  input.dataset.key = key;
  return el("label", { class: "field", for: id }, el("span", {}, label || key.replace(/_/g, " ")), input);
}

function renderForm() {
  const o = S.obj;
  const box = $("#form");
  box.replaceChildren();
  const changed = () => formChanged();
  const run = o.run || {};
  const V = S.vocab || { growth_paths: ["steps"] };
  box.append(el("fieldset", {}, el("legend", {}, "Run"),
    fieldInput(run, ["from", "year", "first year"], () => { o.run = run; changed(); }),
    fieldInput(run, ["to", "year", "last year"], () => { o.run = run; changed(); }),
    fieldInput(run, ["growth_path", ["", ...V.growth_paths], "demand path"], () => { o.run = run; changed(); })));
  const sectionBox = (holder, sec) => {
    const items = holder[sec.key] || [];
    const fs = el("fieldset", { "data-section": sec.key }, el("legend", {}, sec.title));
    items.forEach((item, i) => {
      fs.append(el("div", { class: "item", "data-index": i }, sec.fields.map((f) => fieldInput(item, f, changed)),
        el("button", { type: "button", class: "remove", onclick: () => { items.splice(i, 1); if (!items.length) delete holder[sec.key]; changed(); renderForm(); } }, "Remove")));
    });
    fs.append(el("button", { type: "button", class: "add", onclick: () => { holder[sec.key] = items; items.push(sec.fresh()); changed(); renderForm(); } }, "Add"));
    return fs;
  };
  for (const sec of SECTIONS) box.append(sectionBox(o, sec));
  const demand = o.demand || {};
  const dfs = el("fieldset", {}, el("legend", {}, "Demand"));
  for (const sec of DEMAND) {
    const inner = sectionBox(demand, sec);
    inner.querySelectorAll("button.add, button.remove").forEach((b) => b.addEventListener("click", () => { o.demand = demand; if (!Object.keys(demand).length) delete o.demand; }, { capture: true }));
    dfs.append(inner);
  }
  box.append(dfs);
  if (S.vocab && !$("#facilities")) {
    document.body.append(el("datalist", { id: "facilities" }, S.vocab.facilities.map((f) => el("option", { value: f.id }, `${f.name} (${f.stage}, ${f.region})`))));
  }
}

let editor;
let settingText = false;
function setText(text, fromForm = false) {
  S.text = text;
  settingText = true;
  editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: text } });
  settingText = false;
  if (!fromForm) parseText();
}
function parseText() {
  try { S.obj = toml.parse(S.text); renderForm(); } catch { /* the file view shows the error */ }
}
function formChanged() {
  let text;
  try { text = toml.stringify(S.obj); } catch (e) { status("cannot write the scenario: " + e.message, true); return; }
  const head = S.text.match(/^(#[^\n]*\n)+/);
  setText((head ? head[0] + "\n" : "") + text + "\n", true);
}

// Validation as you type: the server's messages at their line and column.
async function validateText(view) {
  const text = view.state.doc.toString();
  let problems = [];
  try {
    const v = await api("/api/validate", { method: "POST", headers: { "content-type": "application/toml" }, body: text });
    $("#problems").replaceChildren();
    $("#description").textContent = v.description || "";
    return [];
  } catch (e) {
    if (e.status !== 422) { status(e.message, true); return []; }
    problems = e.body.errors || [];
  }
  $("#problems").replaceChildren(...problems.map((p) => el("li", {},
    `${p.file}${p.line ? ":" + p.line + ":" + p.column : ""}: ${p.message}`, p.hint ? el("div", { class: "hint" }, "hint: " + p.hint) : null)));
  const doc = view.state.doc;
  return problems.filter((p) => p.file === "scenario.toml" || p.file === "options").map((p) => {
    const line = doc.line(Math.min(Math.max(p.line || 1, 1), doc.lines));
    const from = Math.min(line.from + Math.max((p.column || 1) - 1, 0), line.to);
    const to = Math.min(Math.max(from + 1, doc.lineAt(from).to), doc.length);
    return { from, to, severity: "error", message: p.message + (p.hint ? "\nhint: " + p.hint : "") };
  });
}

function setupEditor() {
  editor = new cm.EditorView({
    parent: $("#editor"),
    state: cm.EditorState.create({
      doc: "",
      extensions: [cm.EditorView.cspNonce.of($("meta[name=style-nonce]").content), cm.basicSetup, cm.keymap.of([cm.indentWithTab]), cm.StreamLanguage.define(cm.tomlMode),
        cm.lintGutter(), cm.linter(validateText, { delay: 400 }),
        cm.EditorView.updateListener.of((u) => { if (u.docChanged && !settingText) { S.text = u.state.doc.toString(); parseText(); } })],
    }),
  });
}
function setView(which) {
  $("#form").classList.toggle("hidden", which !== "form");
  $("#editor").classList.toggle("hidden", which !== "text");
  $("#view-form").classList.toggle("on", which === "form");
  $("#view-text").classList.toggle("on", which === "text");
}

async function pick(file) {
  if (!file) { setText("# The baseline: the embedded 2024 dataset, no policy changes.\nname = \"baseline\"\n"); $("#description").textContent = "The embedded 2024 dataset with no policy changes."; return; }
  const r = await fetch("/api/scenarios/" + encodeURIComponent(file));
  setText(await r.text());
  const s = S.shipped.find((x) => x.file === file);
  $("#description").textContent = s ? s.description : "";
}

// ---------------------------------------------------------------- running
const request = () => ({ scenario: S.text });
const BASELINE = {};

let runSeq = 0;
async function runNow() {
  const btn = $("#run");
  const seq = ++runSeq;
  btn.disabled = true;
  status("running…");
  const t = performance.now();
  let run;
  try {
    const [r, base] = await Promise.all([postJSON("/api/run", request()), S.base ? Promise.resolve(S.base) : postJSON("/api/run", BASELINE)]);
    run = r;
    const yearsMatch = base.scenario.years[0] === run.scenario.years[0] && base.scenario.years[1] === run.scenario.years[1];
    S.base = yearsMatch ? base : await postJSON("/api/run", { from: run.scenario.years[0], to: run.scenario.years[1] });
    S.run = run;
    S.fingerprint = run.fingerprint;
    history.replaceState(null, "", "#run=" + run.fingerprint);
    showPanel("results");
    $("#results-headline").replaceChildren(el("p", { class: "muted" }, "comparing with the baseline…"));
    drawResults();
    status(`ran ${run.scenario.name} ${run.scenario.years[0]}–${run.scenario.years[1]} in ${Math.round(performance.now() - t)} ms`);
  } catch (e) {
    status(e.status === 422 ? "the scenario has errors (see below)" : e.message + (e.retryAfter ? ` (retry in ${e.retryAfter} s)` : ""), true);
    if (e.status === 422) { setView("text"); cm.forceLinting(editor); }
    return;
  } finally {
    btn.disabled = false;
  }
  // The headline: the largest changes against the baseline.
  try {
    const cmp = await postJSON("/api/compare", { a: request(), b: { from: run.scenario.years[0], to: run.scenario.years[1] } });
    if (seq !== runSeq) return;
    S.vsBase = cmp;
    drawHeadline($("#results-headline"), cmp);
  } catch (e) {
    if (seq === runSeq) $("#results-headline").replaceChildren(el("p", { class: "muted" }, "no comparison: " + e.message));
  }
}

// ---------------------------------------------------------------- results
const REGION_POS = { CN: [104, 35], MM: [96, 21], LA: [102.5, 19], VN: [106, 16], MY: [102, 4], TH: [101, 15], AU: [134, -25], US: [-98, 39],
  CA: [-106, 56], BR: [-52, -10], TR: [35, 39], EU: [10, 50], UK: [-2, 54], JP: [138, 36], KR: [128, 36], IN: [79, 22], RU: [90, 60],
  AF: [22, 0], GL: [-41, 72], ROW: [67, 48] };
let world = null;

function seriesBy(rowsA, key, years, value) {
  const m = new Map();
  for (const r of rowsA) { const k = key(r); if (!m.has(k)) m.set(k, new Map()); m.get(k).set(r.year, (m.get(k).get(r.year) || 0) + value(r)); }
  return m;
}
const yearsOf = (run) => { const [a, b] = run.scenario.years; return Array.from({ length: b - a + 1 }, (_, i) => a + i); };

const R = { element: "Dy", region: "outside", shareEl: "all", year: null, commodity: "oxide", relianceYear: null };
let cPrice, cSupply, cShares, cReliance, cSankey, cMap;

function initResults(box) {
  box.append(el("div", { class: "row" }, el("strong", { id: "results-title" }, "Run a scenario to see its results."),
    el("span", { class: "links", id: "results-links" })));
  box.append(el("div", { class: "headline", id: "results-headline", "aria-live": "polite" }));
  const els = ["Nd", "Pr", "Dy", "Tb", "La", "Ce", "Sm", "Y", "magnet"];
  cPrice = chartBox(box, { id: "price", title: "Prices by region", caption: "Oxide price (USD/kg of oxide; magnets USD/kg of magnet): the dual of each region's market balance. Solid: the scenario; dashed: the baseline.",
    controls: [select("price-element", els, R.element, (v) => { R.element = v; drawResults(); }, "element"),
      select("price-regions", [["outside", "China and the main importers"], ["all", "all regions"]], R.region, (v) => { R.region = v; drawResults(); }, "regions")] });
  cSupply = chartBox(box, { id: "supply", title: "Supply, demand and shortfall", caption: "t REO per year, all regions: separated supply, baseline demand at the reference price, consumption and shortfall (demand − consumption). Dashed: the baseline's shortfall.",
    controls: [select("supply-element", els.filter((e) => e !== "magnet"), "Dy", (v) => { R.supplyEl = v; drawResults(); }, "element")] });
  cShares = chartBox(box, { id: "shares", title: "China's share and market concentration per stage", caption: "China's share of each stage's output (left axis, %) and the HHI (right axis, 0–10,000; above 2,500 is highly concentrated).",
    controls: [select("shares-element", ["all", "magnet_ree", "Nd", "Pr", "Dy", "Tb"], R.shareEl, (v) => { R.shareEl = v; drawResults(); }, "element")] });
  cReliance = chartBox(box, { id: "reliance", title: "Import reliance", caption: "(imports − exports) / apparent consumption, per region and good: 100 % = all imported; negative = net exporter.",
    controls: [el("label", {}, "year ", el("input", { type: "number", id: "reliance-year", onchange: (e) => { R.relianceYear = +e.target.value; drawResults(); } }))] });
  cSankey = chartBox(box, { id: "sankey", tall: true, title: "Flows from mine to end use (Nd+Pr+Dy+Tb)", caption: "t REO in the chosen year: mine region → separation region → magnet region → end use (attributed in proportion; see docs/report.md).",
    controls: [el("label", {}, "year ", el("input", { type: "number", id: "sankey-year", onchange: (e) => { R.year = +e.target.value; drawResults(); } }))] });
  cMap = chartBox(box, { id: "map", tall: true, title: "Trade between regions", caption: "Flows in the chosen year (lines from exporter to importer, width ∝ tonnes; t REO, magnets in t magnet).",
    controls: [select("map-commodity", ["oxide", "magnet", "concentrate"], R.commodity, (v) => { R.commodity = v; drawResults(); }, "good"),
      el("label", {}, "year ", el("input", { type: "number", id: "map-year", onchange: (e) => { R.year = +e.target.value; drawResults(); } }))] });
}

function drawHeadline(box, cmp) {
  box.replaceChildren(...cmp.headline.map((h) => el("div", { class: "card", "data-kind": h.kind, "data-region": h.region, "data-commodity": h.commodity },
    el("div", { class: "label" }, h.label),
    el("div", { class: "value" }, `${fmt(h.a)} ${h.unit}`, " ", el("span", { class: h.a > h.b ? "up" : "down" }, h.change_pct === null ? "" : pct(h.change_pct))),
    el("div", { class: "label" }, `${cmp.b.name}: ${fmt(h.b)} ${h.unit}`))));
  if (!cmp.headline.length) box.append(el("p", { class: "muted" }, "No change above the thresholds (prices 0.5 %, shortfalls 1 t, surplus 1 M USD)."));
}

function drawResults() {
  const run = S.run, base = S.base;
  if (!run) return;
  const years = yearsOf(run);
  const last = years[years.length - 1];
  R.year = R.year && years.includes(R.year) ? R.year : last;
  R.relianceYear = R.relianceYear && years.includes(R.relianceYear) ? R.relianceYear : last;
  for (const id of ["sankey-year", "map-year", "reliance-year"]) { const i = $("#" + id); i.min = years[0]; i.max = last; }
  $("#sankey-year").value = R.year; $("#map-year").value = R.year; $("#reliance-year").value = R.relianceYear;
  $("#results-title").textContent = `${run.scenario.name} vs ${base.scenario.name}, ${years[0]}–${last}`;
  const fp = run.fingerprint;
  $("#results-links").replaceChildren(
    el("a", { href: "#run=" + fp, id: "permalink" }, "link to this result"),
    el("a", { href: `/api/runs/${fp}/scenario.toml`, download: "scenario.toml" }, "scenario.toml"),
    el("a", { href: `/api/runs/${fp}/report.html?compare=${base.fingerprint}`, download: "report.html" }, "HTML report"),
    ...Object.keys(run.tables).map((t) => el("a", { href: `/api/runs/${fp}/tables/${t}.csv`, download: t + ".csv" }, t + ".csv")));
  const pa = rows(run.tables.prices), pb = rows(base.tables.prices);

  // Prices.
  const regions = R.region === "all" ? [...new Set(pa.map((r) => r.region))] : ["CN", "JP", "US", "EU", "KR", "IN"];
  const sel = (rs, reg) => years.map((y) => { const r = rs.find((x) => x.year === y && x.region === reg && x.commodity === R.element); return r ? r.usd_per_kg : null; });
  const series = [], header = ["year"], cols = [];
  regions.forEach((reg, i) => {
    const a = sel(pa, reg), b = sel(pb, reg);
    if (a.every((v) => v === null)) return;
    const color = reg === "CN" ? "#c0392b" : PALETTE[(i % (PALETTE.length - 1)) + 1];
    series.push({ name: `${reg}`, type: "line", data: a, symbol: SYMBOLS[i % SYMBOLS.length], symbolSize: 6, lineStyle: { color, width: 2 }, itemStyle: { color }, endLabel: { show: true, formatter: reg } });
    series.push({ name: `${reg} (${base.scenario.name})`, type: "line", data: b, symbol: "none", lineStyle: { color, type: "dashed", width: 1 }, itemStyle: { color } });
    header.push(`${reg} ${run.scenario.name}`, `${reg} ${base.scenario.name}`); cols.push(a, b);
  });
  setChart(cPrice, {
    tooltip: { trigger: "axis", valueFormatter: (v) => (v === null ? "–" : fmt(v) + " USD/kg") },
    legend: { type: "scroll", bottom: 0 }, grid: { left: 60, right: 60, top: 20, bottom: 60 },
    xAxis: { type: "category", data: years }, yAxis: { type: "value", name: R.element === "magnet" ? "USD/kg magnet" : "USD/kg oxide", scale: true },
    series,
  }, { header, rows: years.map((y, k) => [y, ...cols.map((c) => c[k])]) });

  // Supply and demand.
  const e = R.supplyEl || "Dy";
  const sum = (rs, f) => years.map((y) => rs.filter((r) => r.year === y && f(r)).reduce((s, r) => s + r.v, 0));
  const prod = rows(run.tables.production).map((r) => ({ ...r, v: r.tonnes }));
  const cons = rows(run.tables.consumption);
  const consB = rows(base.tables.consumption);
  const supply = sum(prod, (r) => r.stage === "separation" && r.element === e);
  const demand = sum(cons.map((r) => ({ ...r, v: r.demand_t })), (r) => r.element === e);
  const consumed = sum(cons.map((r) => ({ ...r, v: r.consumed_t })), (r) => r.element === e);
  const short = sum(cons.map((r) => ({ ...r, v: r.shortfall_t })), (r) => r.element === e);
  const shortB = sum(consB.map((r) => ({ ...r, v: r.shortfall_t })), (r) => r.element === e);
  const line = (name, data, color, sym, dashed) => ({ name, type: "line", data, symbol: sym, symbolSize: 6, lineStyle: { color, type: dashed ? "dashed" : "solid" }, itemStyle: { color } });
  setChart(cSupply, {
    tooltip: { trigger: "axis", valueFormatter: (v) => fmt(v) + " t REO" }, legend: { bottom: 0 }, grid: { left: 70, right: 30, top: 20, bottom: 50 },
    xAxis: { type: "category", data: years }, yAxis: { type: "value", name: "t REO" },
    series: [line("supply", supply, "#1f5fa8", "circle"), line("demand", demand, "#c25400", "rect"), line("consumption", consumed, "#8a2f6e", "diamond"),
      line("shortfall", short, "#555", "triangle"), line(`shortfall (${base.scenario.name})`, shortB, "#999", "none", true)],
  }, { header: ["year", "supply t", "demand t", "consumption t", "shortfall t", `shortfall ${base.scenario.name} t`], rows: years.map((y, k) => [y, supply[k], demand[k], consumed[k], short[k], shortB[k]]) });

  // Shares and HHI.
  const sh = rows(run.tables.shares).filter((r) => r.element === R.shareEl);
  const stages = ["mining", "separation", "magnet"].filter((s) => sh.some((r) => r.stage === s));
  const sSeries = [], sCols = [], sHeader = ["year"];
  stages.forEach((st, i) => {
    const cn = years.map((y) => { const r = sh.find((x) => x.year === y && x.stage === st && x.region === "CN"); return r ? 100 * r.share : 0; });
    const h = years.map((y) => { const r = sh.find((x) => x.year === y && x.stage === st); return r ? r.hhi : null; });
    const color = ["#6b4c9a", "#1f5fa8", "#c25400"][i];
    sSeries.push({ name: `China's share, ${st}`, type: "line", data: cn, symbol: SYMBOLS[i], lineStyle: { color }, itemStyle: { color } });
    sSeries.push({ name: `HHI, ${st}`, type: "line", yAxisIndex: 1, data: h, symbol: SYMBOLS[i], symbolSize: 4, lineStyle: { color, type: "dotted" }, itemStyle: { color } });
    sHeader.push(`China % ${st}`, `HHI ${st}`); sCols.push(cn, h);
  });
  setChart(cShares, {
    tooltip: { trigger: "axis" }, legend: { type: "scroll", bottom: 0 }, grid: { left: 50, right: 60, top: 30, bottom: 60 },
    xAxis: { type: "category", data: years }, yAxis: [{ type: "value", name: "%", min: 0, max: 100 }, { type: "value", name: "HHI", min: 0, max: 10000 }],
    series: sSeries,
  }, { header: sHeader, rows: years.map((y, k) => [y, ...sCols.map((c) => c[k])]) });

  // Import reliance.
  const rel = rows(run.tables.import_reliance).filter((r) => r.year === R.relianceYear);
  const goods = ["Nd", "Pr", "Dy", "Tb", "magnet"];
  const regs = [...new Set(rel.map((r) => r.region))].filter((reg) => rel.some((r) => r.region === reg && goods.includes(r.element)));
  const cells = [], tRows = [];
  regs.forEach((reg, i) => {
    const row = [reg];
    goods.forEach((g, j) => {
      const r = rel.find((x) => x.region === reg && x.element === g && x.stage === (g === "magnet" ? "magnet" : "oxide"));
      const v = r ? Math.round(1000 * r.import_reliance) / 10 : null;
      if (v !== null) cells.push([j, i, v]);
      row.push(v);
    });
    tRows.push(row);
  });
  setChart(cReliance, {
    tooltip: { formatter: (p) => `${regs[p.value[1]]}, ${goods[p.value[0]]}: ${p.value[2]} %` },
    grid: { left: 50, right: 90, top: 10, bottom: 30 }, xAxis: { type: "category", data: goods }, yAxis: { type: "category", data: regs },
    visualMap: { min: -100, max: 100, calculable: true, orient: "vertical", right: 0, top: "center", inRange: { color: ["#1f5fa8", "#f7f7f7", "#b3261e"] }, text: ["importer", "exporter"] },
    series: [{ type: "heatmap", data: cells, label: { show: true, formatter: (p) => p.value[2] + "%" } }],
  }, { header: ["region", ...goods.map((g) => g + " %")], rows: tRows });

  // Sankey.
  const fy = run.flows.find((f) => f.year === R.year) || { links: [] };
  const names = ["mine", "sep", "mag"];
  const nodeName = (stage, side, n) => (stage === 2 && side === 1 ? n : `${n} ${names[stage + side]}`);
  const nodes = new Map(), links = [];
  for (const [stage, from, to, t] of fy.links) {
    const a = nodeName(stage, 0, from), b = nodeName(stage, 1, to);
    nodes.set(a, stage); nodes.set(b, stage + 1);
    links.push({ source: a, target: b, value: Math.round(t) });
  }
  setChart(cSankey, {
    tooltip: { trigger: "item", formatter: (p) => (p.dataType === "edge" ? `${p.data.source} → ${p.data.target}: ${fmt(p.data.value)} t REO` : `${p.name}: ${fmt(p.value)} t REO`) },
    series: [{ type: "sankey", data: [...nodes.entries()].map(([n, depth]) => ({ name: n, depth, itemStyle: { color: n.startsWith("CN ") ? "#c0392b" : "#6b8fc4" } })), links: links.filter((l) => l.value > 0),
      nodeAlign: "justify", emphasis: { focus: "adjacency" }, lineStyle: { color: "gradient", opacity: 0.35 }, label: { fontSize: 11 } }],
  }, { header: ["from", "to", "t REO"], rows: links.map((l) => [l.source, l.target, l.value]) });

  // Flow map.
  const tr = rows(run.tables.trade).filter((r) => r.year === R.year && r.commodity === R.commodity);
  const agg = new Map();
  for (const r of tr) { const k = r.from + ">" + r.to; agg.set(k, (agg.get(k) || 0) + r.tonnes); }
  const flows = [...agg.entries()].map(([k, t]) => { const [f, to] = k.split(">"); return { f, to, t }; }).filter((x) => REGION_POS[x.f] && REGION_POS[x.to] && x.t > 0).sort((a, b) => b.t - a.t);
  const maxT = Math.max(1, ...flows.map((x) => x.t));
  const unit = R.commodity === "magnet" ? "t magnet" : "t REO";
  const mapOpt = {
    tooltip: { trigger: "item", formatter: (p) => (p.seriesType === "lines" ? `${p.data.name}: ${fmt(p.data.value)} ${unit}` : p.name) },
    geo: { map: "world", roam: true, silent: true, itemStyle: { areaColor: "#eceff3", borderColor: "#b8bec7" }, emphasis: { disabled: true } },
    series: [
      { type: "lines", coordinateSystem: "geo", data: flows.map((x) => ({ name: `${x.f} → ${x.to}`, value: Math.round(x.t), coords: [REGION_POS[x.f], REGION_POS[x.to]], lineStyle: { width: 1 + 9 * Math.sqrt(x.t / maxT), color: x.f === "CN" ? "#c0392b" : "#1f5fa8", opacity: 0.6, curveness: 0.2 } })) },
      { type: "scatter", coordinateSystem: "geo", symbolSize: 7, itemStyle: { color: "#333" }, label: { show: true, formatter: "{b}", position: "right", fontSize: 10 },
        data: Object.entries(REGION_POS).map(([k, v]) => ({ name: k, value: v })) },
    ],
  };
  if (!world) {
    fetch("/assets/world.json").then((r) => r.json()).then((g) => { world = g; echarts.registerMap("world", g); drawResults(); });
    return;
  }
  setChart(cMap, mapOpt, { header: ["from", "to", unit], rows: flows.map((x) => [x.f, x.to, Math.round(x.t)]) });
}

// ---------------------------------------------------------------- compare
let cLoss, cCmpPrice;
const C = { element: "Dy" };
function initCompare(box) {
  const opts = () => [["current", "the scenario being edited"], ["", "baseline"], ...S.shipped.map((s) => [s.file, s.name])];
  box.append(el("div", { class: "row" }, el("label", {}, "A ", el("select", { id: "cmp-a" })), el("label", {}, "B ", el("select", { id: "cmp-b" })),
    el("button", { type: "button", id: "cmp-run", class: "primary", onclick: compareNow }, "Compare")));
  box.append(el("p", { class: "muted", id: "cmp-title" }, "Compare any two scenarios over A's years."));
  box.append(el("div", { class: "headline", id: "cmp-headline" }));
  cLoss = chartBox(box, { id: "loss", title: "Economic effect per region (A − B)", caption: "Summed over the horizon, million USD: change in consumer + producer surplus, and downstream output lost to shortfalls (value added per end use × shortfall)." });
  cCmpPrice = chartBox(box, { id: "cmp-price", title: "Price change (A vs B)", caption: "Change of the oxide (or magnet) price, %, per region and year.",
    controls: [select("cmp-element", ["Nd", "Pr", "Dy", "Tb", "magnet"], C.element, (v) => { C.element = v; drawCompare(); }, "element")] });
  box.append(el("div", { class: "chart-box" }, el("h3", {}, "Who captures the value added"),
    el("p", { class: "caption" }, "Concentrate shipped by a miner to a processor, and the oxides and magnets sold back, million USD over the horizon."),
    el("div", { id: "va-table" })));
  initCompare.fill = () => { for (const id of ["cmp-a", "cmp-b"]) { const s = $("#" + id); const v = s.value; s.replaceChildren(...opts().map(([val, t]) => el("option", { value: val }, t))); s.value = v || (id === "cmp-a" ? "current" : ""); } };
  initCompare.fill();
}
async function sideRequest(v) {
  if (v === "current") return request();
  if (v === "") return {};
  return { scenario: await (await fetch("/api/scenarios/" + encodeURIComponent(v))).text() };
}
async function compareNow() {
  $("#cmp-run").disabled = true;
  try {
    const a = await sideRequest($("#cmp-a").value), b = await sideRequest($("#cmp-b").value);
    S.compare = await postJSON("/api/compare", { a, b });
    history.replaceState(null, "", `#compare=${S.compare.a.fingerprint},${S.compare.b.fingerprint}`);
    drawCompare();
  } catch (e) { $("#cmp-title").textContent = "cannot compare: " + e.message; }
  finally { $("#cmp-run").disabled = false; }
}
function drawCompare() {
  const c = S.compare;
  if (!c) return;
  $("#cmp-title").textContent = `A = ${c.a.name} vs B = ${c.b.name}, ${c.years[0]}–${c.years[1]}`;
  drawHeadline($("#cmp-headline"), c);
  const t = c.totals_by_region.filter((r) => Math.abs(r.surplus_change_usd) >= 1e6 || Math.abs(r.lost_output_usd) >= 1e6);
  setChart(cLoss, {
    tooltip: { trigger: "axis", valueFormatter: (v) => fmt(v) + " M USD" }, legend: { bottom: 0 }, grid: { left: 60, right: 20, top: 20, bottom: 50 },
    xAxis: { type: "category", data: t.map((r) => r.region) }, yAxis: { type: "value", name: "M USD" },
    series: [{ name: "surplus change", type: "bar", data: t.map((r) => r.surplus_change_usd / 1e6), itemStyle: { color: "#1f5fa8" } },
      { name: "downstream output lost", type: "bar", data: t.map((r) => r.lost_output_usd / 1e6), itemStyle: { color: "#c25400" } }],
  }, { header: ["region", "surplus change M USD", "output lost M USD"], rows: t.map((r) => [r.region, r.surplus_change_usd / 1e6, r.lost_output_usd / 1e6]) });
  const pr = rows(c.tables.price_changes).filter((r) => r.commodity === C.element);
  const years = [...new Set(pr.map((r) => r.year))].sort();
  const regs = ["CN", "JP", "US", "EU", "KR", "IN"].filter((g) => pr.some((r) => r.region === g));
  const cols = regs.map((g) => years.map((y) => { const r = pr.find((x) => x.year === y && x.region === g); return r ? r.change_pct : null; }));
  setChart(cCmpPrice, {
    tooltip: { trigger: "axis", valueFormatter: (v) => pct(v) }, legend: { bottom: 0 }, grid: { left: 60, right: 30, top: 20, bottom: 50 },
    xAxis: { type: "category", data: years }, yAxis: { type: "value", name: "% change" },
    series: regs.map((g, i) => ({ name: g, type: "line", data: cols[i], symbol: SYMBOLS[i], lineStyle: { color: g === "CN" ? "#c0392b" : PALETTE[i + 1] }, itemStyle: { color: g === "CN" ? "#c0392b" : PALETTE[i + 1] } })),
  }, { header: ["year", ...regs.map((g) => g + " %")], rows: years.map((y, k) => [y, ...cols.map((col) => col[k])]) });
  const va = c.value_added.filter((p) => Math.abs(p.concentrate_exports_usd_a - p.concentrate_exports_usd_b) >= 1e6 || Math.abs(p.processed_imports_usd_a - p.processed_imports_usd_b) >= 1e6)
    .sort((x, y) => Math.abs(y.concentrate_exports_usd_a - y.concentrate_exports_usd_b) - Math.abs(x.concentrate_exports_usd_a - x.concentrate_exports_usd_b)).slice(0, 10);
  $("#va-table").replaceChildren(va.length ? el("table", {}, el("thead", {}, el("tr", {}, ["miner → processor", "concentrate A", "concentrate B", "sold back A", "sold back B"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, va.map((p) => el("tr", {}, el("th", { scope: "row" }, `${p.miner} → ${p.processor}`), ...[p.concentrate_exports_usd_a, p.concentrate_exports_usd_b, p.processed_imports_usd_a, p.processed_imports_usd_b].map((v) => el("td", {}, fmt(v / 1e6))))))) : el("p", { class: "muted" }, "No pair changes by 1 M USD or more."));
}

// ---------------------------------------------------------------- ensembles
let cFan, cProb, job = null, source = null;
const E = { good: "Dy", region: "JP", metric: "price_usd_per_kg" };
function initEnsemble(box) {
  box.append(el("p", { class: "muted" }, "Runs the scenario being edited many times with the draws of its [uncertain] part (docs/ensembles.md); the shipped ensemble-licensing-risk.toml has one."),
    el("div", { class: "row" }, el("label", {}, "runs ", el("input", { type: "number", id: "ens-runs", value: 50, min: 1 })),
      el("label", {}, "seed ", el("input", { type: "number", id: "ens-seed", value: 1, min: 0 })),
      el("button", { type: "button", id: "ens-start", class: "primary", onclick: startEnsemble }, "Launch ensemble"),
      el("button", { type: "button", id: "ens-cancel", disabled: true, onclick: cancelEnsemble }, "Cancel")),
    el("progress", { id: "ens-progress", max: 100, value: 0 }), el("div", { id: "ens-status", role: "status", "aria-live": "polite" }),
    el("div", { class: "links", id: "ens-links" }));
  cFan = chartBox(box, { id: "fan", title: "Fan chart", caption: "P5–P95 band (shaded) and median (P50) over the ensemble's runs; dashed: the mean.",
    controls: [select("fan-metric", [["price_usd_per_kg", "price (USD/kg)"], ["shortfall_share", "shortfall (share of demand)"]], E.metric, (v) => { E.metric = v; drawEnsemble(); }, "metric"),
      select("fan-good", ["Nd", "Pr", "Dy", "Tb", "La", "Ce", "magnet"], E.good, (v) => { E.good = v; drawEnsemble(); }, "good"),
      el("label", {}, "region ", el("input", { type: "text", id: "fan-region", value: E.region, size: 4, onchange: (e) => { E.region = e.target.value.trim(); drawEnsemble(); } }))] });
  cProb = chartBox(box, { id: "prob", title: "Probability of a shortfall", caption: "Share of runs in which the region's shortfall of the good exceeds the threshold (share of its demand), per year." });
}
async function startEnsemble() {
  const st = $("#ens-status");
  try {
    const r = await postJSON("/api/ensembles", { ...request(), runs: +$("#ens-runs").value, seed: +$("#ens-seed").value });
    job = r;
    history.replaceState(null, "", "#ensemble=" + r.id);
    $("#ens-start").disabled = true; $("#ens-cancel").disabled = false;
    follow(r.id);
  } catch (e) { st.textContent = "cannot start: " + e.message + (e.retryAfter ? ` (retry in ${e.retryAfter} s)` : ""); }
}
function follow(id) {
  if (source) source.close();
  source = new EventSource(`/api/ensembles/${id}/events`);
  const show = (s) => {
    const p = s.total ? Math.floor((100 * s.done) / s.total) : 0;
    $("#ens-progress").value = p;
    $("#ens-status").textContent = `${s.scenario}: ${s.state}, ${s.done} of ${s.total} runs (${p} %)${s.failed ? `, ${s.failed} failed` : ""}, ${s.elapsed_s.toFixed(1)} s${s.message ? " — " + s.message : ""}`;
    $("#ens-status").dataset.state = s.state; $("#ens-status").dataset.percent = p;
  };
  source.addEventListener("progress", (e) => show(JSON.parse(e.data)));
  source.addEventListener("end", async (e) => {
    const s = JSON.parse(e.data); show(s); source.close(); source = null;
    $("#ens-start").disabled = false; $("#ens-cancel").disabled = true;
    if (s.state === "done") {
      S.ensemble = await api(`/api/ensembles/${id}/results`);
      $("#ens-links").replaceChildren(...["report.html", "summary.csv", "shortfall_probability.csv", "runs.parquet", "draws.parquet"].map((f) => el("a", { href: `/api/ensembles/${id}/files/${f}`, download: f }, f)));
      drawEnsemble();
    }
  });
}
async function cancelEnsemble() { if (job) { try { await api(`/api/ensembles/${job.id}`, { method: "DELETE" }); } catch (e) { $("#ens-status").textContent = e.message; } } }
function drawEnsemble() {
  const r = S.ensemble;
  if (!r) return;
  const st = rows(r.summary).filter((x) => x.metric === E.metric && x.good === E.good && x.region === E.region);
  const years = st.map((x) => x.year);
  const lo = st.map((x) => x.p5), hi = st.map((x) => x.p95);
  setChart(cFan, {
    tooltip: { trigger: "axis" }, legend: { bottom: 0 }, grid: { left: 60, right: 30, top: 20, bottom: 50 },
    xAxis: { type: "category", data: years }, yAxis: { type: "value", name: st[0] ? st[0].unit : "", scale: true },
    series: [{ name: "P5", type: "line", data: lo, stack: "band", symbol: "none", lineStyle: { opacity: 0 } },
      { name: "P5–P95", type: "line", data: hi.map((h, i) => h - lo[i]), stack: "band", symbol: "none", lineStyle: { opacity: 0 }, areaStyle: { color: "#1f5fa8", opacity: 0.25 } },
      { name: "P50", type: "line", data: st.map((x) => x.p50), symbol: "circle", lineStyle: { color: "#1f5fa8", width: 2 }, itemStyle: { color: "#1f5fa8" } },
      { name: "mean", type: "line", data: st.map((x) => x.mean), symbol: "none", lineStyle: { color: "#555", type: "dashed" } }],
  }, { header: ["year", "P5", "P50", "P95", "mean"], rows: st.map((x) => [x.year, x.p5, x.p50, x.p95, x.mean]) });
  const pr = rows(r.shortfall_probability).filter((x) => x.good === E.good);
  const th = Math.min(...pr.map((x) => x.threshold));
  const sel = pr.filter((x) => x.threshold === th);
  const pys = [...new Set(sel.map((x) => x.year))].sort(), regs = [...new Set(sel.map((x) => x.region))];
  setChart(cProb, {
    tooltip: { formatter: (p) => `${regs[p.value[1]]} ${pys[p.value[0]]}: ${p.value[2]} %` }, grid: { left: 50, right: 90, top: 10, bottom: 30 },
    xAxis: { type: "category", data: pys }, yAxis: { type: "category", data: regs },
    visualMap: { min: 0, max: 100, right: 0, top: "center", calculable: true, inRange: { color: ["#f7f7f7", "#b3261e"] } },
    series: [{ type: "heatmap", data: sel.map((x) => [pys.indexOf(x.year), regs.indexOf(x.region), Math.round(100 * x.probability)]), label: { show: true, fontSize: 9 } }],
  }, { header: ["region", ...pys], rows: regs.map((g) => [g, ...pys.map((y) => { const x = sel.find((q) => q.region === g && q.year === y); return x ? x.probability : null; })]) });
  cProb.dom.previousElementSibling.previousElementSibling.textContent = `Share of runs where the ${E.good} shortfall exceeds ${Math.round(th * 100)} % of demand, per region and year.`;
}


// ---------------------------------------------------------------- news
// Paste an article: POST /api/news marks its figures in the text by status
// (docs/news.md) and drafts a scenario that opens in the editor.
let newsDoc = null;
const NEWS_STATUS = { agrees: "agrees with the dataset", conflicts: "conflicts with the dataset", new: "not in the dataset", context: "context (not checked)" };
function initNews(box) {
  box.append(el("p", { class: "muted" }, "Paste a news article (plain text or the page's HTML). Its figures are checked against the embedded dataset and a draft scenario is written from what it implies (see docs/news.md)."));
  box.append(el("textarea", { id: "news-input", rows: 9, "aria-label": "Article text or HTML", placeholder: "Paste an article here…" }));
  box.append(el("div", { class: "row" },
    el("label", { for: "news-date" }, "Article date (if the text has none)"), el("input", { type: "date", id: "news-date" }),
    el("button", { type: "button", id: "news-read", class: "primary", onclick: readNews }, "Check the article"),
    el("button", { type: "button", id: "news-open", onclick: openDraft, disabled: true }, "Open the draft scenario in the editor")));
  box.append(el("p", { id: "news-status", class: "muted", role: "status", "aria-live": "polite" }));
  box.append(el("div", { class: "news-legend", "aria-hidden": "true" }, ...Object.keys(NEWS_STATUS).map((k) => el("mark", { class: "fact " + k }, k))));
  box.append(el("div", { id: "news-text", class: "news-text", "aria-label": "The article with its figures marked" }));
  box.append(el("div", { id: "news-facts" }));
}
async function readNews() {
  const text = $("#news-input").value;
  const date = $("#news-date").value;
  $("#news-read").disabled = true;
  $("#news-status").textContent = "reading…";
  try {
    newsDoc = await postJSON("/api/news", { text, date: date || null, name: "pasted article" });
    drawNews();
  } catch (e) {
    newsDoc = null;
    $("#news-open").disabled = true;
    $("#news-status").textContent = "cannot read the article: " + e.message;
  } finally { $("#news-read").disabled = false; }
}
function factTitle(f) {
  const d = f.dataset;
  return `${NEWS_STATUS[f.status]}: ${f.note}` + (d ? ` [${d.table} ${d.row}; source ${d.source}; ${d.tolerance}]` : "");
}
function drawNews() {
  const doc = newsDoc.documents[0] || { text: "" };
  const text = doc.text;
  const figures = newsDoc.facts.filter((f) => f.kind !== "date").sort((a, b) => a.text_start - b.text_start);
  const parts = [];
  let at = 0;
  for (const f of figures) {
    if (f.text_start < at) continue;
    parts.push(text.slice(at, f.text_start));
    const cls = "fact " + (f.section === "boilerplate" ? "boilerplate" : f.status);
    parts.push(el("mark", { class: cls, "data-status": f.section === "boilerplate" ? "boilerplate" : f.status, title: f.section === "boilerplate" ? "boilerplate (menu, sidebar, counter): not a fact of the article" : factTitle(f) }, text.slice(f.text_start, f.text_end)));
    at = f.text_end;
  }
  parts.push(text.slice(at));
  $("#news-text").replaceChildren(...parts);
  const article = figures.filter((f) => f.section === "article");
  const count = (s) => article.filter((f) => f.status === s).length;
  const events = newsDoc.events.filter((e) => e.section === "article");
  $("#news-status").textContent = `${article.length} figures (${count("agrees")} agree, ${count("conflicts")} conflict, ${count("new")} new, ${count("context")} context), ${events.length} events; dated ${doc.date || "unknown"}, checked against the ${doc.dataset} dataset`;
  const head = el("tr", {}, ...["status", "figure", "value", "subject", "dataset"].map((h) => el("th", { scope: "col" }, h)));
  const body = article.map((f) => el("tr", { class: "fact-row " + f.status },
    el("td", {}, f.status), el("td", {}, f.quote),
    el("td", {}, `${f.low !== null && f.high !== null ? fmt(f.low) + "–" + fmt(f.high) : fmt(f.value)} ${f.unit}${f.basis && f.unit === "t" ? " " + f.basis : ""}`),
    el("td", {}, f.subject.key + (f.subject.stage ? ` (${f.subject.stage})` : "")),
    el("td", {}, factTitle(f))));
  $("#news-facts").replaceChildren(el("table", { class: "news-table" }, el("thead", {}, head), el("tbody", {}, ...body)),
    events.length ? el("ul", { class: "news-events" }, ...events.map((e) => el("li", {}, `${e.kind}: ${e.parties.join(", ")}${e.date ? " (" + e.date + ")" : ""} — ${e.text}`))) : null);
  $("#news-open").disabled = !newsDoc.scenario;
}
function openDraft() {
  if (!newsDoc) return;
  setText(newsDoc.scenario);
  setView("text");
  status("the draft scenario from the article is in the editor: review its ASSUMPTION lines, then Run");
}

// ---------------------------------------------------------------- start
async function start() {
  setupEditor();
  registerPanel({ id: "results", title: "Results", init: initResults });
  registerPanel({ id: "compare", title: "Compare", init: initCompare, show: () => initCompare.fill && initCompare.fill() });
  registerPanel({ id: "ensemble", title: "Ensemble", init: initEnsemble });
  registerPanel({ id: "news", title: "News", init: initNews });
  showPanel("results");
  $("#view-form").addEventListener("click", () => setView("form"));
  $("#view-text").addEventListener("click", () => setView("text"));
  $("#run").addEventListener("click", runNow);
  $("#download-scenario").addEventListener("click", () => downloadText(((S.obj && S.obj.name) || "scenario") + ".toml", S.text, "application/toml"));
  $("#pick").addEventListener("change", (e) => pick(e.target.value));
  $("#open").addEventListener("change", async (e) => { const f = e.target.files[0]; if (f) { setText(await f.text()); setView("text"); } });
  const [health, shipped, vocab] = await Promise.all([api("/api/health"), api("/api/scenarios"), api("/api/vocabulary")]);
  $("#version").textContent = health.version;
  S.shipped = shipped; S.vocab = vocab;
  for (const s of shipped) $("#pick").append(el("option", { value: s.file }, s.name));
  initCompare.fill();
  // A stable URL reopens its result: #run=FP, #compare=FP_A,FP_B, #ensemble=ID (while the server runs).
  const m = location.hash.match(/^#run=([0-9a-f]{32})$/);
  const mc = location.hash.match(/^#compare=([0-9a-f]{32}),([0-9a-f]{32})$/);
  const me = location.hash.match(/^#ensemble=(e[0-9]+)$/);
  const scenarioOf = async (fp) => { const r = await fetch(`/api/runs/${fp}/scenario.toml`); if (!r.ok) throw new Error((await r.json()).message); return r.text(); };
  try {
    if (m) setText(await scenarioOf(m[1]));
    else if (mc) setText(await scenarioOf(mc[1]));
    else await pick("");
  } catch (e) { status(e.message, true); await pick(""); }
  await runNow();
  if (mc) {
    try {
      S.compare = await postJSON("/api/compare", { a: { scenario: await scenarioOf(mc[1]) }, b: { scenario: await scenarioOf(mc[2]) } });
      showPanel("compare"); drawCompare();
    } catch (e) { status("cannot reopen the comparison: " + e.message, true); }
  }
  if (me) { showPanel("ensemble"); job = { id: me[1] }; follow(me[1]); }
}
document.readyState === "loading" ? document.addEventListener("DOMContentLoaded", start) : start();
})();
