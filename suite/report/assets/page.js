// The page of a run: draws the data embedded in #page-data (report.html) or read from the live URL every
// few seconds (`suite run --dashboard`). One render function for both: the live page and the report are one.
"use strict";
(function () {
  const config = JSON.parse(document.getElementById("page-config").textContent);
  const root = document.getElementById("page");
  const charts = {};

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function fmt(v, unit) {
    if (v === null || v === undefined) return "—";
    const s = Number.isInteger(v) ? String(v) : v.toFixed(2);
    return unit ? s + " " + unit : s;
  }

  function section(id, title) {
    let s = document.getElementById(id);
    if (!s) {
      s = el("section", { id: id });
      s.appendChild(el("h2", {}, title));
      root.appendChild(s);
    }
    return s;
  }

  function renderFigures(data) {
    const s = section("figures", "Figures");
    let box = s.querySelector(".figures");
    if (!box) { box = el("div", { class: "figures" }); s.appendChild(box); }
    box.replaceChildren(...data.figures.map((f) => {
      const card = el("div", { class: "figure" });
      card.appendChild(el("div", { class: "k" }, f.label));
      card.appendChild(el("div", { class: "v", "data-figure": f.path, "data-value": JSON.stringify(f.value) },
        fmt(f.value, f.unit)));
      return card;
    }));
  }

  function renderStatus(data) {
    const s = document.getElementById("status");
    if (!data.status) { if (s) s.remove(); return; }
    const box = section("status", "Live");
    let p = box.querySelector(".status");
    if (!p) { p = el("pre", { class: "status" }); box.appendChild(p); }
    p.textContent = JSON.stringify(data.status, null, 1);
  }

  function renderConcurrency(data) {
    const s = section("chart-concurrency", "Concurrency");
    const c = data.series.concurrency, w = data.series.waiting;
    const t = Array.from(new Set([...c.t, ...w.t])).sort((a, b) => a - b);
    const at = (ser, x) => { let v = null; for (let i = 0; i < ser.t.length && ser.t[i] <= x; i++) v = ser.v[i]; return v; };
    const rows = [t, t.map((x) => at(c, x)), t.map((x) => at(w, x))];
    const opts = {
      width: Math.min(1160, root.clientWidth || 1160), height: 260,
      series: [{}, { label: "running", stroke: "#2f6fb0", paths: uPlot.paths.stepped({ align: 1 }) },
               { label: "waiting", stroke: "#e69a28", paths: uPlot.paths.stepped({ align: 1 }) }],
    };
    if (charts.concurrency) charts.concurrency.setData(rows);
    else charts.concurrency = new uPlot(opts, rows, s);
  }

  function render(data) {
    root.dataset.testRunId = data.test_run_id || "";
    renderStatus(data);
    renderFigures(data);
    renderConcurrency(data);
  }

  const embedded = JSON.parse(document.getElementById("page-data").textContent);
  if (embedded) render(embedded);
  if (config.live_url) {
    const poll = () => fetch(config.live_url, { cache: "no-store" })
      .then((r) => (r.ok ? r.json() : null))
      .then((d) => { if (d) render(d); })
      .catch(() => {})
      .finally(() => setTimeout(poll, config.refresh_ms));
    poll();
  }
})();
