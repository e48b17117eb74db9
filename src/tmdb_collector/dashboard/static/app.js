// The dashboard page: renders progress pushed over Server-Sent Events, sends Start / Pause.
"use strict";

(() => {
  const STATES = {
    idle: "Idle", running: "Running", pausing: "Pausing…", paused: "Paused",
    complete: "Complete", failed: "Failed",
  };
  const STAGE_NUMBERS = { popular: 1, discover: 2, details: 3, linked: 4 };
  const MAX_LOG_LINES = 500;
  const numbers = new Intl.NumberFormat("en-US");
  const $ = (id) => document.getElementById(id);
  let shownFormats = "";
  let shownLinked = "";
  let shownMedia = "";

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    const total = Math.max(0, Math.round(seconds));
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = String(total % 60).padStart(2, "0");
    return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
  }

  function setNumber(id, value, text) {
    const el = $(id);
    el.dataset.value = String(value);
    el.textContent = text === undefined ? numbers.format(value) : text;
  }

  function setBar(name, done, total) {
    const row = $(`bar-${name}`);
    row.querySelector(".count").textContent = `${numbers.format(done)} / ${numbers.format(total)}`;
    const percent = total > 0 ? Math.min(100, (100 * done) / total) : 0;
    row.querySelector(".fill").style.width = `${percent.toFixed(1)}%`;
    row.classList.toggle("finished", total > 0 && done >= total);
  }

  function barRow(id, label, className) {
    const row = document.createElement("div");
    row.className = className;
    row.id = id;
    const head = document.createElement("div");
    head.className = "bar-head";
    const name = document.createElement("span");
    name.className = "bar-label";
    name.textContent = label;
    const count = document.createElement("span");
    count.className = "count";
    count.textContent = "0 / 0";
    head.append(name, count);
    const bar = document.createElement("div");
    bar.className = "bar";
    const fill = document.createElement("div");
    fill.className = "fill";
    bar.append(fill);
    row.append(head, bar);
    return row;
  }

  // The linked stage (collect --linked): its bar, then one per entity type, in the words of
  // each entity's media type ("People"), as the snapshot names them.
  function renderLinked(stage, linked) {
    const names = Object.keys(linked || {});
    const key = stage ? `${stage.label}|${names.map((n) => linked[n].label).join(",")}` : "";
    if (key !== shownLinked) {
      shownLinked = key;
      const rows = stage ? [barRow("bar-linked", `Stage 4 · ${stage.label}`, "bar-row")] : [];
      for (const name of names) {
        rows.push(barRow(`bar-linked-${name}`, linked[name].label, "bar-row entity"));
      }
      $("linked-bars").replaceChildren(...rows);
    }
    for (const name of names) setBar(`linked-${name}`, linked[name].done, linked[name].total);
  }

  function stageText(view) {
    if (view.stage === "done") return "All stages done";
    const stage = view.stages[view.stage];
    return stage ? `Stage ${STAGE_NUMBERS[view.stage]} · ${stage.label}` : "—";
  }

  function renderFormats(formats) {
    const key = formats.map((f) => f.format).join(",");
    if (key === shownFormats) return;
    shownFormats = key;
    const select = $("format");
    const chosen = select.value;
    select.replaceChildren(...formats.map((f) => new Option(f.label, f.format)));
    if (formats.some((f) => f.format === chosen)) select.value = chosen;
  }

  function outageText(outage) {
    const next = outage.next_probe_in === null ? "probing now"
      : `next probe in ${duration(outage.next_probe_in)}`;
    return `Waiting for TMDB for ${duration(outage.elapsed)} (since ${outage.since}: `
      + `${outage.reason}); ${next}. Pause still works.`;
  }

  let shownParts = "";

  // "credits, keywords and recommendations": the media type's default parts, in words.
  function inWords(names) {
    if (names.length < 2) return names.join("") || "none";
    return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  }

  function renderParts(parts, canStart) {
    $("default-parts").textContent = inWords(parts.default);
    const key = parts.available.join(",") + "|" + parts.chosen.join(",");
    if (key !== shownParts) {
      shownParts = key;
      const boxes = parts.available.map((name) => {
        const label = document.createElement("label");
        const box = document.createElement("input");
        box.type = "checkbox";
        box.value = name;
        box.checked = parts.chosen.includes(name);
        label.append(box, document.createTextNode(` ${name}`));
        return label;
      });
      $("part-list").replaceChildren(...boxes);
    }
    for (const box of $("part-list").querySelectorAll("input")) box.disabled = !canStart;
  }

  function chosenParts() {
    return [...$("part-list").querySelectorAll("input:checked")].map((box) => box.value);
  }

  // The collection's own words ("Series collected"), sent by the server with every view.
  function renderWords(media, stages) {
    if (!media || media.name === shownMedia) return;
    shownMedia = media.name;
    const heading = `TMDB ${media.label} Collector`;
    $("heading").textContent = heading;
    document.title = heading;
    $("plural").textContent = media.plural;
    for (const word of document.querySelectorAll(".media-word")) word.textContent = media.word;
    $("collected-label").textContent = `${media.title} Collected`;
    $("details-label").textContent = `Stage 3 · ${stages.details.label}`;
  }

  function render(view) {
    renderWords(view.media, view.stages);
    const state = $("state");
    const waiting = Boolean(view.outage) && view.state === "running";
    state.textContent = waiting ? "Waiting for TMDB" : STATES[view.state] || view.state;
    state.dataset.state = waiting ? "waiting" : view.state;
    $("stage").textContent = stageText(view);
    $("elapsed").textContent = duration(view.elapsed);
    $("eta").textContent = view.state === "running" && !waiting ? duration(view.eta) : "—";
    $("message").textContent = waiting ? outageText(view.outage) : view.message || "";
    setNumber("movies", view.movies);
    setNumber("requests", view.requests);
    setNumber("errors", view.errors);
    setNumber("rate", view.request_rate, view.request_rate.toFixed(1));
    setBar("overall", view.overall.done, view.overall.total);
    renderLinked(view.stages.linked, view.linked);
    for (const name of Object.keys(STAGE_NUMBERS)) {
      if (view.stages[name]) setBar(name, view.stages[name].done, view.stages[name].total);
    }
    $("start").disabled = !view.can_start;
    $("pause").disabled = !view.can_pause;
    $("download").disabled = !view.can_download;
    renderFormats(view.formats);
    if (view.parts) renderParts(view.parts, view.can_start);
  }

  function addLog(line) {
    const log = $("log");
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 8;
    const row = document.createElement("div");
    row.className = `line ${String(line.level).toLowerCase()}`;
    const time = document.createElement("time");
    time.textContent = new Date(line.time * 1000).toLocaleTimeString("en-GB");
    row.append(time, document.createTextNode(` ${line.text}`));
    log.append(row);
    while (log.childElementCount > MAX_LOG_LINES) log.firstElementChild.remove();
    if (atBottom) log.scrollTop = log.scrollHeight;
  }

  async function post(path, payload = {}) {
    try {
      const response = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(payload),
      });
      if (response.ok || response.status === 409) render(await response.json());
      else addLog({ time: Date.now() / 1000, level: "ERROR", text: `${path}: HTTP ${response.status}` });
    } catch (error) {
      addLog({ time: Date.now() / 1000, level: "ERROR", text: `${path}: ${error}` });
    }
  }

  function download() {
    const link = document.createElement("a");
    link.href = `/api/download?format=${encodeURIComponent($("format").value)}`;
    link.download = "";
    document.body.append(link);
    link.click();
    link.remove();
  }

  function setConnected(connected) {
    const el = $("connection");
    el.textContent = connected ? "live" : "reconnecting…";
    el.classList.toggle("offline", !connected);
  }

  function connect() {
    const events = new EventSource("/api/events");
    events.addEventListener("progress", (e) => render(JSON.parse(e.data)));
    events.addEventListener("log", (e) => addLog(JSON.parse(e.data)));
    events.addEventListener("open", () => setConnected(true));
    events.addEventListener("error", () => setConnected(false));
  }

  $("start").addEventListener("click", () => post("/api/start", { parts: chosenParts() }));
  $("pause").addEventListener("click", () => post("/api/pause"));
  $("download").addEventListener("click", download);
  connect();
})();
