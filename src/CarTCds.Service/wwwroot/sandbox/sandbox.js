// The sandbox page: a mini-EHR. It asks the service for the exact hook request an EHR would send
// (GET /sandbox/api/patients/{id}/request), posts it to /cds-services/{id} like any EHR, renders
// the cards, and sends feedback to /cds-services/{id}/feedback. Nothing clinical is computed here.
import { renderMarkdown, escapeHtml } from "./markdown.js";
import { renderTimeline } from "./timeline.js";

const $ = id => document.getElementById(id);
const state = { patients: [], patient: null, day: 0, timeline: [] };

function headers(json) {
  const h = { Accept: "application/json" };
  if (json) h["Content-Type"] = "application/json";
  const token = $("token").value.trim();
  if (token) h.Authorization = "Bearer " + token;
  return h;
}

async function call(method, url, body) {
  const response = await fetch(url, { method, headers: headers(body !== undefined), body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!response.ok) {
    const why = json?.issue?.map(i => i.diagnostics).filter(Boolean).join("; ") || text || response.statusText;
    const error = new Error(`${method} ${url} answered ${response.status}: ${why}`);
    error.status = response.status;
    error.body = text;
    throw error;
  }
  return { status: response.status, json, text };
}

function setStatus(message, isError = false) {
  const s = $("status");
  s.textContent = message;
  s.classList.toggle("error", isError);
}

function age(birthDate, onDate) {
  if (!birthDate || birthDate.length < 10) return "";
  const b = new Date(birthDate + "T00:00:00Z"), d = new Date(onDate + "T00:00:00Z");
  let years = d.getUTCFullYear() - b.getUTCFullYear();
  if (d.getUTCMonth() < b.getUTCMonth() || (d.getUTCMonth() === b.getUTCMonth() && d.getUTCDate() < b.getUTCDate())) years--;
  return `${years} y`;
}

function storyDate(p, day) {
  const d = new Date(p.day0 + "T00:00:00Z");
  d.setUTCDate(d.getUTCDate() + day);
  return d.toISOString().substring(0, 10);
}

function renderHeader() {
  const p = state.patient;
  if (p.source === "fhir") {
    const last = state.timeline[state.timeline.length - 1];
    $("patient-header").innerHTML =
      `<strong>${escapeHtml(p.name)}</strong>` +
      `<span>${escapeHtml(p.gender ?? "")} · born ${escapeHtml(p.birthDate ?? "?")}</span>` +
      `<span>Patient/<code>${escapeHtml(p.id)}</code> on ${escapeHtml(state.fhirServer)}</span>` +
      (last ? `<span>CAR-T infused ${escapeHtml(state.timeline[0].date)} · today is <strong>day ${last.day}</strong> (service clock)</span>` +
        `<span id="header-grades">CRS ${last.crsGrade ?? "–"} · ICANS ${last.icansGrade ?? "–"} (day ${last.day})</span>` : "<span>No CAR-T infusion recorded</span>");
    return;
  }
  const date = storyDate(p, state.day);
  const today = state.timeline.find(d => d.day === state.day);
  $("patient-header").innerHTML =
    `<strong>${escapeHtml(p.name)}</strong>` +
    `<span>${escapeHtml(p.gender ?? "")} · born ${escapeHtml(p.birthDate ?? "?")} (${age(p.birthDate, date)} on ${date})</span>` +
    `<span>Patient/<code>${escapeHtml(p.id)}</code></span>` +
    (p.hasInfusion ? `<span>Tisagenlecleucel infused ${escapeHtml(p.day0)} · viewing <strong>day ${state.day}</strong> (record moved so this day is today)</span>` : `<span>No CAR-T infusion recorded · as of ${escapeHtml(p.day0)}</span>`) +
    (today ? `<span id="header-grades">CRS ${today.crsGrade ?? "–"} · ICANS ${today.icansGrade ?? "–"} (day ${today.day})</span>` : "");
}

function fillDays() {
  const p = state.patient;
  const select = $("day");
  select.replaceChildren();
  if (p.source === "fhir") {
    // A live record: the day is the service's today, not a choice.
    const o = document.createElement("option");
    o.value = "";
    o.textContent = "today (service clock)";
    select.append(o);
    select.disabled = true;
    return;
  }
  select.disabled = false;
  for (let d = p.firstDay; d <= p.lastDay; d++) {
    const o = document.createElement("option");
    o.value = String(d);
    o.textContent = p.hasInfusion ? `day ${d} (${storyDate(p, d)})` : `as of ${storyDate(p, d)}`;
    select.append(o);
  }
  state.day = p.lastDay >= 0 ? Math.min(p.lastDay, Math.max(p.firstDay, 0)) : p.lastDay;
  select.value = String(state.day);
}

function drawTimeline() {
  renderTimeline($("timeline"), state.timeline, state.day, day => selectDay(day));
}

function selectDay(day) {
  if (state.patient.source === "fhir") return;
  state.day = day;
  $("day").value = String(day);
  renderHeader();
  drawTimeline();
  $("cards").replaceChildren();
  setStatus(`Day ${day} chosen: fire a hook.`);
}

async function selectPatient(value) {
  state.patient = state.patients.find(p => p.value === value);
  const p = state.patient;
  fillDays();
  $("cards").replaceChildren();
  const source = p.source === "fhir" ? "?source=fhir" : "";
  const { json } = await call("GET", `api/patients/${encodeURIComponent(p.id)}/timeline${source}`);
  state.timeline = json;
  if (p.source === "fhir") {
    state.day = json.length ? json[json.length - 1].day : 0;
  } else {
    // Open at the day with the highest grade: where the story is.
    const worst = json.reduce((best, d) => ((d.crsGrade ?? 0) + (d.icansGrade ?? 0) > (best.crsGrade ?? 0) + (best.icansGrade ?? 0) ? d : best), json[0] ?? null);
    if (worst) { state.day = worst.day; $("day").value = String(worst.day); }
  }
  renderHeader();
  drawTimeline();
  setStatus(`${state.patient.name} loaded: fire a hook.`);
}

function showExchange(url, request, status, responseText) {
  $("request-url").textContent = url ? "POST " + url : "";
  $("request-json").textContent = request ? JSON.stringify(request, null, 2) : "";
  $("response-status").textContent = status ? `(${status})` : "";
  let pretty = responseText ?? "";
  try { pretty = JSON.stringify(JSON.parse(responseText), null, 2); } catch { /* not JSON: shown as it came */ }
  $("response-json").textContent = pretty;
}

async function fire(hook) {
  const p = state.patient;
  const orders = [...document.querySelectorAll("#orders input:checked")].map(i => i.value);
  if (hook !== "patient-view" && orders.length === 0) {
    setStatus(`Choose at least one draft order for ${hook}.`, true);
    return;
  }
  setStatus(`Calling ${hook}…`);
  $("cards").replaceChildren();
  try {
    const query = new URLSearchParams({ hook });
    if (p.source === "fhir") query.set("source", "fhir"); else query.set("day", String(state.day));
    if (hook !== "patient-view") query.set("orders", orders.join(","));
    const built = (await call("GET", `api/patients/${encodeURIComponent(p.id)}/request?${query}`)).json;
    const url = `/cds-services/${built.serviceId}`;
    showExchange(url, built.request, "", "");
    const response = await fetch(url, { method: "POST", headers: headers(true), body: JSON.stringify(built.request) });
    const text = await response.text();
    showExchange(url, built.request, `${response.status}`, text);
    if (!response.ok) {
      setStatus(`${url} answered ${response.status}; see the response panel.`, true);
      return;
    }
    const cards = JSON.parse(text).cards ?? [];
    renderCards(built.serviceId, cards);
    setStatus(`${hook} → ${built.serviceId}: ${cards.length} card(s) for ` +
      (built.day === undefined ? `today, as of ${built.storyNow}, read by the service from ${built.request.fhirServer}.` : `day ${built.day}, as of ${built.storyNow} in the story.`));
  } catch (e) {
    setStatus(e.message, true);
  }
}

function renderCards(serviceId, cards) {
  const box = $("cards");
  box.replaceChildren();
  if (cards.length === 0) {
    box.innerHTML = "<p class=\"no-cards\">No cards: the service has no guidance for this.</p>";
    return;
  }
  for (const card of cards) box.append(renderCard(serviceId, card));
}

function renderCard(serviceId, card) {
  const article = document.createElement("article");
  article.className = "card";
  article.dataset.indicator = card.indicator;
  article.dataset.uuid = card.uuid ?? "";
  article.setAttribute("aria-label", `${card.indicator}: ${card.summary}`);
  const source = /^https?:\/\//.test(card.source?.url ?? "")
    ? `<a href="${escapeHtml(card.source.url)}" target="_blank" rel="noopener noreferrer">${escapeHtml(card.source.label)}</a>`
    : escapeHtml(card.source?.label ?? "");
  const links = (card.links ?? []).filter(l => /^https?:\/\//.test(l.url))
    .map(l => `<a href="${escapeHtml(l.url)}" target="_blank" rel="noopener noreferrer">${escapeHtml(l.label)}</a>`).join(" · ");
  article.innerHTML =
    `<div class="card-head"><span class="indicator ${escapeHtml(card.indicator)}">${escapeHtml(card.indicator)}</span>` +
    `<h3 class="card-summary">${escapeHtml(card.summary)}</h3></div>` +
    `<div class="card-detail">${renderMarkdown(card.detail ?? "")}</div>` +
    `<div class="card-source">Source: ${source}</div>` +
    (links ? `<div class="card-links">Links: ${links}</div>` : "") +
    `<div class="card-actions"></div><div class="card-result"></div>`;
  const actions = article.querySelector(".card-actions");
  for (const suggestion of card.suggestions ?? []) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "suggestion";
    b.textContent = (suggestion.isRecommended ? "★ " : "") + suggestion.label;
    b.addEventListener("click", () => accept(serviceId, card, suggestion, article));
    actions.append(b);
  }
  if (card.uuid) {
    const dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "dismiss";
    dismiss.textContent = "Override…";
    dismiss.addEventListener("click", () => showOverride(serviceId, card, article));
    actions.append(dismiss);
  }
  return article;
}

function finish(article, message) {
  article.querySelectorAll(".card-actions button, .override-form button").forEach(b => { b.disabled = true; });
  const outcome = document.createElement("p");
  outcome.className = "card-outcome";
  outcome.textContent = message;
  article.querySelector(".card-result").prepend(outcome);
}

async function accept(serviceId, card, suggestion, article) {
  const created = (suggestion.actions ?? []).filter(a => a.resource).map(a => a.resource);
  const result = article.querySelector(".card-result");
  for (const resource of created) {
    const pre = document.createElement("pre");
    pre.className = "created";
    pre.tabIndex = 0;
    pre.setAttribute("aria-label", `${resource.resourceType} the suggestion creates`);
    pre.textContent = JSON.stringify(resource, null, 2);
    result.append(pre);
  }
  await sendFeedback(serviceId, {
    card: card.uuid, outcome: "accepted",
    acceptedSuggestions: suggestion.uuid ? [{ id: suggestion.uuid }] : [],
    outcomeTimestamp: new Date().toISOString(),
  }, article, `Accepted: ${suggestion.label}` + (created.length ? ` — creates ${created.map(r => r.resourceType).join(", ")}` : ""));
}

function showOverride(serviceId, card, article) {
  if (article.querySelector(".override-form")) return;
  const form = document.createElement("div");
  form.className = "override-form";
  const reasons = card.overrideReasons ?? [];
  form.innerHTML =
    (reasons.length ? `<label>Reason <select class="override-reason">${reasons.map((r, i) => `<option value="${i}">${escapeHtml(r.display ?? r.code)}</option>`).join("")}</select></label>` : "") +
    `<label>Comment <input class="override-comment" type="text" maxlength="200"></label>` +
    `<button type="button" class="send-override">Send override</button>`;
  form.querySelector(".send-override").addEventListener("click", () => {
    const select = form.querySelector(".override-reason");
    const reason = select ? reasons[Number(select.value)] : null;
    const comment = form.querySelector(".override-comment").value.trim();
    const overrideReason = {};
    if (reason) overrideReason.reason = { system: reason.system, code: reason.code, display: reason.display };
    if (comment) overrideReason.userComment = comment;
    sendFeedback(serviceId, {
      card: card.uuid, outcome: "overridden",
      ...(Object.keys(overrideReason).length ? { overrideReason } : {}),
      outcomeTimestamp: new Date().toISOString(),
    }, article, "Overridden" + (reason ? `: ${reason.display ?? reason.code}` : ""));
  });
  article.querySelector(".card-result").append(form);
  (form.querySelector("select") ?? form.querySelector("input")).focus();
}

async function sendFeedback(serviceId, entry, article, message) {
  const url = `/cds-services/${serviceId}/feedback`;
  const body = { feedback: [entry] };
  try {
    const response = await call("POST", url, body);
    showExchange(url, body, `${response.status}`, response.text);
    finish(article, message + " · feedback sent");
    await loadFeedbackSummary();
  } catch (e) {
    showExchange(url, body, `${e.status ?? ""}`, e.body ?? e.message);
    setStatus(e.message, true);
  }
}

async function loadFeedbackSummary() {
  const box = $("feedback-summary");
  try {
    const { json } = await call("GET", "/admin/feedback/summary");
    const rows = (json.cardTypes ?? []).filter(t => t.feedback > 0);
    if (rows.length === 0) {
      box.innerHTML = "<p>No feedback yet.</p>";
      return;
    }
    box.innerHTML = `<table id="feedback-table"><thead><tr><th>Service</th><th>Card type</th><th>Feedback</th><th>Accepted</th><th>Overridden</th><th>Top override reasons</th></tr></thead><tbody>` +
      rows.map(t => `<tr data-service="${escapeHtml(t.service)}" data-card-type="${escapeHtml(t.cardType ?? "")}">` +
        `<td>${escapeHtml(t.service)}</td><td>${escapeHtml(t.cardType ?? "(unknown card)")}</td><td class="fb-total">${t.feedback}</td>` +
        `<td class="fb-accepted">${t.accepted}</td><td class="fb-overridden">${t.overridden}</td>` +
        `<td class="fb-reasons">${(t.topOverrideReasons ?? []).map(r => `${escapeHtml(r.display ?? r.code ?? "")} (${r.count})`).join(", ")}</td></tr>`).join("") +
      "</tbody></table>";
  } catch (e) {
    // The summary is an admin endpoint: with authentication on, a client token may not read it.
    box.innerHTML = `<p>${escapeHtml(e.message)}</p>`;
  }
}

async function start() {
  try {
    const { json } = await call("GET", "api/patients");
    state.patients = json.patients.map(p => ({ ...p, source: "example", value: p.id }));
    const select = $("patient");
    const group = (label, patients) => {
      const g = document.createElement("optgroup");
      g.label = label;
      for (const p of patients) {
        const o = document.createElement("option");
        o.value = p.value;
        o.textContent = `${p.name} (${p.id})`;
        g.append(o);
      }
      select.append(g);
    };
    group("Example patients (profiles/examples)", state.patients);
    if (json.fhirServer) {
      state.fhirServer = json.fhirServer;
      const live = (json.fhirPatients ?? []).map(p => ({ ...p, source: "fhir", value: "fhir:" + p.id }));
      state.patients.push(...live);
      group(`FHIR server ${json.fhirServer}` + (json.fhirFailure ? " (unreachable)" : ""), live);
    }
    const orders = $("orders");
    for (const name of json.draftOrders) {
      const label = document.createElement("label");
      label.innerHTML = `<input type="checkbox" name="order" value="${escapeHtml(name)}" checked> ${escapeHtml(name)}`;
      orders.append(label);
    }
    select.addEventListener("change", () => selectPatient(select.value).catch(e => setStatus(e.message, true)));
    $("day").addEventListener("change", () => selectDay(Number($("day").value)));
    document.querySelectorAll(".hook-buttons button").forEach(b => b.addEventListener("click", () => fire(b.dataset.hook)));
    const first = state.patients.find(p => p.hasInfusion) ?? state.patients[0];
    if (first) {
      select.value = first.value;
      await selectPatient(first.value);
    }
    await loadFeedbackSummary();
    if (json.fhirFailure) setStatus(`The FHIR server ${json.fhirServer} could not be read: ${json.fhirFailure}`, true);
    document.body.dataset.ready = "true";
  } catch (e) {
    setStatus(e.message + (e.status === 401 ? " — paste a client token under 'For integrators'." : ""), true);
    document.body.dataset.ready = "error";
  }
}

// Enter in the chooser must not reload the page (no inline handler: the page's CSP forbids them).
$("chooser").addEventListener("submit", e => e.preventDefault());
// With authentication on, the first calls fail until a client token is pasted: try again then.
$("token").addEventListener("change", () => { if (document.body.dataset.ready !== "true") start(); });
start();
