// The patient's days after infusion as one SVG: temperature and systolic pressure lines, oxygen
// support bars, vasopressor and dose markers, ICE/CAPD values, and the CRS and ICANS grade of
// each day as computed by the service (GET /sandbox/api/patients/{id}/timeline) — never graded here.

const NS = "http://www.w3.org/2000/svg";
const GRADE_COLOURS = ["#2e7d32", "#f9a825", "#ef6c00", "#c62828", "#6a1b9a"];
const OXYGEN_LABELS = ["room air", "low flow", "high flow / mask", "CPAP/BiPAP", "ventilated"];

function el(name, attrs = {}, text) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Draws the timeline into container; onSelect(day) when a day column is clicked. */
export function renderTimeline(container, days, selectedDay, onSelect) {
  container.replaceChildren();
  if (!days || days.length === 0) {
    container.textContent = "No CAR-T infusion in this record: no timeline.";
    return;
  }
  const colW = 44, left = 110, width = left + days.length * colW + 10;
  const rows = { temp: [20, 90], sbp: [100, 170], oxy: [180, 215], vaso: 232, neuro: 256, crs: 282, icans: 310, doses: 340 };
  const height = 362;
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img", class: "timeline-svg",
    "aria-label": "Timeline of days after infusion: temperature, systolic pressure, oxygen, vasopressors, ICE/CAPD, CRS and ICANS grades, doses" });
  const x = i => left + i * colW + colW / 2;
  const scale = (v, lo, hi, [top, bottom]) => bottom - (Math.min(Math.max(v, lo), hi) - lo) / (hi - lo) * (bottom - top);

  const labels = [["Temp °C", 55], ["SBP mmHg", 135], ["Oxygen", 200], ["Vasopressor", rows.vaso], ["ICE / CAPD", rows.neuro], ["CRS grade", rows.crs], ["ICANS grade", rows.icans], ["Toci / steroid", rows.doses]];
  for (const [text, y] of labels) svg.append(el("text", { x: 4, y: y + 4, class: "row-label" }, text));

  // Reference lines: fever 38.0 °C (ASTCT), hypotension SBP 90 mm Hg (docs/CLINICAL-RULES.md, CRS table).
  const feverY = scale(38, 35.5, 41, rows.temp);
  svg.append(el("line", { x1: left, x2: width - 10, y1: feverY, y2: feverY, class: "ref-line" }));
  svg.append(el("text", { x: width - 12, y: feverY - 2, class: "ref-label", "text-anchor": "end" }, "38.0"));
  const hypoY = scale(90, 50, 160, rows.sbp);
  svg.append(el("line", { x1: left, x2: width - 10, y1: hypoY, y2: hypoY, class: "ref-line" }));
  svg.append(el("text", { x: width - 12, y: hypoY - 2, class: "ref-label", "text-anchor": "end" }, "90"));

  days.forEach((d, i) => {
    const g = el("g", { class: "day" + (d.day === selectedDay ? " selected" : ""), "data-day": d.day });
    g.append(el("rect", { x: left + i * colW, y: 0, width: colW, height, class: "day-bg" }));
    g.append(el("title", {}, `Day ${d.day} (${d.date}): CRS ${d.crsGrade ?? "–"}, ICANS ${d.icansGrade ?? "–"}`));
    g.append(el("text", { x: x(i), y: 12, class: "day-label", "text-anchor": "middle" }, `d${d.day}`));
    if (d.oxygenSupportLevel !== null && d.oxygenSupportLevel !== undefined) {
      const h = 6 + d.oxygenSupportLevel * 7;
      g.append(el("rect", { x: x(i) - 12, y: rows.oxy[1] - h, width: 24, height: h, class: "oxy oxy-" + d.oxygenSupportLevel },));
      g.lastChild.append(el("title", {}, `${OXYGEN_LABELS[d.oxygenSupportLevel]} (${d.oxygenDevice})${d.maxOxygenFlowLpm ? `, ${d.maxOxygenFlowLpm} L/min` : ""}`));
    }
    if (d.vasopressor) g.append(el("text", { x: x(i), y: rows.vaso + 4, class: "vaso", "text-anchor": "middle" }, "▲"));
    const neuro = d.minIce !== null ? `${d.minIce}` : d.maxCapd !== null ? `C${d.maxCapd}` : "";
    g.append(el("text", { x: x(i), y: rows.neuro + 4, class: "neuro", "text-anchor": "middle" }, neuro));
    for (const [key, y] of [["crsGrade", rows.crs], ["icansGrade", rows.icans]]) {
      const grade = d[key];
      g.append(el("rect", { x: x(i) - 15, y: y - 10, width: 30, height: 20, rx: 4, class: "grade",
        fill: grade === null ? "#9e9e9e" : GRADE_COLOURS[grade], "data-grade": grade ?? "" }));
      g.append(el("text", { x: x(i), y: y + 5, class: "grade-text", "text-anchor": "middle" }, grade === null ? "–" : String(grade)));
    }
    d.doses.forEach((dose, k) => {
      const mark = dose.drug === "tocilizumab" ? "T" : "S";
      const t = el("text", { x: x(i) - 10 + k * 9, y: rows.doses + 4, class: "dose dose-" + (mark === "T" ? "toci" : "steroid") }, mark);
      t.append(el("title", {}, `${dose.drug}${dose.mg ? " " + dose.mg + " mg" : ""} at ${dose.time.substring(11, 16)}Z`));
      g.append(t);
    });
    g.addEventListener("click", () => onSelect(d.day));
    svg.append(g);
  });

  for (const [key, lo, hi, band, cls] of [["maxTemperatureC", 35.5, 41, rows.temp, "temp-line"], ["minSystolicMmHg", 50, 160, rows.sbp, "sbp-line"]]) {
    const points = days.map((d, i) => d[key] === null ? null : [x(i), scale(d[key], lo, hi, band), d[key]]).filter(p => p);
    svg.append(el("polyline", { points: points.map(p => p[0] + "," + p[1]).join(" "), class: cls }));
    for (const p of points) {
      const c = el("circle", { cx: p[0], cy: p[1], r: 3, class: cls + "-dot" });
      c.append(el("title", {}, String(p[2])));
      svg.append(c);
    }
  }
  container.append(svg);
}
