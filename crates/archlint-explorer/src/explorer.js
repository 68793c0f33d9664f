"use strict";
let version = null;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "onclick") node.addEventListener("click", v); else node.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function link(kind, value, text) {
  return el("a", {href: "#" + kind + "=" + encodeURIComponent(value), "data-kind": kind}, text === undefined ? value : text);
}

async function api(path) {
  const r = await fetch(path, {cache: "no-store"});
  if (!r.ok) throw new Error(path + ": " + r.status);
  return r.json();
}

function table(headers, rows) {
  if (!rows.length) return el("p", {class: "empty"}, "none");
  return el("table", {}, el("tr", {}, headers.map(h => el("th", {}, h))),
    rows.map(r => el("tr", {}, r.map(c => typeof c === "number" ? el("td", {class: "n"}, c) : el("td", {}, c)))));
}

async function loadState() {
  const s = await api("/api/state");
  version = s.version;
  document.getElementById("summary").textContent =
    `${s.root} · ${s.modules} modules · ${s.imports} imports · ${s.findings} findings · analysed in ${Math.round(s.analysed_ms)} ms`;
  document.getElementById("error").textContent = s.error ? "refresh failed: " + s.error : "";
  const contracts = document.getElementById("contracts");
  contracts.replaceChildren(...(s.contracts.length ? s.contracts.map(c => el("li", {},
      el("span", {class: c.kept ? "kept" : "broken"}, c.kept ? "✓ " : "✗ "),
      link("contract", c.id, c.name),
      c.kept ? null : el("span", {class: "where"}, ` (${c.violations})`)))
    : [el("li", {class: "empty"}, "no contracts configured")]));
  const packages = document.getElementById("packages");
  packages.replaceChildren(...s.packages.map(p => el("li", {}, link("package", p))));
}

async function showPackage(name) {
  const p = await api("/api/package?name=" + encodeURIComponent(name));
  const crumbs = [];
  const parts = p.name.split(".");
  for (let i = 0; i < parts.length - 1; i++) {
    crumbs.push(link("package", parts.slice(0, i + 1).join("."), parts[i]), " . ");
  }
  const view = [
    el("div", {class: "crumbs"}, crumbs),
    el("h2", {class: "view", id: "title"}, p.name),
    el("p", {class: "where"}, `${p.kind}${p.path ? " · " + p.path : ""} · ${p.modules} modules`),
  ];
  if (p.children.length) {
    view.push(el("h3", {}, "Contents"), table(["", "modules", "imports out", "imports in"],
      p.children.map(c => [link("package", c.name), c.modules, c.imports_out, c.imports_in])));
    view.push(el("h3", {}, "Imports between its parts"), el("div", {id: "between"}, table(["from", "", "to", "imports"],
      p.between.map(b => [link("package", b.from), "→", link("package", b.to), b.imports]))));
  }
  if (p.path) {
    view.push(el("h3", {}, "Imports"), el("div", {id: "imports"}, table(["module", "line"],
      p.imports.map(i => [link("package", i.module), i.line]))));
    view.push(el("h3", {}, "Imported by"), table(["module"], p.imported_by.map(m => [link("package", m)])));
  }
  view.push(el("h3", {}, "Imports from outside"), table(["module", "imports"], p.incoming.map(i => [link("package", i.module), i.imports])));
  view.push(el("h3", {}, "Imports of outside modules"), el("div", {id: "outgoing"}, table(["module", "imports"], p.outgoing.map(i => [link("package", i.module), i.imports]))));
  document.getElementById("view").replaceChildren(...view);
}

async function showContract(id) {
  const c = await api("/api/contract?id=" + encodeURIComponent(id));
  const view = [
    el("h2", {class: "view", id: "title"}, c.name),
    el("p", {}, el("span", {class: c.kept ? "kept" : "broken", id: "status"}, c.kept ? "kept" : "broken"), ` · ${c.kind} contract`),
  ];
  if (c.kept) view.push(el("p", {class: "empty"}, "No import breaks this contract."));
  for (const v of c.violations) {
    view.push(el("div", {class: "chain"},
      el("div", {}, v.message),
      v.chain.map(s => el("div", {class: "step"},
        link("package", s.importer), " → ", link("package", s.imported),
        s.path ? el("span", {class: "where"}, `  ${s.path}${s.line ? ":" + s.line : ""}`) : null))));
  }
  document.getElementById("view").replaceChildren(...view);
}

async function route() {
  const hash = decodeURIComponent(location.hash.slice(1));
  const [kind, ...rest] = hash.split("=");
  const value = rest.join("=");
  try {
    if (kind === "package" && value) await showPackage(value);
    else if (kind === "contract" && value) await showContract(value);
  } catch (e) {
    document.getElementById("view").replaceChildren(el("p", {class: "empty"}, "Not found: " + hash));
  }
}

async function poll() {
  try {
    const v = (await api("/api/version")).version;
    if (v !== version) {
      await loadState();
      await route();
      document.getElementById("refreshed").textContent = "refreshed " + new Date().toLocaleTimeString();
    }
  } catch (e) {
    document.getElementById("error").textContent = "the server does not answer";
  }
}

window.addEventListener("hashchange", route);
loadState().then(route).then(() => setInterval(poll, 1000));
