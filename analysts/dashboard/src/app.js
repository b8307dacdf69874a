// The analysts' dashboard: one page per site, every number from POST /api/v2/query.
// State lives in the URL (period, comparison, filters), so a view can be bookmarked and shared.
import uPlot from "uplot";
import { insightJobs, segmentFilters, startInsights } from "./insights.js";

const site = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] || "");
const shareToken = new URLSearchParams(location.search).get("auth");
const keyStorage = "analytics-key:" + site;
const $ = (id) => document.getElementById(id);

const TOPLINE = [
  ["visitors", "Unique visitors", count],
  ["visits", "Visits", count],
  ["pageviews", "Pageviews", count],
  ["views_per_visit", "Views per visit", (v) => v.toFixed(2)],
  ["bounce_rate", "Bounce rate", (v) => Math.round(v) + "%"],
  ["visit_duration", "Visit duration", duration],
];

// Each panel: a dimension and its metrics; `dims` lets one panel switch between related dimensions.
// Which dimensions exist, their labels and panels come from their declaration (dimensions.json, served
// with the dashboard); here is only how a panel looks: its place, metrics, first choice, empty rows hidden.
const PANEL_STYLE = {
  pages: { metrics: ["visitors", "pageviews"] },
  // Entry and exit pages count visits only: the pages rollup answers that on any range (visitors would read every visit).
  entry: { metrics: ["visits"], hideEmpty: true },
  exit: { metrics: ["visits"], hideEmpty: true },
  sources: { first: "source", metrics: ["visitors", "visits"] },
  utm: { first: "utm_campaign", metrics: ["visitors", "visits"], hideEmpty: true },
  countries: {},
  browsers: {},
  os: {},
  devices: {},
  events: { metrics: ["visitors", "events"], hideEmpty: true },
  links: { metrics: ["visitors", "link_clicks"], hideEmpty: true },
};
let PANELS = [];

// Panels in PANEL_STYLE order, then any other declared panel (visitors only) in declaration order.
function panelsFrom(dimensions) {
  const panels = new Map(Object.keys(PANEL_STYLE).map((id) => [id, null]));
  for (const d of dimensions) {
    const style = PANEL_STYLE[d.panel] || {};
    if (!panels.get(d.panel)) panels.set(d.panel, { id: d.panel, title: d.panel_title, dims: [], metrics: style.metrics || ["visitors"], hideEmpty: Boolean(style.hideEmpty) });
    const panel = panels.get(d.panel);
    if (style.first === d.name) panel.dims.unshift([d.name, d.label]); else panel.dims.push([d.name, d.label]);
  }
  return [...panels.values()].filter(Boolean);
}
const METRIC_LABELS = { visitors: "Visitors", visits: "Visits", pageviews: "Pageviews", events: "Events", link_clicks: "Clicks" };

let chart;
let generation = 0;

function count(v) { return Math.round(v).toLocaleString("en-US"); }
function duration(s) { s = Math.round(s); return s < 60 ? s + "s" : Math.floor(s / 60) + "m " + (s % 60) + "s"; }

function key() {
  if (shareToken) return shareToken;
  const hash = new URLSearchParams(location.hash.slice(1)).get("key");
  if (hash) {
    sessionStorage.setItem(keyStorage, hash);
    history.replaceState(null, "", location.pathname + location.search);
  }
  return sessionStorage.getItem(keyStorage);
}

function state() {
  const params = new URLSearchParams(location.search);
  return {
    period: params.get("period") || "30d",
    from: params.get("from") || "",
    to: params.get("to") || "",
    compare: params.get("compare") || "previous_period",
    segment: params.get("segment") || "",
    filters: params.getAll("f").map((f) => { const i = f.indexOf(":"); return [f.slice(0, i), f.slice(i + 1)]; }),
  };
}

function setState(change) {
  const next = { ...state(), ...change };
  const params = new URLSearchParams();
  if (shareToken) params.set("auth", shareToken);
  params.set("period", next.period);
  if (next.period === "custom") { params.set("from", next.from); params.set("to", next.to); }
  params.set("compare", next.compare);
  if (next.segment) params.set("segment", next.segment);
  for (const [dim, value] of next.filters) params.append("f", dim + ":" + value);
  history.pushState(null, "", location.pathname + "?" + params);
  load();
}

function dateRange(s) {
  return s.period === "custom" && s.from && s.to ? [s.from, s.to] : s.period === "custom" ? "30d" : s.period;
}

function grain(s) {
  if (s.period === "today" || s.period === "yesterday") return "time:hour";
  if (s.period === "12mo" || s.period === "all") return "time:month";
  const days = s.period === "custom" && s.from && s.to ? (new Date(s.to) - new Date(s.from)) / 864e5 + 1 : 0;
  if (days > 0 && days <= 2) return "time:hour";
  if (days > 100) return "time:week";
  return "time:day";
}

async function query(body, format) {
  const s = state();
  const filters = [...segmentFilters(s), ...s.filters.map(([d, v]) => ["is", d, [v]]), ...(body.filters || [])];
  const full = { ...body, site_id: site, date_range: dateRange(s), filters };
  const response = await fetch("/api/v2/query" + (format ? "?format=" + format : ""), {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: "Bearer " + key() },
    body: JSON.stringify(full),
  });
  if (response.status === 401 || response.status === 403) { showLogin(); throw new Error("not signed in"); }
  if (!response.ok) throw new Error((await response.json().catch(() => ({}))).detail || response.statusText);
  return format ? response.blob() : response.json();
}

function showLogin() {
  if (shareToken) { $("status").textContent = "This shared link is not valid any more."; return; }
  sessionStorage.removeItem(keyStorage);
  $("login").hidden = false;
  $("main").hidden = true;
  $("key").focus();
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") node.className = v; else if (k.startsWith("on")) node.addEventListener(k.slice(2), v); else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

function changeBadge(change, metric) {
  if (change === null || change === undefined) return el("span", { class: "change" }, "new");
  const good = metric === "bounce_rate" ? change < 0 : change > 0;
  const unit = metric === "bounce_rate" ? " pts" : "%";
  const arrow = change > 0 ? "↑" : change < 0 ? "↓" : "";
  return el("span", { class: "change " + (change === 0 ? "" : good ? "up" : "down"), title: "Change versus the comparison period" },
    `${arrow} ${Math.abs(change)}${unit}`);
}

async function loadTopline(s, run) {
  // estimated_visitors rides along (last): shown under the visitors only when cookie-less hits add to them.
  const metrics = [...TOPLINE.map((t) => t[0]), "estimated_visitors"];
  const data = await query({ metrics, include: { comparisons: { mode: s.compare } } });
  if (run !== generation) return;
  // The API answers an aggregate with one row (zeros for an empty period); an empty answer shows zeros too.
  const row = data.results[0] ?? { metrics: metrics.map(() => 0) };
  const estimated = row.metrics[TOPLINE.length];
  $("topline").replaceChildren(...TOPLINE.map(([metric, label, format], i) =>
    el("li", { "data-metric": metric },
      el("span", { class: "label" }, label),
      el("span", { class: "value" }, format(row.metrics[i])),
      changeBadge(row.comparison?.change[i], metric),
      ...(metric === "visitors" && estimated > row.metrics[i]
        ? [el("span", { class: "estimate", title: "Visitors who refused the cookie (DNT, GPC, opt-out) are not counted above. This estimate adds their pageviews divided by the pageviews per visitor of those with a cookie." },
          `≈ ${count(estimated)} with cookie-less visits (estimate)`)]
        : []))));
}

async function loadChart(s, run) {
  const dim = grain(s);
  const data = await query({ metrics: ["visitors", "pageviews"], dimensions: [dim], include: { comparisons: { mode: s.compare } }, pagination: { limit: 1000 } });
  if (run !== generation) return;
  const xs = data.results.map((r) => Date.parse(r.dimensions[0].replace(" ", "T") + (r.dimensions[0].length > 10 ? "Z" : "T00:00:00Z")) / 1000);
  const visitors = data.results.map((r) => r.metrics[0]);
  const pageviews = data.results.map((r) => r.metrics[1]);
  const earlier = data.results.map((r) => r.comparison ? r.comparison.metrics[0] : null);
  $("chart").setAttribute("aria-label", `Visitors and pageviews per ${dim.slice(5)}: ${visitors.reduce((a, b) => a + b, 0)} visitor-${dim.slice(5)}s and ${pageviews.reduce((a, b) => a + b, 0)} pageviews in the period.`);
  const width = $("chart").clientWidth || 600;
  const opts = {
    width, height: 260, tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"),
    series: [{}, { label: "Visitors", stroke: "#0a58ca", width: 2, fill: "rgba(10,88,202,.08)" },
      { label: "Pageviews", stroke: "#8250df", width: 2 },
      { label: "Visitors before", stroke: "#8c959f", dash: [4, 4], width: 1 }],
    axes: [{}, { size: 50 }],
    cursor: { drag: { x: false, y: false } },
  };
  if (chart) chart.destroy();
  chart = new uPlot(opts, [xs, visitors, pageviews, earlier], $("chart"));
}

function renderPanel(panel) {
  const select = panel.dims.length > 1
    ? el("select", { "aria-label": panel.title + ": show by", onchange: (e) => { panel.current = e.target.selectedIndex; loadPanel(panel, state(), generation); } },
      ...panel.dims.map(([, label]) => el("option", {}, label)))
    : "";
  const csv = el("button", { class: "csv", type: "button", "aria-label": "Download " + panel.title + " as CSV", onclick: () => download(panel) }, "CSV");
  const section = el("section", { class: "card panel", id: "panel-" + panel.id, "aria-labelledby": "title-" + panel.id },
    el("header", {}, el("h2", { id: "title-" + panel.id }, panel.title), el("div", {}, select, " ", csv)),
    el("div", { class: "body" }, el("p", { class: "empty" }, "Loading…")));
  panel.current = 0;
  panel.node = section;
  return section;
}

function panelQuery(panel) {
  const [dim] = panel.dims[panel.current];
  return { metrics: panel.metrics, dimensions: [dim], pagination: { limit: 10 }, filters: panel.hideEmpty ? [["is_not", dim, [""]]] : undefined };
}

async function loadPanel(panel, s, run) {
  const [dim, label] = panel.dims[panel.current];
  const data = await query(panelQuery(panel));
  if (run !== generation) return;
  const body = panel.node.querySelector(".body");
  if (data.results.length === 0) { body.replaceChildren(el("p", { class: "empty" }, "No data for this period.")); return; }
  const max = Math.max(...data.results.map((r) => r.metrics[0]), 1);
  const table = el("table", {},
    el("caption", { class: "visually-hidden" }, panel.title),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, label), ...panel.metrics.map((m) => el("th", { scope: "col", class: "num" }, METRIC_LABELS[m])))),
    el("tbody", {}, ...data.results.map((r) => {
      const value = r.dimensions[0];
      const name = value === "" ? "(none)" : value;
      return el("tr", {},
        el("td", { class: "name" },
          el("span", { class: "bar", style: `width:${(100 * r.metrics[0] / max).toFixed(1)}%` }),
          el("button", { type: "button", title: `Filter by ${label.toLowerCase()} ${name}`, onclick: () => addFilter(dim, value) }, name)),
        ...r.metrics.map((m) => el("td", { class: "num" }, count(m))));
    })));
  body.replaceChildren(table);
}

function addFilter(dim, value) {
  const filters = state().filters.filter(([d]) => d !== dim);
  setState({ filters: [...filters, [dim, value]] });
}

async function download(panel) {
  const blob = await query({ ...panelQuery(panel), pagination: { limit: 1000 } }, "csv");
  const a = el("a", { href: URL.createObjectURL(blob), download: `${site}-${panel.dims[panel.current][0]}.csv` });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

function renderControls(s) {
  $("period").value = s.period;
  $("compare").value = s.compare;
  $("from").value = s.from;
  $("to").value = s.to;
  $("controls").classList.toggle("is-custom", s.period === "custom");
  $("filters").replaceChildren(...s.filters.map(([dim, value]) =>
    el("li", {}, `${dim.replace("_", " ")} is ${value === "" ? "(none)" : value}`,
      el("button", { type: "button", "aria-label": `Remove filter ${dim} is ${value}`, onclick: () => setState({ filters: state().filters.filter(([d]) => d !== dim) }) }, "×"))));
}

async function load() {
  const run = ++generation;
  const s = state();
  renderControls(s);
  $("status").textContent = "";
  const jobs = [loadTopline(s, run), loadChart(s, run), ...PANELS.map((p) => loadPanel(p, s, run)), ...insightJobs(s, run)];
  const results = await Promise.allSettled(jobs);
  const failed = results.find((r) => r.status === "rejected" && r.reason.message !== "not signed in");
  if (failed && run === generation) $("status").textContent = "Some numbers could not be loaded: " + failed.reason.message;
  document.body.dataset.loaded = String(run);
}

async function realtime() {
  if (document.hidden || !key()) return;
  const response = await fetch("/api/v2/realtime?site_id=" + encodeURIComponent(site), { headers: { Authorization: "Bearer " + key() } });
  if (!response.ok) return;
  const now = await response.json();
  // A shared link under its k learns only that there are fewer current visitors than k.
  $("realtime").textContent = now.fewer_than != null
    ? `fewer than ${count(now.fewer_than)} current visitors (last ${now.minutes} minutes)`
    : `${count(now.visitors)} current visitor${now.visitors === 1 ? "" : "s"} (last ${now.minutes} minutes)`;
}

async function start() {
  $("site-title").textContent = site;
  document.title = site + " · Analytics";
  PANELS = panelsFrom(await (await fetch("/dashboard/assets/dimensions.json")).json());
  $("panels").replaceChildren(...PANELS.map(renderPanel));
  startInsights({ site, key, el, count, query, state, setState, addFilter, dateRange, shared: Boolean(shareToken), generation: () => generation });
  $("period").addEventListener("change", (e) => {
    const s = state();
    if (e.target.value === "custom") {
      const today = new Date().toISOString().slice(0, 10);
      setState({ period: "custom", from: s.from || today, to: s.to || today });
    } else setState({ period: e.target.value });
  });
  $("from").addEventListener("change", (e) => setState({ from: e.target.value }));
  $("to").addEventListener("change", (e) => setState({ to: e.target.value }));
  $("compare").addEventListener("change", (e) => setState({ compare: e.target.value }));
  $("login").addEventListener("submit", (e) => {
    e.preventDefault();
    sessionStorage.setItem(keyStorage, $("key").value.trim());
    $("login").hidden = true;
    $("main").hidden = false;
    load();
    realtime();
  });
  window.addEventListener("popstate", load);
  window.addEventListener("resize", () => chart && chart.setSize({ width: $("chart").clientWidth, height: 260 }));
  if (!key()) { showLogin(); return; }
  load();
  realtime();
  setInterval(realtime, 5000);
}

start();
