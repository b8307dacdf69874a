// Goals, funnels, custom properties and segments: the dashboard's parts that use a site's saved
// definitions. Every number comes from the stats API (POST /api/v2/query, /funnel), as in app.js.

import { drawMap } from "./map.js";

let ctx;

export function segmentFilters(s) {
  return s.segment ? [["is", "segment", [s.segment]]] : [];
}

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { "Content-Type": "application/json", Authorization: "Bearer " + ctx.key() },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error((await response.json().catch(() => ({}))).detail || response.statusText);
  return response.status === 204 ? null : response.json();
}

function table(caption, headers, rows) {
  const { el } = ctx;
  return el("table", {},
    el("caption", { class: "visually-hidden" }, caption),
    el("thead", {}, el("tr", {}, ...headers.map((h, i) => el("th", { scope: "col", class: i ? "num" : "" }, h)))),
    el("tbody", {}, ...rows));
}

function card(id, title, ...children) {
  const { el } = ctx;
  return el("section", { class: "card panel", id: "panel-" + id, "aria-labelledby": "title-" + id },
    el("header", {}, el("h2", { id: "title-" + id }, title)), ...children);
}

function say(node, text) { node.textContent = text; }

// Goals: conversions and conversion rate of each goal in the period; a form adds one (admin key).
function goalsPanel() {
  const { el } = ctx;
  const message = el("p", { class: "note", role: "status" });
  const form = el("form", { class: "inline-form", "aria-label": "Add a goal" },
    el("label", {}, "Name ", el("input", { name: "name", required: "", maxlength: "200" })),
    el("label", {}, "Type ", el("select", { name: "kind" }, el("option", { value: "page" }, "Page visited"), el("option", { value: "event" }, "Custom event"))),
    el("label", {}, "Path or event ", el("input", { name: "value", required: "", maxlength: "200", placeholder: "/signup/done or /blog/*" })),
    el("button", { type: "submit" }, "Add goal"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const body = { site_id: ctx.site, name: data.get("name") };
    body[data.get("kind") === "page" ? "path" : "event"] = data.get("value");
    try {
      await api("POST", "/api/v2/goals", body);
      form.reset();
      say(message, "Goal added.");
      await loadGoals(ctx.generation());
    } catch (error) { say(message, "The goal was not added: " + error.message); }
  });
  return card("goals", "Goals", el("div", { class: "body" }, el("p", { class: "empty" }, "Loading…")), form, message);
}

async function loadGoals(run) {
  const { el, count } = ctx;
  const data = await ctx.query({ metrics: ["conversions", "conversion_rate"], dimensions: ["goal"], pagination: { limit: 50 } });
  if (run !== ctx.generation()) return;
  const body = document.querySelector("#panel-goals .body");
  if (data.results.length === 0) { body.replaceChildren(el("p", { class: "empty" }, "No goals yet: add one below.")); return; }
  body.replaceChildren(table("Goals", ["Goal", "Conversions", "Conversion rate"], data.results.map((r) =>
    el("tr", { "data-goal": r.dimensions[0] },
      el("td", { class: "name" }, el("button", { type: "button", title: "Filter by goal " + r.dimensions[0], onclick: () => ctx.addFilter("goal", r.dimensions[0]) }, r.dimensions[0])),
      el("td", { class: "num" }, count(r.metrics[0])),
      el("td", { class: "num" }, r.metrics[1].toFixed(1) + "%")))));
}

// Custom properties: pick a name in use, see its values.
function propertiesPanel() {
  const { el } = ctx;
  const select = el("select", { "aria-label": "Property", onchange: () => loadPropertyValues(ctx.generation()) });
  return card("props", "Properties", el("div", {}, select), el("div", { class: "body" }, el("p", { class: "empty" }, "Loading…")));
}

async function loadProperties(s, run) {
  const { el } = ctx;
  const range = ctx.dateRange(s);
  const param = Array.isArray(range) ? range.join(",") : range;
  const data = await api("GET", `/api/v2/properties?site_id=${encodeURIComponent(ctx.site)}&date_range=${encodeURIComponent(param)}`);
  if (run !== ctx.generation()) return;
  const select = document.querySelector("#panel-props select");
  const previous = select.value;
  select.replaceChildren(...data.properties.map((p) => el("option", { value: p.name }, p.name)));
  if (data.properties.some((p) => p.name === previous)) select.value = previous;
  await loadPropertyValues(run);
}

async function loadPropertyValues(run) {
  const { el, count } = ctx;
  const body = document.querySelector("#panel-props .body");
  const name = document.querySelector("#panel-props select").value;
  if (!name) { body.replaceChildren(el("p", { class: "empty" }, "No custom properties in this period.")); return; }
  const dim = "event:props:" + name;
  const data = await ctx.query({ metrics: ["visitors", "events"], dimensions: [dim], filters: [["is_not", dim, [""]]], pagination: { limit: 10 } });
  if (run !== ctx.generation()) return;
  body.replaceChildren(table("Values of " + name, [name, "Visitors", "Events"], data.results.map((r) =>
    el("tr", {},
      el("td", { class: "name" }, el("button", { type: "button", onclick: () => ctx.addFilter(dim, r.dimensions[0]) }, r.dimensions[0])),
      el("td", { class: "num" }, count(r.metrics[0])),
      el("td", { class: "num" }, count(r.metrics[1]))))));
}

// Funnel: 2 to 8 steps (a goal's name, or a page path starting with /), within a visit or N days.
function funnelPanel() {
  const { el } = ctx;
  const steps = el("ol", { class: "funnel-steps" });
  const addStep = (value = "") => {
    if (steps.children.length >= 8) return;
    steps.append(el("li", {}, el("input", { name: "step", "aria-label": "Step " + (steps.children.length + 1), value, placeholder: "/pricing or a goal name" })));
  };
  for (let i = 0; i < 3; i++) addStep();
  const form = el("form", { class: "inline-form", "aria-label": "Funnel steps" }, steps,
    el("button", { type: "button", onclick: () => addStep() }, "Add step"),
    el("label", {}, " Within ", el("select", { name: "within" },
      el("option", { value: "" }, "one visit"), el("option", { value: "1" }, "1 day"), el("option", { value: "7" }, "7 days"), el("option", { value: "30" }, "30 days"))),
    el("button", { type: "submit" }, "Show funnel"));
  form.addEventListener("submit", (e) => { e.preventDefault(); loadFunnel(ctx.generation()); });
  return card("funnel", "Funnel", form, el("div", { class: "body" }, el("p", { class: "empty" }, "Enter 2 to 8 steps.")));
}

async function loadFunnel(run) {
  const { el, count } = ctx;
  const form = document.querySelector("#panel-funnel form");
  const steps = [...form.querySelectorAll("input[name=step]")].map((i) => i.value.trim()).filter(Boolean)
    .map((v) => (v.startsWith("/") ? { page: v } : { goal: v }));
  const body = document.querySelector("#panel-funnel .body");
  if (steps.length < 2) { body.replaceChildren(el("p", { class: "empty" }, "Enter 2 to 8 steps.")); return; }
  const s = ctx.state();
  const within = form.querySelector("select[name=within]").value;
  try {
    const data = await api("POST", "/api/v2/funnel", {
      site_id: ctx.site, date_range: ctx.dateRange(s), steps, within_days: within ? Number(within) : undefined,
      filters: [...segmentFilters(s), ...s.filters.map(([d, v]) => ["is", d, [v]])],
    });
    if (run !== ctx.generation()) return;
    const shown = (v) => (v === null ? "—" : count(v));
    body.replaceChildren(table("Funnel", ["Step", "Visitors", "Dropped off", "Of first step"], data.steps.map((step, i) =>
      el("tr", { "data-step": String(i + 1) },
        el("td", { class: "name" }, `${i + 1}. ${step.label}`),
        el("td", { class: "num" }, shown(step.visitors)),
        el("td", { class: "num" }, shown(step.dropoff)),
        el("td", { class: "num" }, step.conversion_rate === null ? "—" : step.conversion_rate.toFixed(1) + "%")))));
    body.dataset.loaded = String(run);
  } catch (error) { body.replaceChildren(el("p", { class: "empty" }, "The funnel could not be loaded: " + error.message)); }
}

// A world map of visitors by country, with the table of the leading countries beside it.
function mapPanel() {
  const { el } = ctx;
  const section = card("map", "Visitors by country", el("div", { class: "map-layout" }, el("div", { class: "map" }), el("div", { class: "body" })));
  section.classList.add("wide");
  return section;
}

async function loadMap(run) {
  const { el, count } = ctx;
  const data = await ctx.query({ metrics: ["visitors"], dimensions: ["country"], filters: [["is_not", "country", [""]]], pagination: { limit: 300 } });
  if (run !== ctx.generation()) return;
  drawMap(document.querySelector("#panel-map .map"), new Map(data.results.map((r) => [r.dimensions[0], r.metrics[0]])), count);
  document.querySelector("#panel-map .body").replaceChildren(data.results.length === 0
    ? el("p", { class: "empty" }, "No data for this period.")
    : table("Visitors by country", ["Country", "Visitors"], data.results.slice(0, 10).map((r) =>
      el("tr", { "data-country": r.dimensions[0] },
        el("td", { class: "name" }, el("button", { type: "button", onclick: () => ctx.addFilter("country", r.dimensions[0]) }, r.dimensions[0])),
        el("td", { class: "num" }, count(r.metrics[0]))))));
}

// Segments: choose a saved filter set (applied to every panel), or save the current filters as one.
async function loadSegments(s) {
  const { el } = ctx;
  const select = document.getElementById("segment");
  const segments = await api("GET", "/api/v2/segments?site_id=" + encodeURIComponent(ctx.site));
  select.replaceChildren(el("option", { value: "" }, "All visitors"), ...segments.map((g) => el("option", { value: g.name }, g.name)));
  select.value = s.segment;
}

function segmentControls() {
  const { el } = ctx;
  const message = el("span", { class: "note", role: "status", id: "segment-status" });
  const select = el("select", { id: "segment", "aria-label": "Segment", onchange: (e) => ctx.setState({ segment: e.target.value }) });
  const name = el("input", { id: "segment-name", "aria-label": "Segment name", placeholder: "Segment name", maxlength: "200" });
  const save = el("button", { type: "button", id: "segment-save", onclick: async () => {
    const s = ctx.state();
    if (!name.value.trim() || s.filters.length === 0) { say(message, "Add filters and a name first."); return; }
    try {
      await api("POST", "/api/v2/segments", { site_id: ctx.site, name: name.value.trim(), filters: s.filters.map(([d, v]) => ["is", d, [v]]) });
      say(message, "Segment saved.");
      name.value = "";
      await loadSegments(s);
    } catch (error) { say(message, "The segment was not saved: " + error.message); }
  } }, "Save filters as segment");
  return el("div", { class: "segments" }, el("label", {}, "Segment ", select), name, save, message);
}

export function startInsights(context) {
  ctx = context;
  document.getElementById("panels").append(goalsPanel(), propertiesPanel());
  document.getElementById("insights").replaceChildren(mapPanel(), funnelPanel());
  document.getElementById("segment-controls").replaceChildren(segmentControls());
  // A shared link reads only: it cannot save goals or segments (its segment, if any, is locked in the link).
  if (ctx.shared) {
    document.getElementById("segment-controls").hidden = true;
    document.querySelector("#panel-goals form").hidden = true;
  }
}

export function insightJobs(s, run) {
  const jobs = [loadGoals(run), loadProperties(s, run), loadMap(run)];
  if (!ctx.shared) jobs.push(loadSegments(s));
  if (document.querySelector("#panel-funnel .body table")) jobs.push(loadFunnel(run));
  return jobs;
}
