// A tiny, safe markdown renderer for CDS Hooks card details (GitHub-flavoured subset:
// paragraphs, "- " lists, pipe tables, **bold**, *italic*, `code`, [links](https://…)).
// Safety first: the whole text is HTML-escaped before any markup is added, and only http(s)
// link targets become <a> elements, so a card can never inject HTML or script.

export function escapeHtml(text) {
  return String(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

function inline(escaped) {
  return escaped
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, "$1<em>$2</em>")
    .replace(/\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g,
      (_, label, url) => `<a href="${url}" target="_blank" rel="noopener noreferrer">${label}</a>`);
}

const isTableRow = l => /^\s*\|.*\|\s*$/.test(l);
const isListItem = l => /^\s*[-*] /.test(l);

function table(lines) {
  const cells = l => l.trim().slice(1, -1).split("|").map(c => inline(c.trim()));
  const hasHeader = lines.length >= 2 && /^\s*\|[\s:|-]+\|\s*$/.test(lines[1]);
  const head = hasHeader ? "<thead><tr>" + cells(lines[0]).map(c => `<th>${c}</th>`).join("") + "</tr></thead>" : "";
  const body = (hasHeader ? lines.slice(2) : lines).map(l => "<tr>" + cells(l).map(c => `<td>${c}</td>`).join("") + "</tr>").join("");
  return `<table class="md-table">${head}<tbody>${body}</tbody></table>`;
}

/** Markdown → HTML string (escaped first). Blocks: runs of table rows, of list items, headings,
 * and paragraphs (single newlines kept as line breaks). */
export function renderMarkdown(markdown) {
  const lines = escapeHtml(markdown ?? "").split("\n");
  const out = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === "") { i++; continue; }
    const run = test => { const start = i; while (i < lines.length && test(lines[i])) i++; return lines.slice(start, i); };
    if (isTableRow(line)) { out.push(table(run(isTableRow))); continue; }
    if (isListItem(line)) { out.push("<ul>" + run(isListItem).map(l => "<li>" + inline(l.replace(/^\s*[-*] /, "")) + "</li>").join("") + "</ul>"); continue; }
    const heading = /^(#{1,4}) (.*)$/.exec(line);
    if (heading) { out.push(`<h${heading[1].length + 3}>${inline(heading[2])}</h${heading[1].length + 3}>`); i++; continue; }
    out.push("<p>" + run(l => l.trim() !== "" && !isTableRow(l) && !isListItem(l) && !/^#{1,4} /.test(l)).map(inline).join("<br>") + "</p>");
  }
  return out.join("");
}
