// The charts of the page of a run (suite/report/assets/page.js draws the rest): uPlot, times in UTC, one
// chart per series of page_data, each created once and then given new data in place. Drag to zoom: every
// time chart follows (one shared x range); a double-click resets; the cursor is synced across them. The load
// pattern's stages are shaded behind each. Text from the data is set with textContent only.
"use strict";
function pageCharts(root, h) {
  const { el, fmt, utc, dur, section, child, isNum } = h;
  const charts = {};          // name -> uPlot
  const fresh = {};           // name -> the latest data for the charts' draw hooks
  let xRange = null;          // the user's zoom [min, max], shared by every time chart; null = all
  let stages = [];
  const SYNC = uPlot.sync("run");
  const C = { run: "#2f6fb0", wait: "#e69a28", limit: "#d1372f", sched: "#8a94a6", sent: "#2f6fb0",
    late: "#d1372f", gh: "#2f6fb0", sch: "#e69a28", done: "#2f6fb0", start: "#9ec1e6",
    cold: "#c9ced8", idle: "#eef0f4", success: "#3a8f4f", failure: "#d1372f", cancelled: "#8a6d00",
    other: "#7f6bb3" };
  const TASK_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
    "#7f7f7f", "#bcbd22", "#17becf"];


  function shade(u) {   // the load pattern's stages behind every time chart
    const ctx = u.ctx, top = u.bbox.top, h = u.bbox.height;
    ctx.save();
    ctx.font = Math.round(11 * devicePixelRatio) + "px system-ui,sans-serif";
    stages.forEach((st, i) => {
      const a = Math.max(u.bbox.left, u.valToPos(st.start, "x", true));
      const b = Math.min(u.bbox.left + u.bbox.width, u.valToPos(st.end, "x", true));
      if (b <= a) return;
      ctx.fillStyle = i % 2 ? "rgba(120,130,160,0.06)" : "rgba(120,130,160,0.14)";
      ctx.fillRect(a, top, b - a, h);
      ctx.fillStyle = "#5b6578";
      const pad = 4 * devicePixelRatio;
      if (ctx.measureText(st.label).width + 2 * pad < b - a) ctx.fillText(st.label, a + pad, top + 12 * devicePixelRatio);
    });
    ctx.restore();
  }

  function applyRange(except) {
    for (const [name, u] of Object.entries(charts)) {
      if (u === except) continue;
      const full = u._full;
      const r = xRange || full;
      if (r && isNum(r[0]) && isNum(r[1]) && r[1] > r[0]) u.setScale("x", { min: r[0], max: r[1] });
    }
  }

  function baseOpts(name, height, extra) {
    const width = Math.max(320, (root.clientWidth || 1100) - 24);
    return Object.assign({
      width: width, height: height,
      tzDate: (t) => uPlot.tzDate(new Date(t * 1000), "Etc/UTC"),
      cursor: {
        sync: { key: SYNC.key, setSeries: false },
        drag: { x: true, y: false, setScale: false },
        bind: { dblclick: (u, targ, handler) => (e) => { xRange = null; applyRange(); return null; } },
      },
      hooks: {
        drawClear: [shade],
        setScale: [(u, key) => {   // the x range shown, on the chart's section (read by the page tests)
          if (key !== "x") return;
          const sec = u.root.closest("section");
          if (sec) { sec.dataset.xmin = String(u.scales.x.min); sec.dataset.xmax = String(u.scales.x.max); }
        }],
        setSelect: [(u) => {
          if (u.select.width < 3) return;
          const a = u.posToVal(u.select.left, "x"), b = u.posToVal(u.select.left + u.select.width, "x");
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          xRange = [a, b];
          applyRange();
        }],
      },
      legend: { live: true },
    }, extra || {}, { axes: timeAxes(extra && extra.axes), series: timeSeries(extra && extra.series) });
  }

  // the x axis in UTC, 24-hour: HH:MM, with seconds when the view spans under 10 minutes
  function timeAxes(axes) {
    const a = (axes || [{}, {}]).slice();
    a[0] = Object.assign({
      values: (u, splits) => {
        const span = u.scales.x.max - u.scales.x.min;
        return splits.map((t) => new Date(t * 1000).toISOString().slice(11, span < 600 ? 19 : 16));
      },
    }, a[0]);
    return a;
  }
  function timeSeries(series) {
    const s = (series || [{}]).slice();
    s[0] = Object.assign({ value: (u, v) => utc(v) }, s[0]);
    return s;
  }

  // one chart per name: created once, then given new data in place (the user's zoom kept)
  function chart(name, title, caption, opts, rows, full) {
    const s = section("chart-" + name, title, "chart");
    const cap = child(s, "p", "caption");
    cap.textContent = caption;
    let box = s.querySelector(".plot");
    if (!box) { box = el("div", { class: "plot" }); s.insertBefore(box, cap); }
    const empty = !rows[0] || rows[0].length === 0;
    let none = s.querySelector(".none");
    if (empty) {
      if (!none) { none = el("p", { class: "none" }); s.insertBefore(none, box); }
      none.textContent = "Nothing to draw yet.";
      box.hidden = true;
      return;
    }
    if (none) none.remove();
    box.hidden = false;
    // a chart is rebuilt only when its shape changes (series added, a new lane height), else updated
    const sig = opts.height + ":" + opts.series.map((x) => x.label).join("|");
    let u = charts[name];
    if (u && u._sig !== sig) { u.destroy(); u = null; }
    if (!u) { u = charts[name] = new uPlot(opts, rows, box); u._sig = sig; }
    else u.setData(rows, false);
    u._full = full;
    const r = xRange || full;
    if (r && r[1] > r[0]) u.setScale("x", { min: r[0], max: r[1] });
    else u.redraw();
  }

  const stepped = () => uPlot.paths.stepped({ align: 1 });
  const dots = (stroke, size) => ({ stroke: stroke, fill: stroke, paths: () => null, points: { show: true, size: size || 4, stroke: stroke, fill: stroke } });

  function valueAt(ser, xs) {   // a step series read at each x (its last change at or before x)
    const out = new Array(xs.length).fill(null);
    let i = -1;
    for (let k = 0; k < xs.length; k++) {
      while (i + 1 < ser.t.length && ser.t[i + 1] <= xs[k]) i++;
      out[k] = i >= 0 ? ser.v[i] : null;
    }
    return out;
  }
  const union = (...arrs) => Array.from(new Set([].concat(...arrs))).sort((a, b) => a - b);
  const extent = (d, ...arrs) => {
    if (d.window) return d.window;
    const all = [].concat(...arrs).filter(isNum);
    return all.length ? [Math.min(...all), Math.max(...all)] : null;
  };

  function renderConcurrency(d) {
    const c = d.series.concurrency, w = d.series.waiting, cfg = d.series.configured;
    const t = union(c.t, w.t);
    const rows = [t, valueAt(c, t), valueAt(w, t), t.map(() => (isNum(cfg) ? cfg : null))];
    const binned = c.binned || w.binned ? " Binned: each step is the highest level inside its bin." : "";
    chart("concurrency", "Concurrency and jobs waiting",
      "Jobs running (blue) and jobs waiting — created, not yet started (orange) — against the configured runners (red)." + binned,
      baseOpts("concurrency", 260, {
        series: [{ label: "time (UTC)" }, { label: "running", stroke: C.run, width: 1.5, paths: stepped(), points: { show: false } },
          { label: "waiting", stroke: C.wait, width: 1.5, paths: stepped(), points: { show: false } },
          { label: "configured runners", stroke: C.limit, dash: [6, 4], width: 1.5, points: { show: false } }],
        scales: { y: { range: (u, lo, hi) => [0, Math.max(1, hi * 1.08)] } },
      }), rows, extent(d, t));
  }

  function renderDispatch(d) {
    const dp = d.series.dispatch;
    const t = union(dp.scheduled.t, dp.sent.t, dp.lag_t);
    const lagAt = new Map(dp.lag_t.map((x, i) => [x, dp.lag_s[i]]));
    const curve = (c) => valueAt({ t: c.t, v: c.n }, t).map((v) => (v === null ? 0 : v));
    const rows = [t, curve(dp.scheduled), curve(dp.sent), t.map((x) => (lagAt.has(x) ? lagAt.get(x) : null))];
    const n = dp.counts;
    chart("dispatch", "Dispatch progress against the schedule",
      "Cumulative dispatches scheduled (grey) and sent (blue); dots: each dispatch's lateness, sent − scheduled (right axis). " +
      fmt(n.sent) + " of " + fmt(n.scheduled) + " sent, " + fmt(n.not_sent) + " not sent." +
      (dp.stride > 1 ? " Lateness downsampled: every " + dp.stride + "th dispatch." : ""),
      baseOpts("dispatch", 240, {
        series: [{ label: "time (UTC)" }, { label: "scheduled", stroke: C.sched, width: 1.5, paths: stepped(), points: { show: false } },
          { label: "sent", stroke: C.sent, width: 1.5, paths: stepped(), points: { show: false } },
          Object.assign({ label: "late by s", scale: "lag" }, dots(C.late, 4))],
        axes: [{}, { label: "dispatches" }, { side: 1, scale: "lag", label: "late s", grid: { show: false } }],
        scales: { lag: { range: (u, lo, hi) => [0, Math.max(1, hi * 1.1)] } },
      }), rows, extent(d, t));
  }

  function renderQueue(d) {
    const q = d.series.queue;
    const order = q.x.map((_, i) => i).sort((a, b) => q.x[a] - q.x[b]);
    const rows = [order.map((i) => q.x[i]), order.map((i) => q.github[i]), order.map((i) => q.from_schedule[i])];
    chart("queue", "Queue time by dispatch time",
      "One dot per job: queue time on GitHub (started − created, blue) and from the schedule (started − scheduled, orange), by its workflow's " +
      (q.x_is_dispatch ? "dispatch time." : "job's creation time (no dispatch time joined for some jobs).") +
      (q.stride > 1 ? " Downsampled: every " + q.stride + "th job." : ""),
      baseOpts("queue", 260, {
        series: [{ label: "time (UTC)" }, Object.assign({ label: "queue s (GitHub)" }, dots(C.gh, 4)),
          Object.assign({ label: "queue s (from schedule)" }, dots(C.sch, 3))],
        axes: [{}, { label: "seconds" }],
        scales: { y: { range: (u, lo, hi) => [0, Math.max(1, hi * 1.1)] } },
      }), rows, extent(d, rows[0]));
  }

  function renderThroughput(d) {
    const th = d.series.throughput;
    const rows = [th.starts, th.started, th.completed];
    const unit = th.width_s === 60 ? "minute" : dur(th.width_s);
    chart("throughput", "Throughput per " + unit,
      "Jobs completed (dark) and started (light) per " + unit + " of the window; the run's throughput is " +
      fmt(th.jobs_per_min, "jobs/min") + "." + (th.width_s > 60 ? " Binned: minutes merged into " + unit + " bins." : ""),
      baseOpts("throughput", 220, {
        series: [{ label: "bin start (UTC)" },
          { label: "started", stroke: C.start, fill: C.start, points: { show: false }, paths: uPlot.paths.bars({ size: [0.9, 80], align: 1 }) },
          { label: "completed", stroke: C.done, fill: C.done, points: { show: false }, paths: uPlot.paths.bars({ size: [0.5, 44], align: 1 }) }],
        scales: { y: { range: (u, lo, hi) => [0, Math.max(1, hi * 1.1)] } },
      }), rows, extent(d, th.starts));
  }

  function gantDraw(u) {
    const g = fresh.gantt;
    if (!g) return;
    const ctx = u.ctx, L = u.bbox.left, R = L + u.bbox.width, T = u.bbox.top, H = u.bbox.height;
    const lh = H / Math.max(1, g.lanes);
    ctx.save();
    ctx.beginPath(); ctx.rect(L, T, u.bbox.width, H); ctx.clip();
    for (let i = 0; i < g.s.length; i++) {
      let a = u.valToPos(g.s[i], "x", true), b = u.valToPos(g.e[i], "x", true);
      if (b < L || a > R) continue;
      const kind = g.kinds[g.k[i]];
      ctx.fillStyle = C[kind];
      const pad = kind === "idle" ? lh * 0.3 : lh * 0.12;
      ctx.fillRect(a, T + g.lane[i] * lh + pad, Math.max(1, b - a), lh - 2 * pad);
    }
    ctx.restore();
  }

  function ganttHover(u) {
    const g = fresh.gantt, out = document.getElementById("gantt-hover");
    if (!g || !out) return;
    const { left, top } = u.cursor;
    if (left < 0) { out.textContent = ""; return; }
    const x = u.posToVal(left, "x"), lane = Math.floor(top / (u.bbox.height / devicePixelRatio) * g.lanes);
    let hit = -1;
    for (let i = 0; i < g.s.length; i++) if (g.lane[i] === lane && g.s[i] <= x && x <= g.e[i] && (hit < 0 || g.k[i] > 1)) hit = i;
    out.textContent = hit < 0 ? "slot " + (lane + 1) + " · " + utc(x) :
      "slot " + (lane + 1) + " · " + g.kinds[g.k[hit]] + " " + utc(g.s[hit]) + " → " + utc(g.e[hit]) + " (" + dur(g.e[hit] - g.s[hit]) + ")";
  }

  function renderGantt(d) {
    const g = d.series.gantt;
    fresh.gantt = g;
    const view = g.view || d.window;
    const rows = view ? [view, [0, g.lanes]] : [[], []];
    const more = g.lanes_total > g.lanes ? " Showing " + g.lanes + " of " + g.lanes_total + " slots." : "";
    const slice = g.sliced && view ? " A time slice, up to " + utc(view[1]) + ": the first " + fmt(g.max_jobs) + " of " + fmt(g.jobs_total) + " jobs by start." : "";
    chart("gantt", "Runner timeline per slot",
      "One lane per runner slot (tasks that ran one after another): cold start (grey, task created → started), idle (pale), " +
      "then each job coloured by outcome: success (green), failure (red), cancelled (amber), other (violet). " +
      fmt(g.cold_starts) + " cold starts, " + fmt(g.jobs_drawn) + " jobs drawn." + more + slice,
      baseOpts("gantt", Math.max(140, Math.min(560, 16 * g.lanes + 60)), {
        series: [{ label: "time (UTC)" }, { label: "slot", show: true, stroke: "transparent", paths: () => null, points: { show: false } }],
        scales: { y: { range: () => [0, Math.max(1, (fresh.gantt || g).lanes)] } },
        axes: [{}, { show: false }],
        legend: { show: false },
        hooks: Object.assign({}, baseOpts("gantt").hooks, { draw: [gantDraw], setCursor: [ganttHover] }),
      }), rows, view);
    const s = document.getElementById("chart-gantt");
    if (s && !document.getElementById("gantt-hover")) s.insertBefore(el("p", { id: "gantt-hover", class: "hover" }), s.querySelector(".caption"));
  }

  function taskTable(m, lines) {   // one line per task (joined on time), or one cloud of points
    if (!m.tasks.length) return { rows: [[]], series: [] };
    if (lines) {
      const rows = uPlot.join(m.tasks.map((_, i) => [m.t[i], m.v[i]]));
      const series = m.tasks.map((name, i) => ({ label: name.slice(0, 12), stroke: TASK_COLOURS[i % TASK_COLOURS.length], width: 1.2, spanGaps: true, points: { show: true, size: 4 } }));
      return { rows: rows, series: series };
    }
    const pts = [];
    m.t.forEach((ts, i) => ts.forEach((t, k) => pts.push([t, m.v[i][k]])));
    pts.sort((a, b) => a[0] - b[0]);
    return { rows: [pts.map((p) => p[0]), pts.map((p) => p[1])], series: [Object.assign({ label: "all tasks" }, dots(TASK_COLOURS[0], 3))] };
  }

  function renderResources(d) {
    const r = d.series.resources;
    for (const [key, title, unit] of [["cpu", "CPU per task", "CPU units (1024 = 1 vCPU)"], ["memory", "Memory per task", "MiB"]]) {
      const m = r[key], tt = taskTable(m, r.lines);
      const reserved = m.reserved;
      if (isNum(reserved) && tt.rows[0].length) { tt.rows.push(tt.rows[0].map(() => reserved)); tt.series.push({ label: "reserved", stroke: C.limit, dash: [6, 4], width: 1.2, points: { show: false } }); }
      chart(key, title,
        "Per ECS task" + (r.lines ? ", one line each" : ", one dot per sample") + ": the in-task sampler's readings where the task has them, else Container Insights (one a minute). " +
        unit + "; dashed: the task's reservation. " + fmt(r.samples) + " samples from " + fmt(m.tasks.length) + " task(s)." +
        (r.stride > 1 ? " Downsampled: every " + r.stride + "th sample." : ""),
        baseOpts(key, 220, {
          series: [{ label: "time (UTC)" }, ...tt.series],
          scales: { y: { range: (u, lo, hi) => [0, Math.max(1, hi * 1.1)] } },
          axes: [{}, { label: unit, size: 60 }],
          legend: { show: r.lines && m.tasks.length <= 12, live: true },
        }), tt.rows, extent(d, tt.rows[0]));
    }
  }


  function resize() {
    const w = Math.max(320, (root.clientWidth || 1100) - 24);
    for (const u of Object.values(charts)) u.setSize({ width: w, height: u.height });
  }

  return {
    render(d) {
      stages = d.stages || [];
      renderConcurrency(d);
      renderDispatch(d);
      renderQueue(d);
      renderGantt(d);
      renderThroughput(d);
      renderResources(d);
    },
    resize: resize,
  };
}
