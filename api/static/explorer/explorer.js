// The explorer: plain JavaScript, no build step and nothing loaded from elsewhere. Every view asks
// the JSON API the question a user could ask it (the URL of each answer is shown), and the state
// of a view is in the URL's hash, so a view can be shared, bookmarked and reloaded.

const main = document.getElementById("main");
const FOCUS = ["BGD", "IND", "NPL", "PAK", "LKA"];
const DIMENSIONS = ["economic", "social", "psychosocial"];
const LEVELS = ["individual", "community", "structural"];
const KINDS = ["dedicated", "component", "general-population"];
const PAGES = { measures: "measure", actors: "actor", policies: "policy", findings: "finding",
  recommendations: "recommendation", figures: "figure", indicators: "indicator" };
const API_LIST = { measures: "/programmes", actors: "/actors", policies: "/policies", findings: "/findings",
  recommendations: "/recommendations", figures: "/figures" };
const RECORD_API = { measure: "/programmes/", actor: "/actors/", policy: "/policies/", finding: "/findings/",
  recommendation: "/recommendations/", figure: "/figures/", indicator: "/indicators/" };
let labels = {};   // facet name -> code -> label (from /programmes/facets and /actors/facets)
let countries = {}; // ISO code -> name

// ------------------------------------------------------------------ small helpers

function h(tag, attrs = {}, ...children) {
  const el = tag === "svg" || attrs.svg ? document.createElementNS("http://www.w3.org/2000/svg", tag)
    : document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false || key === "svg") continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.setAttribute("class", value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}
const s = (tag, attrs = {}, ...children) => h(tag, { ...attrs, svg: true }, ...children);

async function api(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ? body.error.message : response.statusText);
  return body;
}

function query(params) {
  const out = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) continue;
    out.set(key, Array.isArray(value) ? value.join(",") : value);
  }
  return out.toString();
}

function route() {
  const hash = decodeURIComponent(location.hash.replace(/^#\/?/, ""));
  const [path, search] = hash.split("?");
  const params = {};
  for (const [key, value] of new URLSearchParams(search || "")) params[key] = value;
  return { parts: path.split("/").filter(Boolean), params };
}

function go(path, params = {}) {
  const q = query(params);
  location.hash = "#/" + path + (q ? "?" + q : "");
}

const list = (value) => (value ? String(value).split(",").filter(Boolean) : []);
const label = (facet, code) => (labels[facet] && labels[facet][code]) || code;
const countryName = (code) => countries[code] || code;
const link = (kind, ref) => ref ? h("a", { href: `#/${kind}/${encodeURIComponent(ref.id)}` }, ref.name || ref.id) : "";
const join = (items, sep = ", ") => items.flatMap((item, i) => (i ? [sep, item] : [item]));

function apiLink(path) {
  return h("p", { class: "muted" }, "The same answer in the API: ", h("a", { href: path }, path));
}

function csvButton(name, columns, rows) {
  // the table as shown: one line per row, the cells' text
  return h("button", { type: "button", class: "csv", onclick: () => {
    const cell = (v) => { const t = v === null || v === undefined ? "" : String(v); return /[",\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t; };
    const text = [columns.map((c) => cell(c.title)), ...rows.map((r) => columns.map((c) => cell(c.text(r))))]
      .map((line) => line.join(",")).join("\r\n");
    const a = h("a", { href: URL.createObjectURL(new Blob([text + "\r\n"], { type: "text/csv" })), download: name + ".csv" });
    document.body.append(a); a.click(); a.remove();
  } }, "Download CSV");
}

// columns: [{title, text: row -> string, cell?: row -> Node, num?}]
function table(name, caption, columns, rows) {
  const wrap = h("div", { class: "scroll", tabindex: "0", role: "region", "aria-label": caption },
    h("table", {}, h("caption", { class: "muted", style: "text-align:left" }, caption + ` (${rows.length})`),
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.num ? "num" : null }, c.title)))),
      h("tbody", {}, rows.map((r) => h("tr", {}, columns.map((c) =>
        h("td", { class: c.num ? "num" : null }, c.cell ? c.cell(r) : c.text(r))))))));
  return h("div", { class: "table" }, h("div", { class: "toolbar" }, csvButton(name, columns, rows)), wrap);
}

function quote(source) {
  if (!source || !source.quote) return null;
  return h("blockquote", {}, h("p", {}, "“" + source.quote + "”"),
    h("footer", {}, `Section ${source.section || "?"} of `, h("cite", {}, source.document || "the source")));
}

function heat(n) { return n === 0 ? 0 : n === 1 ? 1 : n <= 3 ? 2 : n <= 6 ? 3 : 4; }

function show(title, ...content) {
  document.title = title + " · Reintegration Knowledge Graph";
  main.replaceChildren(...content.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false && c !== ""));
  main.setAttribute("aria-busy", "false");
}

function markNav() {
  const first = "#/" + (route().parts[0] || "");
  for (const a of document.querySelectorAll("header nav a")) {
    const here = a.getAttribute("href").startsWith(first) && first !== "#/";
    if (here) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
}

// ------------------------------------------------------------------ home and search

async function home() {
  const focus = (await api("/countries?focus=true")).items;
  show("Explorer",
    h("h1", {}, "Support for returning migrant workers in South Asia"),
    h("p", { class: "lead" }, "Programmes, actors, policies, findings and figures for Bangladesh, India, Nepal, Pakistan and Sri Lanka, each with the verbatim sentence of its source. Search, pick a country to see where coverage is missing, or ask one of the named questions."),
    searchForm(""),
    h("h2", {}, "Countries"),
    h("ul", { class: "cards" }, focus.map((c) => h("li", {}, h("a", { href: `#/country/${c.iso3}` }, h("strong", {}, c.name)),
      h("br"), `${c.measures} measures, ${c.policies} policies, ${c.findings} findings`))),
    h("h2", {}, "Questions to start with"),
    h("ul", { class: "plain" },
      h("li", {}, h("a", { href: "#/measures?type=returnee-database" }, "Which returnee databases exist?")),
      h("li", {}, h("a", { href: "#/measures?place=ind-kerala" }, "What support is there in Kerala?")),
      h("li", {}, h("a", { href: "#/country/NPL" }, "Where are Nepal's gaps (dimension × level)?")),
      h("li", {}, h("a", { href: "#/queries/who-funds-whom?country=NPL" }, "Who funds whom in Nepal?")),
      h("li", {}, h("a", { href: "#/actor/un-women" }, "Where is UN-Women active, and with whom does it overlap?"))));
}

function searchForm(q) {
  const input = h("input", { type: "search", id: "search-q", name: "q", value: q, placeholder: "e.g. psychosocial counselling",
    "aria-describedby": "search-help" });
  return h("form", { class: "search", role: "search", onsubmit: (e) => { e.preventDefault(); go("search", { q: input.value }); } },
    h("label", { for: "search-q" }, "Search every record"), input, h("button", { class: "primary", type: "submit" }, "Search"),
    h("p", { id: "search-help", class: "muted", style: "flex-basis:100%;margin:0" },
      "Whole words, stemmed: \"a phrase\", OR, -word to leave out, word* for a prefix. Names, descriptions, notes and quotes are searched."));
}

function snippet(hit) {
  const out = [];
  let at = 0;
  for (const [start, end] of hit.highlights) {
    out.push(hit.snippet.slice(at, start), h("mark", {}, hit.snippet.slice(start, end)));
    at = end;
  }
  out.push(hit.snippet.slice(at));
  return out;
}

async function search({ params }) {
  const q = params.q || "";
  if (!q) return show("Search", h("h1", {}, "Search"), searchForm(""));
  const kinds = list(params.kind);
  const path = "/search?" + query({ q, kind: kinds, limit: 200 });
  const body = await api(path);
  const kindButtons = h("div", { class: "kinds", role: "group", "aria-label": "Kinds of record" },
    Object.entries(body.by_kind).map(([kind, n]) => h("a", { class: "button", href: "#/search?" + query({ q, kind: kinds.includes(kind) ? "" : kind }),
      "aria-current": kinds.includes(kind) ? "true" : null }, `${kind} (${n})`)));
  const rows = body.items;
  show(`Search: ${q}`, h("h1", {}, `Search: ${q}`), searchForm(q), kindButtons,
    h("p", {}, `${body.total} records match`, kinds.length ? ` (${kinds.join(", ")})` : "", "."),
    h("div", { class: "toolbar" }, csvButton("search", [{ title: "kind", text: (r) => r.kind }, { title: "id", text: (r) => r.id },
      { title: "name", text: (r) => r.name }, { title: "field", text: (r) => r.field }, { title: "snippet", text: (r) => r.snippet }], rows)),
    h("ul", { class: "hits", id: "hits" }, rows.map((hit) => h("li", {},
      h("span", { class: "badge" }, PAGES[hit.kind] || hit.kind),
      hit.kind === "places" ? h("a", { href: `#/measures?place=${hit.id}` }, hit.name)
        : h("a", { href: `#/${PAGES[hit.kind]}/${encodeURIComponent(hit.id)}` }, hit.name || hit.id),
      hit.country.length ? h("span", { class: "muted" }, " · " + hit.country.map(countryName).join(", ")) : "",
      h("div", {}, h("span", { class: "muted" }, `matched in ${hit.fields.join(", ")}: `), snippet(hit))))),
    apiLink(path));
}

// ------------------------------------------------------------------ lists with facets

const LIST_COLUMNS = {
  measures: [
    { title: "name", text: (r) => r.name, cell: (r) => link("measure", r) },
    { title: "country", text: (r) => (r.country || []).join(" ") || r.scope || "" },
    { title: "types", text: (r) => (r.types || []).map((t) => label("type", t)).join("; ") },
    { title: "dimensions", text: (r) => (r.dimensions || []).join("; ") },
    { title: "levels", text: (r) => (r.levels || []).join("; ") },
    { title: "status", text: (r) => r.status },
    { title: "counting unit", text: (r) => r.kind || "" }],
  actors: [
    { title: "name", text: (r) => r.name, cell: (r) => link("actor", r) },
    { title: "type", text: (r) => label("type", r.type) },
    { title: "active in", text: (r) => (r.countries || []).join(" ") }],
  policies: [
    { title: "name", text: (r) => r.name, cell: (r) => link("policy", r) },
    { title: "country", text: (r) => (r.country || []).join(" ") || r.scope || "" },
    { title: "kind", text: (r) => r.kind }, { title: "year", text: (r) => r.year || "" }, { title: "status", text: (r) => r.status }],
  findings: [
    { title: "finding", text: (r) => r.name || r.statement, cell: (r) => link("finding", { id: r.id, name: r.name || r.statement }) },
    { title: "kind", text: (r) => r.kind }, { title: "country", text: (r) => (r.country || []).join(" ") || r.scope || "" },
    { title: "themes", text: (r) => (r.themes || []).join("; ") }],
};
const YEARS = { measures: true, policies: true };

function facetPanel(kind, params, counts) {
  const form = h("form", { class: "facets", "aria-label": "Filters", onsubmit: (e) => e.preventDefault() });
  const q = h("input", { type: "search", id: "facet-q", value: params.q || "", name: "q" });
  form.append(h("label", { for: "facet-q" }, "Words"), q,
    h("button", { type: "button", onclick: () => go(kind, { ...params, q: q.value }) }, "Apply"));
  q.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); go(kind, { ...params, q: q.value }); } });
  if (YEARS[kind]) {
    const from = h("input", { type: "number", id: "year-from", min: 1900, max: 2100, value: params.year_from || "" });
    const to = h("input", { type: "number", id: "year-to", min: 1900, max: 2100, value: params.year_to || "" });
    const years = counts.years || {};
    form.append(h("fieldset", {}, h("legend", {}, "Years running"),
      h("div", { class: "years" }, h("label", { for: "year-from" }, "from"), from, h("label", { for: "year-to" }, "to"), to,
        h("button", { type: "button", onclick: () => go(kind, { ...params, year_from: from.value, year_to: to.value }) }, "Apply")),
      h("p", { class: "muted" }, `dated ${years.min ?? "?"}–${years.max ?? "?"}; ${years.undated ?? 0} undated (left out by a year range)`)));
  }
  for (const facet of counts.facets) {
    if (!facet.values.length) continue;
    const chosen = list(params[facet.name]);
    const box = h("fieldset", {}, h("legend", {}, facet.label));
    facet.values.forEach((v, i) => {
      const id = `f-${facet.name}-${i}`;
      const input = h("input", { type: "checkbox", id, checked: v.selected, onchange: () => {
        const next = v.selected ? chosen.filter((c) => c !== v.value) : [...chosen, v.value];
        go(kind, { ...params, [facet.name]: next });
      } });
      const row = h("label", { for: id, class: i >= 8 && !v.selected ? "extra" : null, hidden: i >= 8 && !v.selected },
        input, h("span", {}, v.label), h("span", { class: "count" }, v.count));
      box.append(row);
    });
    if (facet.values.length > 8) {
      box.append(h("button", { type: "button", class: "more", "aria-expanded": "false", onclick: (e) => {
        const open = e.target.getAttribute("aria-expanded") !== "true";
        for (const el of box.querySelectorAll("label.extra")) el.hidden = !open;
        e.target.setAttribute("aria-expanded", String(open));
        e.target.textContent = open ? "fewer" : `all ${facet.values.length}`;
      } }, `all ${facet.values.length}`));
    }
    form.append(box);
  }
  return form;
}

async function listing(kind, { params }) {
  const base = API_LIST[kind];
  const filters = { ...params };
  const [items, counts] = await Promise.all([api(`${base}?${query({ ...filters, limit: 1000 })}`),
    api(`${base}/facets?${query(filters)}`)]);
  const chosen = Object.entries(params).filter(([k, v]) => v);
  show(kind[0].toUpperCase() + kind.slice(1),
    h("h1", {}, kind[0].toUpperCase() + kind.slice(1)),
    h("p", { class: "lead" }, "Tick values to filter: several values of one filter match any of them, several filters must all match. Each count says how many records ticking that value gives."),
    h("div", { class: "layout" }, facetPanel(kind, params, counts),
      h("section", { "aria-label": "Results" },
        h("p", { id: "result-count" }, h("strong", {}, `${items.total} ${kind}`),
          chosen.length ? [" for ", join(chosen.map(([k, v]) => `${k.replace("_", " ")} = ${list(v).map((x) => label(k, x)).join(" or ")}`), "; "),
            " · ", h("a", { href: `#/${kind}` }, "clear filters")] : ""),
        table(kind, `${kind} as filtered`, LIST_COLUMNS[kind], items.items),
        apiLink(`${base}?${query(filters)}`))));
}

// ------------------------------------------------------------------ a country

function heatmap(cells, onpick, picked) {
  return h("table", { class: "heatmap" },
    h("caption", { class: "muted", style: "text-align:left" }, "Measures by dimension (rows) and level (columns)"),
    h("thead", {}, h("tr", {}, h("td"), LEVELS.map((l) => h("th", { scope: "col" }, l)))),
    h("tbody", {}, DIMENSIONS.map((d) => h("tr", {}, h("th", { scope: "row" }, label("dimension", d)),
      LEVELS.map((l) => {
        const n = cells[`${d}/${l}`].length;
        const pressed = picked === `${d}/${l}`;
        return h("td", {}, h("button", { type: "button", class: `cell heat-${heat(n)}`, "data-cell": `${d}/${l}`,
          "aria-pressed": pressed ? "true" : "false", "data-label": `${label("dimension", d)} × ${l}`, onclick: () => onpick(d, l) },
        h("span", { class: "sr" }, `${label("dimension", d)} × ${l}: `), String(n),
        h("small", {}, n === 0 ? " none" : n === 1 ? " thin" : " measures")));
      })))));
}

function cellsOf(measures) {
  const cells = {};
  for (const d of DIMENSIONS) for (const l of LEVELS) cells[`${d}/${l}`] = [];
  for (const m of measures) for (const d of m.dimensions || []) for (const l of m.levels || []) cells[`${d}/${l}`]?.push(m);
  return cells;
}

// the counting unit of the analyses for the kinds of measure ticked
function unitOf(kinds) {
  const component = kinds.includes("component"), general = kinds.includes("general-population");
  return component && general ? "all" : component ? "with-components" : general ? "with-general" : "dedicated";
}

async function countryView({ parts, params }) {
  const code = (parts[1] || "BGD").toUpperCase();
  const kinds = params.kind ? list(params.kind) : ["dedicated"];
  const [profile, measures, all, findings, thin, weighed] = await Promise.all([
    api(`/countries/${code}`), api(`/programmes?${query({ country: code, kind: kinds, limit: 1000 })}`),
    api(`/programmes?${query({ country: code, limit: 1000 })}`), api(`/findings?country=${code}&limit=1000`),
    api(`/gaps/empty-and-thin-cells?country=${code}&limit=1000`),
    api(`/gaps/findings?${query({ country: code, unit: unitOf(kinds), limit: 1000 })}`)]);
  const evidence = new Map(weighed.items.map((f) => [f.finding, f]));
  const verdict = (f) => (evidence.get(f.id) || {}).verdict || "";
  const reason = (f) => (evidence.get(f.id) || {}).reason || "";
  const cells = cellsOf(measures.items);
  const allCells = cellsOf(all.items);
  const picked = params.cell || "";
  const detail = h("div", { id: "cell-detail", "aria-live": "polite" });

  function pick(d, l) { go(`country/${code}`, { ...params, cell: `${d}/${l}` }); }

  if (picked && cells[picked]) {
    const [d, l] = picked.split("/");
    const inCell = cells[picked];
    const others = allCells[picked].filter((m) => !kinds.includes(m.kind));
    const row = thin.items.find((r) => r.dimension === d && r.level === l);
    const actors = new Map();
    for (const m of inCell) for (const refs of Object.values(m.roles || {})) for (const a of refs) actors.set(a.id, a);
    const related = findings.items.filter((f) => (f.dimensions || []).includes(d) || (f.levels || []).includes(l));
    const why = inCell.length === 0
      ? `No ${kinds.map((k) => label("kind", k)).join(" or ")} in the sources covers ${label("dimension", d)} support at the ${l} level in ${profile.name}.`
      : inCell.length === 1 ? `Thin: one measure covers ${label("dimension", d)} support at the ${l} level.`
        : `${inCell.length} measures cover ${label("dimension", d)} support at the ${l} level.`;
    const flags = row ? [row.single_actor && "one actor only", row.external_only && "funded from outside the State only",
      row.current === 0 && "no current measure (ongoing, or status not given)"].filter(Boolean) : [];
    detail.append(h("section", { class: "panel", "aria-labelledby": "cell-title" },
      h("h2", { id: "cell-title" }, `${label("dimension", d)} × ${l} in ${profile.name}`),
      h("p", { class: "why" }, why, flags.length ? " " + flags.join("; ") + "." : ""),
      inCell.length ? h("ul", { class: "plain" }, inCell.map((m) => h("li", {}, link("measure", m), " ",
        h("span", { class: "muted" }, `(${m.status})`)))) : null,
      actors.size ? h("p", {}, "Actors: ", join([...actors.values()].map((a) => link("actor", a)))) :
        inCell.length ? h("p", { class: "muted" }, "The sources name no actor for these measures.") : null,
      others.length ? h("p", {}, `Not counted here (${others.length}): `, join(others.map((m) => [link("measure", m), ` (${label("kind", m.kind)})`])),
        ". Tick them above to count them.") : null,
      related.length ? [h("h3", {}, "What the assessment says on this dimension or level"),
        h("ul", { class: "plain" }, related.map((f) => h("li", {}, h("span", { class: "badge" }, f.kind), link("finding", { id: f.id, name: f.name || f.statement }),
          ": ", f.statement, " ", h("span", { class: "muted" }, `The data: ${verdict(f)}. ${reason(f)}`), quote((f.sources || [])[0]))))] :
        h("p", { class: "muted" }, "The assessment states no finding on this dimension or level for the country."),
      h("p", {}, h("a", { href: `#/measures?${query({ country: code, dimension: d, level: l, kind: kinds })}` }, "these measures as a list"))));
  }

  const toggles = h("fieldset", { class: "toolbar", style: "border:0;padding:0" }, h("legend", {}, "Count"),
    KINDS.map((k) => h("label", {}, h("input", { type: "checkbox", name: "kind", value: k, checked: kinds.includes(k), onchange: () => {
      const next = kinds.includes(k) ? kinds.filter((x) => x !== k) : [...kinds, k];
      go(`country/${code}`, { ...params, kind: next.length ? next : ["dedicated"] });
    } }), " " + label("kind", k))));

  const ms = measures.items;
  const share = (n) => [h("span", { class: "bar-bg" }, h("span", { class: "bar", style: `width:${ms.length ? (100 * n / ms.length) : 0}%` })), `${n} of ${ms.length}`];
  const completeness = [
    ["actors (named or by kind of body)", ms.filter((m) => Object.keys(m.roles || {}).length || Object.keys(m.role_types || {}).length).length],
    ["a funder", ms.filter((m) => (m.roles || {}).funder || (m.role_types || {}).funder).length],
    ["an implementer", ms.filter((m) => (m.roles || {}).implementer || (m.role_types || {}).implementer).length],
    ["target groups", ms.filter((m) => (m.target_groups || []).length).length],
    ["migration-cycle phases", ms.filter((m) => (m.phases || []).length).length],
    ["dimensions and levels", ms.filter((m) => (m.dimensions || []).length && (m.levels || []).length).length],
    ["a start or end year", ms.filter((m) => m.start || m.end).length],
    ["a known status", ms.filter((m) => m.status !== "unknown").length]];

  show(profile.name,
    h("h1", {}, profile.name),
    h("nav", { "aria-label": "Countries", class: "kinds" }, FOCUS.map((c) => h("a", { class: "button", href: `#/country/${c}`,
      "aria-current": c === code ? "page" : null }, countryName(c)))),
    h("p", { class: "lead" }, `${profile.measures.total} measures, ${profile.policies.length} policies, ${profile.institutions.length} actors active, ${profile.findings.length} findings. `,
      h("a", { href: `/reports/${code}` }, "The gap report"), " · ", h("a", { href: `#/network?country=${code}` }, "actor network"), " · ",
      h("a", { href: `#/measures?country=${code}` }, "all measures"), " · ", h("a", { href: `#/compare?countries=${code}` }, "compare")),
    h("h2", {}, "Coverage: dimension × level"),
    h("p", { class: "muted" }, "By default the dedicated reintegration programmes (the unit the assessment lists); tick the others to count components and general-population schemes too. Choose a cell to see its measures, its actors and why it is empty or thin."),
    toggles, h("div", { class: "scroll", tabindex: "0", role: "region", "aria-label": "Coverage heatmap" }, heatmap(cells, pick, picked)),
    detail,
    h("h2", {}, "How complete are these measures?"),
    h("p", { class: "muted" }, "The share of the measures counted above whose record states each field: where the sources are silent, a gap may be one of knowledge."),
    table(`completeness-${code}`, "Measures stating", [{ title: "field", text: (r) => r[0] },
      { title: "measures", text: (r) => `${r[1]} of ${ms.length}`, cell: (r) => share(r[1]) }], completeness),
    h("h2", {}, "Gaps and findings"),
    h("p", { class: "muted" }, "Each finding with what the data says of it: supported, contradicted, or not testable (counts of measures speak only to findings on psychosocial support, targeting and gender, and only where enough records state the field). ",
      h("a", { href: `/gaps/findings?${query({ country: code, unit: unitOf(kinds) })}` }, "The rule and the counts, as JSON"), "."),
    table(`findings-${code}`, "Findings of the assessment", [
      { title: "kind", text: (r) => r.kind }, { title: "finding", text: (r) => r.name || "", cell: (r) => link("finding", { id: r.id, name: r.name || r.id }) },
      { title: "statement", text: (r) => r.statement },
      { title: "the data", text: (r) => verdict(r), cell: (r) => h("span", { title: reason(r) }, verdict(r)) },
      { title: "why", text: (r) => reason(r) },
      { title: "section", text: (r) => (r.sources[0] || {}).section || "" }], findings.items),
    apiLink(`/programmes?${query({ country: code, kind: kinds })}`));
}

// ------------------------------------------------------------------ records

function facts(rows) {
  return h("dl", { class: "facts" }, rows.filter(([, v]) => v !== null && v !== undefined && v !== "" && !(Array.isArray(v) && !v.length))
    .map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

function provenance(record) {
  return [h("h2", {}, "Sources"), (record.sources || []).length ? record.sources.map(quote) : h("p", { class: "muted" }, "No passage."),
    record.note ? [h("h2", {}, "Curator's note"), h("p", {}, record.note)] : null,
    (record.uncertain || []).length ? h("p", {}, "Not settled by the sources: " + record.uncertain.join(", ")) : null];
}

const refs = (kind, items) => (items || []).length ? join(items.map((r) => link(kind, r))) : null;

async function measurePage(id) {
  const m = await api(RECORD_API.measure + encodeURIComponent(id));
  show(m.name, h("p", {}, h("span", { class: "badge" }, "measure"), h("span", { class: "badge" }, label("kind", m.kind))),
    h("h1", {}, m.name),
    m.description ? h("p", { class: "lead" }, m.description) : null,
    facts([["country", (m.country || []).map(countryName).join(", ") || m.scope], ["places", refs("place", m.places) && join(m.places.map((p) => h("a", { href: `#/measures?place=${p.id}` }, p.name)))],
      ["types", (m.types || []).map((t) => label("type", t)).join(", ")], ["status", m.status],
      ["years", m.start || m.end ? `${m.start || "?"} – ${m.end || ""}` : null],
      ["dimensions", (m.dimensions || []).map((d) => label("dimension", d)).join(", ")], ["levels", (m.levels || []).join(", ")],
      ["target groups", (m.target_groups || []).map((t) => label("target_group", t)).join(", ")], ["phases", (m.phases || []).join(", ")],
      ["State actor", m.actor_sector ? label("sector", m.actor_sector) : "not stated"], ["State funding", m.funder_sector ? label("sector", m.funder_sector) : "not stated"],
      ["implements", refs("policy", m.policies)], ["part of", m.part_of ? link("measure", m.part_of) : null], ["components", refs("measure", m.parts)],
      ["successor of", refs("measure", m.successor_of)], ["possibly the same as", refs("measure", m.possibly_same_as)],
      ["pilot", m.pilot ? "yes" : null], ["web", m.url ? h("a", { href: m.url, rel: "noopener" }, m.url) : null]]),
    h("h2", {}, "Roles"),
    m.involvements.length ? table(`roles-${m.id}`, "Who does what, in the words of the source", [
      { title: "role", text: (r) => label("role", r.role) },
      { title: "actor or kind of body", text: (r) => r.actor ? r.actor.name : `a ${label("actor_type", r.actor_type)} (not named)`,
        cell: (r) => r.actor ? link("actor", r.actor) : `a ${label("actor_type", r.actor_type)} (not named)` },
      { title: "the source's words", text: (r) => r.words || "" }], m.involvements) : h("p", { class: "muted" }, "The sources name no actor."),
    m.findings.length ? [h("h2", {}, "Findings about it"), h("ul", { class: "plain" }, m.findings.map((f) => h("li", {}, link("finding", { id: f.id, name: f.name || f.statement }))))] : null,
    m.figures.length ? [h("h2", {}, "Figures"), table(`figures-${m.id}`, "Figures about it", [
      { title: "indicator", text: (r) => r.indicator.name }, { title: "value", text: (r) => r.value, num: true }, { title: "unit", text: (r) => r.unit },
      { title: "date", text: (r) => r.date }], m.figures)] : null,
    provenance(m), apiLink(RECORD_API.measure + m.id));
}

async function actorPage(id) {
  const a = await api(RECORD_API.actor + encodeURIComponent(id));
  const [funds, funded, overlaps] = await Promise.all([api(`/coordination/who-funds-whom?funder=${id}&limit=1000`),
    api("/coordination/who-funds-whom?limit=1000"), api(`/coordination/overlaps?actor=${id}&limit=1000`)]);
  const byCountry = [];
  for (const [role, measures] of Object.entries(a.measures_by_role)) {
    const counts = {};
    for (const m of measures) for (const c of (m.country.length ? m.country : ["(no country)"])) (counts[c] = counts[c] || []).push(m);
    for (const [country, ms] of Object.entries(counts)) byCountry.push({ country, role, measures: ms });
  }
  byCountry.sort((x, y) => x.country.localeCompare(y.country) || x.role.localeCompare(y.role));
  const fundedBy = funded.items.filter((r) => r.implementer === id);
  show(a.name, h("p", {}, h("span", { class: "badge" }, "actor"), h("span", { class: "badge" }, label("type", a.type))),
    h("h1", {}, a.name + (a.acronym ? ` (${a.acronym})` : "")),
    a.description ? h("p", { class: "lead" }, a.description) : null,
    facts([["type", label("type", a.type)], ["State", a.state ? "yes" : "no"],
      ["active in", (a.countries || []).map(countryName).join(", ")], ["part of", a.parent ? link("actor", a.parent) : null],
      ["coordination bodies", (a.coordination_bodies || []).length ? join(a.coordination_bodies.map((b) => [link("actor", b), ` (${b.role})`])) : null],
      ["members", refs("actor", a.members)], ["designated by", refs("policy", a.designated_by)]]),
    h("h2", {}, "Roles by country"),
    table(`roles-${id}`, "Measures by country and role", [{ title: "country", text: (r) => countryName(r.country) },
      { title: "role", text: (r) => label("role", r.role) }, { title: "measures", text: (r) => r.measures.length, num: true },
      { title: "which", text: (r) => r.measures.map((m) => m.name).join("; "), cell: (r) => join(r.measures.map((m) => link("measure", m)), "; ") }], byCountry),
    h("h2", {}, "Who it funds"),
    table(`funds-${id}`, "Funder → implementer", [{ title: "country", text: (r) => r.country },
      { title: "implementer", text: (r) => r.implementer_name || "not named in the sources", cell: (r) => r.implementer ? link("actor", { id: r.implementer, name: r.implementer_name }) : h("em", {}, "not named in the sources") },
      { title: "measures", text: (r) => r.measure_names.join("; "), cell: (r) => join((r.links.measure_ids || []).map((m) => link("measure", m)), "; ") }], funds.items),
    h("h2", {}, "Who funds it"),
    table(`funded-${id}`, "Funders of its measures", [{ title: "country", text: (r) => r.country },
      { title: "funder", text: (r) => r.funder_name, cell: (r) => link("actor", { id: r.funder_id, name: r.funder_name }) },
      { title: "measures", text: (r) => r.measure_names.join("; "), cell: (r) => join((r.links.measure_ids || []).map((m) => link("measure", m)), "; ") }], fundedBy),
    h("h2", {}, "Overlaps, ranked"),
    h("p", { class: "muted" }, "Actors working in the same dimension × level cells of a country (Jaccard score of the cells), with the measures they run together."),
    table(`overlaps-${id}`, "Overlapping actors", [{ title: "country", text: (r) => r.country },
      { title: "actor", text: (r) => r.name_b, cell: (r) => link("actor", { id: r.actor_b, name: r.name_b }) },
      { title: "score", text: (r) => r.score, num: true }, { title: "shared cells", text: (r) => r.shared_cells.length, num: true },
      { title: "joint measures", text: (r) => r.joint_measures, num: true }], [...overlaps.items].sort((x, y) => y.score - x.score)),
    provenance(a), apiLink(RECORD_API.actor + id));
}

async function genericPage(kind, id) {
  const r = await api(RECORD_API[kind] + encodeURIComponent(id));
  const title = r.name || (r.indicator ? `${r.indicator.name}: ${r.value} ${r.unit}` : r.statement || r.id);
  const rows = [["country", (r.country || []).map(countryName).join(", ") || r.scope], ["kind", r.kind], ["status", r.status],
    ["year", r.year], ["statement", r.statement], ["themes", (r.themes || []).join(", ")],
    ["dimensions", (r.dimensions || []).map((d) => label("dimension", d)).join(", ")], ["levels", (r.levels || []).join(", ")],
    ["value", r.value !== undefined ? `${r.value} ${r.unit}` : null], ["date", r.date],
    ["indicator", r.indicator ? r.indicator.name : null], ["about", (r.about || []).length ? join(r.about.map((x) => link({ measure: "measure", actor: "actor", policy: "policy" }[x.kind] || "measure", x))) : null],
    ["addresses", refs("finding", (r.addresses || []).map((f) => ({ id: f.id, name: f.name || f.statement })))],
    ["recommendations", refs("recommendation", (r.recommendations || []).map((f) => ({ id: f.id, name: f.name || f.id })))],
    ["designates", refs("actor", r.designates)], ["issued by", refs("actor", r.issued_by)],
    ["measures implementing it", refs("measure", r.measures)], ["under", r.under ? link("policy", r.under) : null],
    ["description", r.description]];
  show(title, h("p", {}, h("span", { class: "badge" }, kind)), h("h1", {}, title), facts(rows), provenance(r), apiLink(RECORD_API[kind] + id));
}

// ------------------------------------------------------------------ network

const TYPE_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
  "#ff7f0e", "#393b79", "#637939", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363", "#a55194", "#6b6ecf"];

function layout(nodes, edges, width, height) {
  // Fruchterman–Reingold from a circle: deterministic, so the same network draws the same way
  const n = nodes.length, k = Math.sqrt((width * height) / Math.max(n, 1)) * 0.8;
  nodes.forEach((node, i) => { node.x = width / 2 + (width / 3) * Math.cos((2 * Math.PI * i) / n); node.y = height / 2 + (height / 3) * Math.sin((2 * Math.PI * i) / n); });
  const index = new Map(nodes.map((node, i) => [node.id, i]));
  let t = width / 8;
  for (let step = 0; step < 250; step++) {
    const dx = new Float64Array(n), dy = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
      const x = nodes[i].x - nodes[j].x, y = nodes[i].y - nodes[j].y, d = Math.max(Math.hypot(x, y), 0.01), f = (k * k) / d;
      dx[i] += (x / d) * f; dy[i] += (y / d) * f; dx[j] -= (x / d) * f; dy[j] -= (y / d) * f;
    }
    for (const e of edges) {
      const i = index.get(e.source), j = index.get(e.target);
      const x = nodes[i].x - nodes[j].x, y = nodes[i].y - nodes[j].y, d = Math.max(Math.hypot(x, y), 0.01);
      const f = ((d * d) / k) * Math.min(1 + Math.log(e.weight), 3) / 3;
      dx[i] -= (x / d) * f; dy[i] -= (y / d) * f; dx[j] += (x / d) * f; dy[j] += (y / d) * f;
    }
    for (let i = 0; i < n; i++) {
      const d = Math.max(Math.hypot(dx[i], dy[i]), 0.01);
      nodes[i].x = Math.min(width - 20, Math.max(20, nodes[i].x + (dx[i] / d) * Math.min(d, t)));
      nodes[i].y = Math.min(height - 20, Math.max(20, nodes[i].y + (dy[i] / d) * Math.min(d, t)));
    }
    t *= 0.985;
  }
}

async function network({ params }) {
  const country = params.country || "";
  const path = "/coordination/network" + (country ? `?country=${country}` : "");
  const body = await api(path);
  const width = 900, height = 620;
  const nodes = body.actors.map((a) => ({ ...a }));
  layout(nodes, body.edges, width, height);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const types = [...new Set(nodes.map((n) => n.type))].sort();
  const colour = (t) => TYPE_COLOURS[types.indexOf(t) % TYPE_COLOURS.length];
  const maxDegree = Math.max(1, ...nodes.map((n) => n.degree));
  const select = h("select", { id: "network-country", onchange: (e) => go("network", { country: e.target.value }) },
    h("option", { value: "" }, "all countries"), FOCUS.map((c) => h("option", { value: c, selected: c === country }, countryName(c))));
  const svg = s("svg", { class: "network", viewBox: `0 0 ${width} ${height}`, role: "group", "aria-label": `Actor network${country ? " of " + countryName(country) : ""}: ${nodes.length} actors` },
    body.edges.map((e) => s("line", { x1: byId.get(e.source).x, y1: byId.get(e.source).y, x2: byId.get(e.target).x, y2: byId.get(e.target).y,
      stroke: e.shared_measures ? "#555" : "#bbb", "stroke-width": e.shared_measures ? 1.6 : 0.6, "stroke-opacity": 0.7 })),
    nodes.map((n) => s("a", { href: `#/actor/${n.id}`, class: "node", "data-id": n.id },
      s("title", {}, `${n.name}: ${label("type", n.type)}, ${n.degree} links`),
      s("circle", { cx: n.x, cy: n.y, r: 5 + 9 * Math.sqrt(n.degree / maxDegree), fill: colour(n.type), stroke: "#222", "stroke-width": 1 }))),
    s("g", { "aria-hidden": "true" }, nodes.filter((n) => n.degree >= maxDegree * 0.5).map((n) =>
      s("text", { x: n.x + 9, y: n.y + 4, "font-size": 12, fill: "#1b1b1f", "pointer-events": "none" }, n.name.length > 28 ? n.name.slice(0, 26) + "…" : n.name))));
  const rows = [...nodes].sort((x, y) => y.betweenness - x.betweenness || y.degree - x.degree);
  show("Actor network", h("h1", {}, "Actor network"),
    h("p", { class: "lead" }, "Actors are linked when they take part in the same measures (dark lines) or work in the same dimension × level cells of a country (light lines). Choose an actor to open its page."),
    h("div", { class: "toolbar" }, h("label", { for: "network-country" }, "Country"), select,
      h("span", {}, `${nodes.length} actors, ${body.edges.length} links, ${body.isolated.length} isolated`)),
    h("ul", { class: "legend", "aria-label": "Colours: actor types" }, types.map((t) => h("li", {}, h("span", { class: "swatch", style: `background:${colour(t)}` }), label("type", t)))),
    svg,
    h("h2", {}, "Actors, brokers first"),
    table(`network${country ? "-" + country : ""}`, "Actors of the network", [
      { title: "actor", text: (r) => r.name, cell: (r) => link("actor", r) }, { title: "type", text: (r) => label("type", r.type) },
      { title: "links", text: (r) => r.degree, num: true }, { title: "betweenness", text: (r) => r.betweenness, num: true },
      { title: "countries", text: (r) => (r.countries || []).join(" ") }], rows),
    apiLink(path));
}

// ------------------------------------------------------------------ compare

async function compare({ params }) {
  const chosen = params.countries ? list(params.countries).map((c) => c.toUpperCase()) : ["BGD", "NPL"];
  const kinds = params.kind ? list(params.kind) : ["dedicated"];
  const data = await Promise.all(chosen.map((c) => Promise.all([api(`/countries/${c}`),
    api(`/programmes?${query({ country: c, kind: kinds, limit: 1000 })}`)])));
  const boxes = h("fieldset", { class: "toolbar", style: "border:0;padding:0" }, h("legend", {}, "Countries"),
    FOCUS.map((c) => h("label", {}, h("input", { type: "checkbox", checked: chosen.includes(c), onchange: () => {
      const next = chosen.includes(c) ? chosen.filter((x) => x !== c) : [...chosen, c];
      go("compare", { countries: next, kind: params.kind });
    } }), " " + countryName(c))));
  show("Compare countries", h("h1", {}, "Compare countries"), boxes,
    h("p", { class: "muted" }, `Kinds of measure counted: ${kinds.map((k) => label("kind", k)).join(", ")}. Choose a cell to open it in the country view.`),
    h("div", { class: "compare" }, data.map(([profile, measures]) => h("section", { "aria-label": profile.name },
      h("h2", {}, h("a", { href: `#/country/${profile.iso3}` }, profile.name)),
      h("p", {}, `${measures.total} measures counted, ${profile.policies.length} policies, ${profile.institutions.length} actors, ${profile.findings.length} findings`),
      heatmap(cellsOf(measures.items), (d, l) => go(`country/${profile.iso3}`, { cell: `${d}/${l}`, kind: params.kind }), "")))));
}

// ------------------------------------------------------------------ named queries

// parameter type -> the facet whose labels list its values
const CODE_LABELS = { "code:target-group": "target_group", "code:phase": "phase", "code:dimension": "dimension",
  "code:level": "level", "code:measure-status": "status", "code:role": "role", "code:actor-type": "actor_type" };

function cellText(row, column) {
  const v = row[column];
  return Array.isArray(v) ? v.join("; ") : v === null || v === undefined ? "" : String(v);
}

function cellNode(row, column) {
  const found = row.links && row.links[column];
  if (!found) return cellText(row, column);
  const one = (r) => r.kind === "places" ? h("a", { href: `#/measures?place=${r.id}` }, r.name || r.id) : link(PAGES[r.kind], r);
  return Array.isArray(found) ? join(found.map(one), "; ") : one(found);
}

async function queries({ parts, params }) {
  const all = (await api("/queries?checks=false&limit=1000")).items;
  const name = parts[1];
  const chosen = all.find((q) => q.name === name);
  const picker = h("ul", { class: "plain" }, all.map((q) => h("li", {}, h("a", { href: `#/queries/${q.name}` }, q.title), " ", h("span", { class: "muted" }, `(${q.name})`))));
  const head = [h("h1", {}, chosen ? chosen.title : "Questions the graph answers"),
    h("p", { class: "lead" }, "Each question is a SPARQL query of the project (the same the reports and the command line run). ",
      h("a", { href: "/sparql" }, "Open the SPARQL editor"), " with every named query, or read the reports: ",
      join(FOCUS.map((c) => h("a", { href: `/reports/${c}` }, countryName(c)))), ", ", h("a", { href: "/reports/regional" }, "regional"), ".")];
  if (!chosen) return show("Questions", head, picker);
  const inputs = chosen.params.map((p) => {
    const id = `param-${p.name}`;
    let control;
    if (p.type === "iso3") control = h("select", { id, name: p.name }, h("option", { value: "" }, "(all)"), Object.keys(countries).sort().map((c) => h("option", { value: c, selected: params[p.name] === c }, `${countryName(c)} (${c})`)));
    else if (CODE_LABELS[p.type] && labels[CODE_LABELS[p.type]]) control = h("select", { id, name: p.name }, h("option", { value: "" }, "(any)"),
      Object.entries(labels[CODE_LABELS[p.type]]).map(([c, l]) => h("option", { value: c, selected: params[p.name] === c }, l)));
    else control = h("input", { id, name: p.name, type: "text", value: params[p.name] || "", placeholder: p.default || "" });
    return h("p", {}, h("label", { for: id }, `${p.name}: `), control, " ", h("span", { class: "muted" }, p.description));
  });
  const form = h("form", { onsubmit: (e) => {
    e.preventDefault();
    const values = {};
    for (const el of form.querySelectorAll("input, select")) if (el.value) values[el.name] = el.value;
    go(`queries/${chosen.name}`, { ...values, run: "1" });
  } }, inputs, h("button", { class: "primary", type: "submit", id: "run-query" }, "Run"));
  const content = [...head, h("p", {}, chosen.answers), form];
  if (params.run) {
    const values = Object.fromEntries(Object.entries(params).filter(([k]) => k !== "run"));
    const path = `/queries/${chosen.name}?${query({ ...values, limit: 1000 })}`;
    const body = await api(path);
    const columns = body.columns.map((c) => ({ title: c, text: (r) => cellText(r, c), cell: (r) => cellNode(r, c) }));
    if (body.items.some((r) => r.sources)) columns.push({ title: "source", text: (r) => ((r.sources || [])[0] || {}).quote || "",
      cell: (r) => quote((r.sources || [])[0]) || "" });
    content.push(h("h2", {}, "Answer"), table(chosen.name, chosen.title, columns, body.items), apiLink(path.replace("&limit=1000", "").replace("?limit=1000", "")));
  }
  content.push(h("details", {}, h("summary", {}, "The SPARQL"), h("pre", { class: "scroll", tabindex: "0" }, chosen.text)), h("h2", {}, "Other questions"), picker);
  show(chosen.title, content);
}

// ------------------------------------------------------------------ the router

const VIEWS = {
  "": home, search, country: countryView, network, compare, queries,
  measures: (r) => listing("measures", r), actors: (r) => listing("actors", r),
  policies: (r) => listing("policies", r), findings: (r) => listing("findings", r),
  measure: (r) => measurePage(r.parts[1]), actor: (r) => actorPage(r.parts[1]),
  policy: (r) => genericPage("policy", r.parts[1]), finding: (r) => genericPage("finding", r.parts[1]),
  recommendation: (r) => genericPage("recommendation", r.parts[1]), figure: (r) => genericPage("figure", r.parts[1]),
  indicator: (r) => genericPage("indicator", r.parts[1]),
};

async function render() {
  const r = route();
  markNav();
  main.setAttribute("aria-busy", "true");
  const view = VIEWS[r.parts[0] || ""];
  try {
    if (!view) throw new Error(`There is no view '${r.parts[0]}'.`);
    await view(r);
  } catch (error) {
    show("Error", h("h1", {}, "Something went wrong"), h("p", { class: "error", role: "alert" }, error.message),
      h("p", {}, h("a", { href: "#/" }, "Back to the start")));
  }
  main.focus({ preventScroll: false });
  window.scrollTo(0, 0);
}

async function start() {
  const [measures, actors, all] = await Promise.all([api("/programmes/facets"), api("/actors/facets"), api("/countries?limit=1000")]);
  for (const facet of [...actors.facets, ...measures.facets]) {
    labels[facet.name] = Object.fromEntries(facet.values.map((v) => [v.value, v.label]));
  }
  labels.actor_type = { ...labels.type, ...labels.actor_type };
  labels.type = { ...labels.actor_type, ...labels.type };
  countries = Object.fromEntries(all.items.map((c) => [c.iso3, c.name]));
  window.addEventListener("hashchange", render);
  await render();
}

start();
