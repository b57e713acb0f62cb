// The page of a run: draws the data embedded in #page-data (report.html) or read from the live URL every
// few seconds (`suite run --dashboard`). One render function for both: the live page and the report are one.
// This file: the header, the live status, the figures and the thresholds; the charts are page_charts.js's.
// Text from the data is always set with textContent (never innerHTML), so a name cannot inject HTML.
"use strict";
(function () {
  const config = JSON.parse(document.getElementById("page-config").textContent);
  const root = document.getElementById("page");

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  const isNum = (v) => typeof v === "number" && isFinite(v);
  function fmt(v, unit) {
    if (v === null || v === undefined) return "—";
    if (typeof v !== "number") return String(v);
    const s = Number.isInteger(v) ? v.toLocaleString("en") : v.toFixed(2);
    return unit ? s + " " + unit : s;
  }
  function utc(t) {
    return isNum(t) ? new Date(t * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC") : "—";
  }
  function dur(s) {
    if (!isNum(s)) return "—";
    s = Math.round(s);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return (h ? h + " h " : "") + (h || m ? m + " min " : "") + r + " s";
  }

  function section(id, title, cls) {
    let s = document.getElementById(id);
    if (!s) {
      s = el("section", { id: id, class: cls || "" });
      if (title) s.appendChild(el("h2", {}, title));
      root.appendChild(s);
    }
    return s;
  }
  function child(parent, tag, cls) {
    let c = parent.querySelector(":scope > " + tag + "." + cls);
    if (!c) { c = el(tag, { class: cls }); parent.appendChild(c); }
    return c;
  }

  // --- header, live status, figures, thresholds --------------------------------------------------------

  function renderHeader(d) {
    const s = section("head", null);
    const lead = document.getElementById("lead");   // the report's title, banner and facts (server-side)
    if (lead && lead.parentNode !== s) s.appendChild(lead);
    if (lead && lead.querySelector("h1")) return;    // report.html: its title and verdict are static HTML
    const h = child(s, "h1", "title");
    const badge = d.status ? (d.status.stage || "live") : (d.verdict || "unknown");
    h.replaceChildren(el("span", {}, d.test_run_id || "run"),
      el("span", { class: "badge " + String(badge).replace(/[^a-z]/g, "") }, String(badge).toUpperCase()));
    const meta = child(s, "p", "meta");
    meta.textContent = "profile " + (d.profile || "—") + " · environment " + (d.environment || "—") +
      (d.window ? " · window " + utc(d.window[0]) + " .. " + utc(d.window[1]) : "");
    s.insertBefore(h, s.firstChild);
    h.after(meta);
  }

  function kv(box, key, value, sub, extra) {
    const c = el("div", { class: "card" + (extra ? " " + extra : "") });
    c.appendChild(el("div", { class: "k" }, key));
    c.appendChild(el("div", { class: "v" }, value));
    if (sub) c.appendChild(el("div", { class: "s" }, sub));
    box.appendChild(c);
    return c;
  }

  function renderStatus(d) {
    const st = d.status;
    const old = document.getElementById("status");
    if (!st) { if (old) old.remove(); return; }
    const s = section("status", "Live");
    const box = child(s, "div", "cards");
    box.replaceChildren();
    // updated_at is on the run's clock (the twin's runs faster than real time): shown as a time, not an age
    kv(box, "stage", st.stage || "—", "as of " + utc(st.updated_at) +
      (isNum(st.clock_speed) && st.clock_speed !== 1 ? " (run clock ×" + st.clock_speed + ")" : ""));
    const dp = st.dispatch || {};
    const c = kv(box, "dispatched", fmt(dp.sent) + " / " + fmt(dp.due) + " / " + fmt(dp.scheduled),
      "sent / due now / scheduled · late " + fmt(dp.late) + " · not sent " + fmt(dp.not_sent), "wide");
    if (isNum(dp.sent) && isNum(dp.scheduled) && dp.scheduled > 0) {
      const bar = el("div", { class: "bar" });
      const due = el("div", { class: "due" }), sent = el("div", { class: "sent" });
      due.style.width = (100 * Math.min(1, (dp.due || 0) / dp.scheduled)) + "%";
      sent.style.width = (100 * Math.min(1, dp.sent / dp.scheduled)) + "%";
      bar.append(due, sent);
      c.appendChild(bar);
    }
    const j = st.jobs || {};
    kv(box, "jobs waiting / running", fmt(j.waiting) + " / " + fmt(j.running),
      "booting " + fmt(j.booting) + " · done " + fmt(j.done));
    const rn = st.runs;
    kv(box, "workflow runs", rn ? fmt(rn.completed) + " done" : "—", rn ? "queued " + fmt(rn.queued) +
      " · in progress " + fmt(rn.in_progress) + " · missing " + fmt(rn.missing) : "not polled yet",
    ).appendChild(el("div", { class: "s" }, "polled " + (isNum(st.polled_age_s) ? dur(st.polled_age_s) + " ago" : "—")));
    const r = st.runners;
    kv(box, "runners busy / configured", r ? fmt(r.busy) + " / " + fmt(r.configured) : "—",
      r ? "online " + fmt(r.online) : "not observed yet");
    const a = st.api || {};
    kv(box, "API requests", fmt(a.counted) + " counted", fmt(a.not_modified) + " not modified (304, free) · remaining " +
      fmt(a.remaining) + " · governor " + (a.governor || "—") + (a.waiting ? " · waiting: " + a.waiting : ""));
    kv(box, "ETA", isNum(st.eta_real_s) ? dur(st.eta_real_s) : "—", st.eta_of ? "of the " + st.eta_of : "");
    const msg = child(s, "p", "message");
    msg.textContent = [st.message, st.report ? "report: " + st.report : null].filter(Boolean).join(" · ");
  }

  function renderFigures(d) {
    const s = section("figures", "Figures");
    const box = child(s, "div", "cards");
    box.replaceChildren(...d.figures.map((f) => {
      const card = el("div", { class: "card" });
      card.appendChild(el("div", { class: "k" }, f.label));
      card.appendChild(el("div", { class: "v", "data-figure": f.path, "data-value": JSON.stringify(f.value) },
        fmt(f.value, f.unit)));
      return card;
    }));
  }

  function renderThresholds(d) {
    const s = section("thresholds", "Thresholds");
    const th = d.thresholds || [];
    if (!th.length) { child(s, "p", "note").textContent = "The profile sets no thresholds."; return; }
    const wrap = child(s, "div", "scroll");
    const t = el("table", { class: "thresholds" });
    const head = el("tr");
    for (const h of ["threshold", "value", "status", "abort on fail", "reason"]) head.appendChild(el("th", { class: "l" }, h));
    t.appendChild(el("thead")).appendChild(head);
    const body = t.appendChild(el("tbody"));
    for (const x of th) {
      const tr = el("tr", { class: x.status === "pass" ? "" : "bad" });
      tr.appendChild(el("td", { class: "l" })).appendChild(el("code", {}, x.expr));
      tr.appendChild(el("td", {}, fmt(x.value)));
      tr.appendChild(el("td", { class: "l " + (x.status === "pass" ? "ok" : "ko") }, x.status || "—"));
      tr.appendChild(el("td", { class: "l" }, x.abort_on_fail === true ? "yes" : x.abort_on_fail === false ? "no" : "—"));
      tr.appendChild(el("td", { class: "l why" }, x.reason || ""));
      body.appendChild(tr);
    }
    wrap.replaceChildren(t);
  }

  const charts = pageCharts(root, { el, fmt, utc, dur, section, child, isNum });

  function render(d) {
    root.dataset.testRunId = d.test_run_id || "";
    renderHeader(d);
    renderStatus(d);
    renderFigures(d);
    renderThresholds(d);
    charts.render(d);
    root.dataset.rendered = String(Number(root.dataset.rendered || 0) + 1);
  }

  let resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(charts.resize, 100);
  });

  // the live page's server stops with the run: say so instead of showing the last figures as current
  let lostSince = null;
  function lost(when) {
    if (when === null) lostSince = null;
    else if (lostSince === null) lostSince = when;
    let note = document.getElementById("lost");
    if (lostSince === null) { if (note) note.remove(); return; }
    if (!note) { note = el("div", { id: "lost", class: "banner", role: "alert" }); document.body.prepend(note); }
    note.textContent = "The run's live page has not answered since " + lostSince.toISOString().slice(11, 19) +
      " UTC: the run has ended or stopped. Its report.html (in the run directory) is this page with the " +
      "final data.";
  }

  const embedded = JSON.parse(document.getElementById("page-data").textContent);
  if (embedded) render(embedded);
  if (config.live_url) {
    const poll = () => fetch(config.live_url, { cache: "no-cache" })  // revalidated: an unchanged body is a 304
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error("HTTP " + r.status))))
      .then((d) => { lost(null); render(d); })
      .catch(() => lost(new Date()))
      .finally(() => setTimeout(poll, config.refresh_ms));
    poll();
  }
})();
