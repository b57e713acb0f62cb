// The trends page (`suite history --html`): per profile, one uPlot chart per figure over the runs' start
// times, sizing changes as vertical lines, baselines and regressions as marked points, and a table of
// every run below. The data (suite.decisions.trends) is embedded in #trends-data; every name in it is
// user-controlled text and reaches the page through textContent only.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("trends-data").textContent);
  const config = JSON.parse(document.getElementById("trends-config").textContent);
  const root = document.getElementById("trends");
  const BLUE = "#2f6fb0", GREY = "#8a8f98", GREEN = "#2e8b57", RED = "#d1372f";
  window.trendCharts = []; // per profile, one uPlot per figure (tests read their scales)

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  const utc = (t) => (t === null || t === undefined ? "—"
    : new Date(t * 1000).toISOString().slice(0, 19).replace("T", " "));

  function fmt(v, figure, currency) {
    if (v === null || v === undefined) return "—";
    if (figure.key === "failure_rate") return (100 * v).toFixed(1) + "%";
    if (figure.key === "cost_per_job") return v.toFixed(4) + " " + (currency || figure.unit);
    return v.toFixed(1) + " " + figure.unit;
  }

  function sizingText(s) {
    const known = (v) => (v === null || v === undefined ? "?" : String(v));
    const mode = s.ephemeral === 1 ? " ephemeral" : s.ephemeral === 0 ? " persistent" : "";
    return known(s.runners) + " runners" + mode + ", " + known(s.task_cpu) + " CPU / " +
      known(s.task_memory) + " MiB" + (s.cpu_architecture ? ", " + s.cpu_architecture : "");
  }

  function changeText(changes) {
    return changes.map((c) => (c.field === "ephemeral"
      ? (c.before ? "ephemeral" : "persistent") + " → " + (c.after ? "ephemeral" : "persistent")
      : c.label + " " + String(c.before) + " → " + String(c.after))).join(", ");
  }

  const SHORT = { runners: "runners", task_cpu: "cpu", task_memory: "mem", cpu_architecture: "arch" };
  function shortChange(changes) { // the chart's label; the table says it in full
    return changes.map((c) => (c.field === "ephemeral" ? (c.after ? "→ ephemeral" : "→ persistent")
      : SHORT[c.field] + " " + String(c.before) + "→" + String(c.after))).join(", ");
  }

  // sizing changes: a 2-pixel vertical line (fillRect on whole pixels: one exact colour) and a label
  function markerPlugin(runs) {
    return {
      hooks: {
        draw: (u) => {
          const ctx = u.ctx, b = u.bbox;
          ctx.save();
          ctx.beginPath();
          ctx.rect(b.left, b.top, b.width, b.height);
          ctx.clip();
          ctx.fillStyle = config.marker_colour;
          ctx.font = Math.round(11 * uPlot.pxRatio) + "px sans-serif";
          ctx.textBaseline = "top";
          for (const run of runs) {
            if (!run.changes.length) continue;
            const x = Math.round(u.valToPos(run.t, "x", true));
            ctx.fillRect(x - 1, b.top, 2, b.height);
            const text = shortChange(run.changes), room = b.left + b.width - x - 6;
            const right = ctx.measureText(text).width <= room || x - b.left < b.left + b.width - x;
            ctx.textAlign = right ? "left" : "right"; // the label on the side with more room
            ctx.fillText(text, right ? x + 4 : x - 4, b.top + 2);
          }
          ctx.restore();
        },
      },
    };
  }

  function flaggedOn(run, key) {
    return run.regressions.some((r) => r.figure === key || r.figure === "verdict");
  }

  function chart(box, profile, figure, sync, width) {
    const runs = profile.runs;
    const byId = Object.fromEntries(runs.map((r) => [r.test_run_id, r]));
    const judged = (r) => r.kind === "pass" || r.kind === "fail" || r.kind === "inconclusive";
    const value = (r) => r.values[figure.key];
    const inForce = (r) => (r.baseline_before === null ? null : byId[r.baseline_before].values[figure.key]);
    // undefined: no point of this series at that run (the line joins across it); null: a gap
    const rows = [
      runs.map((r) => r.t),
      runs.map((r) => (judged(r) ? value(r) : undefined)),
      runs.map((r) => (judged(r) ? null : value(r))),
      runs.map((r) => (r.is_baseline ? value(r) : null)),
      runs.map((r) => inForce(r)),
      runs.map((r) => (flaggedOn(r, figure.key) ? value(r) : null)),
    ];
    const ts = rows[0];
    const span = ts.length > 1 ? ts[ts.length - 1] - ts[0] : 0;
    const pad = span > 0 ? span * 0.06 : 3600;
    const none = () => null;
    const opts = {
      title: figure.label + (figure.unit && figure.key !== "cost_per_job" ? " (" + figure.unit + ")" : ""),
      width: width, height: 220,
      tzDate: (t) => uPlot.tzDate(new Date(t * 1000), "Etc/UTC"),
      cursor: { sync: { key: sync }, drag: { x: true, y: false } },
      scales: {
        // the whole series padded (a run at the edge stays visible); a zoom's range as dragged
        x: { time: true, range: (u, lo, hi) => (lo <= ts[0] && hi >= ts[ts.length - 1]
          ? [ts[0] - pad, ts[ts.length - 1] + pad] : [lo, hi]) },
        y: figure.key === "failure_rate" ? { range: (u, lo, hi) => [0, Math.max(0.1, (hi || 0) * 1.2)] } : {},
      },
      axes: [
        { values: (u, splits) => splits.map((t) => utc(t).slice(5, 16).replace(" ", "\n")) },
        figure.key === "failure_rate" ? { values: (u, splits) => splits.map((v) => Math.round(100 * v) + "%") } : {},
      ],
      series: [
        { label: "run (UTC)", value: (u, v, s, i) => (i === null || i === undefined ? "—"
          : utc(v) + " " + String(runs[i].test_run_id)) },
        { label: "run", stroke: BLUE, width: 2, points: { show: true, size: 6, fill: BLUE },
          value: (u, v) => fmt(v, figure, profile.currency) },
        { label: "incomplete / no verdict", stroke: GREY, paths: none,
          points: { show: true, size: 9, stroke: GREY, fill: "#ffffff", width: 2 },
          value: (u, v) => fmt(v, figure, profile.currency) },
        { label: "baseline (PASS)", stroke: GREEN, paths: none,
          points: { show: true, size: 14, stroke: GREEN, fill: "rgba(0,0,0,0)", width: 2 },
          value: (u, v) => fmt(v, figure, profile.currency) },
        { label: "baseline in force", stroke: GREEN, dash: [6, 4], width: 1,
          paths: uPlot.paths.stepped({ align: 1 }), points: { show: false },
          value: (u, v) => fmt(v, figure, profile.currency) },
        { label: "regression", stroke: RED, paths: none,
          points: { show: true, size: 12, stroke: RED, fill: RED },
          value: (u, v) => fmt(v, figure, profile.currency) },
      ],
      plugins: [markerPlugin(runs)],
    };
    return new uPlot(opts, rows, box);
  }

  function marks(profile, run) {
    const out = [];
    if (run.changes.length) out.push({ cls: "m-sizing", text: "sizing change: " + changeText(run.changes) });
    if (run.test_run_id === profile.baseline) out.push({ cls: "m-base", text: "baseline (suite history --baseline)" });
    else if (run.is_baseline) out.push({ cls: "m-base", text: "baseline (PASS)" });
    for (const r of run.regressions) {
      const fig = data.figures.find((f) => f.key === r.figure);
      out.push({ cls: "m-flag", text: r.figure === "verdict" ? "REGRESSION: verdict FAIL"
        : "REGRESSION: " + r.label + " " + fmt(r.value, fig, run.currency) + " against " +
          fmt(r.base, fig, run.currency) + " (baseline " + String(run.baseline_before) + ")" });
    }
    if (run.kind === "incomplete" || run.kind === "unknown")
      out.push({ cls: "m-grey", text: run.kind === "incomplete" ? "incomplete: not judged, never a baseline"
        : "no verdict: not judged, never a baseline" });
    return out;
  }

  function table(profile) {
    const t = el("table", { class: "runs" });
    const head = el("tr");
    for (const h of ["start (UTC)", "run", "fleet", "verdict", ...data.figures.map((f) => f.label), "marks"])
      head.appendChild(el("th", {}, h));
    t.appendChild(el("thead")).appendChild(head);
    const body = t.appendChild(el("tbody"));
    for (const run of profile.runs) {
      const tr = el("tr", { "data-run": String(run.test_run_id), class: "k-" + run.kind });
      if (run.regressions.length) tr.classList.add("flagged");
      if (run.changes.length) tr.classList.add("changed");
      tr.appendChild(el("td", {}, utc(run.t)));
      tr.appendChild(el("td", { class: "id" }, String(run.test_run_id)));
      tr.appendChild(el("td", {}, sizingText(run.sizing)));
      tr.appendChild(el("td", { class: "verdict" }, run.verdict === null ? "—" : String(run.verdict).toUpperCase()));
      for (const f of data.figures) tr.appendChild(el("td", { class: "num" }, fmt(run.values[f.key], f, run.currency)));
      const cell = el("td", { class: "marks" });
      for (const m of marks(profile, run)) cell.appendChild(el("div", { class: m.cls }, m.text));
      tr.appendChild(cell);
      body.appendChild(tr);
    }
    return t;
  }

  data.profiles.forEach((profile, i) => {
    const s = el("section", { class: "profile", "data-profile": String(profile.profile) });
    s.appendChild(el("h2", {}, profile.profile === null ? "(runs without a profile)" : "profile " + profile.profile));
    const runs = profile.runs;
    profile.currency = (runs.find((r) => r.currency) || {}).currency || null;
    s.appendChild(el("p", { class: "meta" }, runs.length + " runs; " + (profile.baseline === null
      ? "no PASS run: no baseline" : "baseline: " + profile.baseline) +
      (profile.unplaced.length ? "; not drawn (no start time): " + profile.unplaced.join(", ") : "")));
    const grid = s.appendChild(el("div", { class: "charts" }));
    root.appendChild(s);
    const width = Math.max(420, Math.floor(((grid.clientWidth || 1180) - 8) / 2));
    window.trendCharts.push(runs.length ? data.figures.map((f) => {
      const box = grid.appendChild(el("div", { class: "chart", "data-figure": f.key, style: "width:" + width + "px" }));
      return chart(box, profile, f, "profile-" + i, width);
    }) : []);
    s.appendChild(table(profile));
  });
  if (!data.profiles.length) root.appendChild(el("p", {}, "No runs."));
})();
