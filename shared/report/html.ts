import { createHash } from "node:crypto";
import escapeHtml from "escape-html";
import { ruleById } from "#shared/catalog/index.ts";
import { SEVERITIES, type Severity } from "#shared/findings/index.ts";
import { fixBlocks } from "./fix-text.ts";
import { chartOfEvidence, forecastSvg } from "./forecast-chart.ts";
import { groupLabel, sortFindings } from "./order.ts";
import { PRODUCT } from "./product.ts";
import { carriedNote, shortTime } from "./terminal.ts";
import type { FindingsFormat, ReportContext, ReportFinding } from "./types.ts";

/**
 * One self-contained HTML page: a summary by severity, account and cluster, a filter box, and every finding
 * with its evidence and its fix, each command with a copy button. Nothing is fetched: the style and the
 * script are inline, and a Content-Security-Policy allows only those two (by hash) — no URL, font or image
 * can load even if one slipped in. All finding text is escaped (escape-html): resource names and tag values
 * come from the audited accounts.
 */
export function renderHtml(findings: readonly ReportFinding[], context: ReportContext): string {
  const sorted = sortFindings(findings);
  const csp = [
    "default-src 'none'",
    `style-src '${sha256(STYLE)}'`,
    `script-src '${sha256(SCRIPT)}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  const title = `EKS audit: ${plural(sorted.length, "finding")}`;
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`,
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    "<header>",
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="meta">${escapeHtml(provenance(context))}</p>`,
    "</header>",
    "<main>",
    summary(sorted),
    findingsSection(sorted, context),
    "</main>",
    `<script>${SCRIPT}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

export const htmlFormat: FindingsFormat = {
  name: "html",
  description: "one self-contained HTML page: summary, filter, evidence, fixes with copy buttons",
  document: true,
  render: renderHtml,
};

function sha256(text: string): string {
  return `sha256-${createHash("sha256").update(text, "utf8").digest("base64")}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function provenance(context: ReportContext): string {
  const source =
    context.source === "store"
      ? `findings held by the store${context.store ? ` ${context.store}` : ""}`
      : `scan${context.runId ? ` ${context.runId}` : ""}`;
  return `${source} · generated ${shortTime(context.generatedAt)} by ${PRODUCT.name} ${PRODUCT.version}`;
}

/** Rows of counts by severity under a key (account, or account / region / cluster). */
function countsTable(
  caption: string,
  keyHeads: readonly string[],
  rows: Map<string, { keys: string[]; counts: Record<Severity, number> }>,
): string {
  const head = [...keyHeads, ...SEVERITIES, "Total"]
    .map((h) => `<th scope="col">${escapeHtml(h)}</th>`)
    .join("");
  const body = [...rows.values()]
    .map(({ keys, counts }) => {
      const total = SEVERITIES.reduce((n, s) => n + counts[s], 0);
      const cells = SEVERITIES.map(
        (s) => `<td class="n${counts[s] > 0 ? ` sev-${s.toLowerCase()}` : ""}">${counts[s]}</td>`,
      );
      return `<tr>${keys.map((k) => `<td>${escapeHtml(k)}</td>`).join("")}${cells.join("")}<td class="n">${total}</td></tr>`;
    })
    .join("\n");
  return `<div class="table-scroll"><table><caption>${escapeHtml(caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

function tally(findings: readonly ReportFinding[], keysOf: (f: ReportFinding) => string[]) {
  const rows = new Map<string, { keys: string[]; counts: Record<Severity, number> }>();
  for (const f of findings) {
    const keys = keysOf(f);
    const id = keys.join("\u0000");
    const row = rows.get(id) ?? {
      keys,
      counts: Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>,
    };
    row.counts[f.severity] += 1;
    rows.set(id, row);
  }
  return rows;
}

function summary(findings: readonly ReportFinding[]): string {
  return [
    '<section id="summary" aria-labelledby="summary-title">',
    '<h2 id="summary-title">Summary</h2>',
    countsTable(
      "By severity",
      [],
      tally(findings, () => []),
    ),
    countsTable(
      "By account",
      ["Account"],
      tally(findings, (f) => [f.accountId]),
    ),
    countsTable(
      "By cluster",
      ["Account", "Region", "Cluster"],
      tally(findings, (f) => [f.accountId, f.region, f.cluster === "-" ? "(account-region)" : f.cluster]),
    ),
    "</section>",
  ].join("\n");
}

function findingsSection(findings: readonly ReportFinding[], context: ReportContext): string {
  const options = ['<option value="">every severity</option>']
    .concat(SEVERITIES.map((s) => `<option value="${s}">${s}</option>`))
    .join("");
  return [
    '<section id="findings" aria-labelledby="findings-title">',
    '<h2 id="findings-title">Findings</h2>',
    '<div class="controls">',
    '<label for="filter">Filter</label>',
    '<input id="filter" type="search" autocomplete="off" placeholder="rule, resource, account, cluster or any text">',
    `<label for="severity">Severity</label><select id="severity">${options}</select>`,
    `<span id="shown" aria-live="polite">${findings.length} of ${plural(findings.length, "finding")} shown</span>`,
    "</div>",
    findings.length === 0 ? '<p class="empty">No findings.</p>' : "",
    ...findings.map((f, i) => findingArticle(f, i, context)),
    "</section>",
  ].join("\n");
}

function findingArticle(f: ReportFinding, index: number, context: ReportContext): string {
  const id = `f${index + 1}`;
  const resource = f.variant ? `${f.resourceId} (${f.variant})` : f.resourceId;
  const rule = ruleById(f.ruleId);
  const lifecycle =
    context.source === "store" && f.status
      ? [
          f.status,
          f.firstSeen ? `first seen ${shortTime(f.firstSeen)}` : "",
          f.resolvedAt ? `resolved ${shortTime(f.resolvedAt)}` : "",
          f.resolvedReason ?? "",
        ]
          .filter((p) => p !== "")
          .join(" · ")
      : "";
  return [
    `<article class="finding" id="${id}" data-severity="${escapeHtml(f.severity)}">`,
    "<header>",
    `<span class="sev sev-${escapeHtml(f.severity.toLowerCase())}">${escapeHtml(f.severity)}</span>`,
    `<code class="rule">${escapeHtml(f.ruleId)}</code>`,
    `<span class="resource">${escapeHtml(resource)}</span>`,
    "</header>",
    `<p class="where">${escapeHtml(groupLabel(f))}</p>`,
    lifecycle ? `<p class="status">${escapeHtml(lifecycle)}</p>` : "",
    f.carriedOver ? `<p class="carried">${escapeHtml(carriedNote(f))}</p>` : "",
    `<h3>${escapeHtml(f.title)}</h3>`,
    `<p class="detail">${escapeHtml(f.detail)}</p>`,
    forecastFigure(f),
    fixSection(f.remediation, id),
    "<details>",
    "<summary>Evidence</summary>",
    `<pre class="evidence">${escapeHtml(JSON.stringify(f.evidence, null, 2))}</pre>`,
    "</details>",
    // The rule's source as text: a link would be the one network address in the page.
    rule ? `<p class="source">Rule source: <span class="url">${escapeHtml(rule.link)}</span></p>` : "",
    "</article>",
  ]
    .filter((line) => line !== "")
    .join("\n");
}

/** A forecast finding's chart (its evidence's series, need and trend); nothing for any other finding. */
function forecastFigure(f: ReportFinding): string {
  if (f.ruleId !== "ip.subnet-exhaustion-forecast") return "";
  const chart = chartOfEvidence(f.evidence);
  if (!chart) return "";
  return forecastSvg(
    chart,
    `Free IPs of ${f.resourceId} over time, the ${chart.need} a node needs, and the trend reaching it on ${chart.trend?.date}`,
  );
}

/** The fix as prose, commands and snippets; a copy button for the whole fix and one for each command and snippet. */
function fixSection(remediation: string, id: string): string {
  const out: string[] = [
    '<div class="fix">',
    '<div class="fix-head">',
    "<h4>Fix</h4>",
    `<button type="button" class="copy" data-copy="${id}-fix">Copy fix</button>`,
    "</div>",
    `<pre class="fix-text" id="${id}-fix" hidden>${escapeHtml(remediation)}</pre>`,
  ];
  let n = 0;
  for (const block of fixBlocks(remediation)) {
    if (block.kind === "prose") {
      out.push(`<p class="prose">${escapeHtml(block.text)}</p>`);
      continue;
    }
    n += 1;
    const blockId = `${id}-${block.kind}${n}`;
    const what = block.kind === "command" ? "command" : "snippet";
    out.push(
      `<div class="cmd ${block.kind}">`,
      `<pre id="${blockId}">${escapeHtml(block.text)}</pre>`,
      `<button type="button" class="copy" data-copy="${blockId}" aria-label="Copy ${what} ${n}">Copy</button>`,
      "</div>",
    );
  }
  out.push("</div>");
  return out.join("\n");
}

const STYLE = `
:root { color-scheme: light dark; --fg: #1b1f24; --muted: #57606a; --bg: #ffffff; --card: #f6f8fa; --line: #d0d7de;
  --critical: #a40e26; --high: #cf222e; --medium: #9a6700; --low: #0969da; --info: #57606a; --cmd: #eef1f4; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --card: #161b22;
  --line: #30363d; --critical: #ff7b72; --high: #ffa198; --medium: #d29922; --low: #58a6ff; --info: #9198a1; --cmd: #1f2630; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 72rem; padding: 1rem; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
  overflow-wrap: anywhere;
  color: var(--fg); background: var(--bg); }
h1 { font-size: 1.5rem; margin: 0; }
h2 { font-size: 1.2rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
.meta, .where, .status, .source { color: var(--muted); font-size: .9rem; margin: .25rem 0; }
.table-scroll { display: inline-block; max-width: 100%; overflow-x: auto; vertical-align: top; margin: .5rem 1rem 1rem 0; }
table { border-collapse: collapse; }
caption { text-align: left; font-weight: 600; padding-bottom: .25rem; }
th, td { border: 1px solid var(--line); padding: .2rem .5rem; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.controls { position: sticky; top: 0; background: var(--bg); padding: .5rem 0; display: flex; flex-wrap: wrap;
  gap: .5rem; align-items: center; border-bottom: 1px solid var(--line); z-index: 1; }
#filter { flex: 1 1 16rem; padding: .35rem .5rem; font: inherit; }
select { font: inherit; padding: .3rem; }
#shown { color: var(--muted); font-size: .9rem; }
.finding { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; margin: 1rem 0; }
.finding[hidden] { display: none; }
.finding header { display: flex; flex-wrap: wrap; gap: .5rem; align-items: baseline; }
.finding h3 { font-size: 1.05rem; margin: .4rem 0; }
.sev { font-weight: 700; font-size: .8rem; letter-spacing: .03em; }
.sev-critical { color: var(--critical); } .sev-high { color: var(--high); } .sev-medium { color: var(--medium); }
.sev-low { color: var(--low); } .sev-info { color: var(--info); }
.resource, .rule { overflow-wrap: anywhere; }
.carried { color: var(--medium); }
.fix-head { display: flex; align-items: center; gap: .75rem; }
.fix-head h4 { margin: .5rem 0; }
.prose { margin: .25rem 0; overflow-wrap: anywhere; }
.cmd { display: flex; gap: .5rem; align-items: flex-start; margin: .25rem 0; }
.cmd pre, .evidence, .fix-text { flex: 1; margin: 0; padding: .5rem; background: var(--cmd); border-radius: 4px;
  white-space: pre-wrap; overflow-wrap: anywhere; font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
button.copy { font: inherit; font-size: .85rem; padding: .2rem .6rem; cursor: pointer; }
button.copy[data-state="copied"] { border-color: var(--low); }
details { margin-top: .5rem; }
summary { cursor: pointer; }
.url { overflow-wrap: anywhere; }
.chart { margin: .5rem 0; max-width: 40rem; }
.chart svg { display: block; width: 100%; height: auto; }
.chart .axis { stroke: var(--muted); stroke-width: 1; }
.chart .grid { stroke: var(--line); stroke-width: 1; }
.chart .tick { fill: var(--muted); font: 11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.chart polyline.series { fill: none; stroke: var(--low); stroke-width: 2; }
.chart circle.sample { fill: var(--low); }
.chart line.need { stroke: var(--high); stroke-width: 1.5; stroke-dasharray: 6 4; }
.chart line.trend { stroke: var(--medium); stroke-width: 1.5; stroke-dasharray: 2 3; }
.chart circle.crossing { fill: none; stroke: var(--high); stroke-width: 2; }
.chart figcaption { color: var(--muted); font-size: .85rem; }
.key::before { content: "\\2014\\2002"; font-weight: 700; }
.key.series::before { color: var(--low); } .key.need::before { color: var(--high); } .key.trend::before { color: var(--medium); }
`;

const SCRIPT = `
(() => {
  const filter = document.getElementById("filter");
  const severity = document.getElementById("severity");
  const shown = document.getElementById("shown");
  const cards = [...document.querySelectorAll("article.finding")].map((el) => ({ el, text: el.textContent.toLowerCase() }));
  const apply = () => {
    const terms = filter.value.toLowerCase().split(/\\s+/).filter(Boolean);
    const level = severity.value;
    let n = 0;
    for (const { el, text } of cards) {
      const show = (!level || el.dataset.severity === level) && terms.every((t) => text.includes(t));
      el.hidden = !show;
      if (show) n++;
    }
    shown.textContent = n + " of " + cards.length + " finding" + (cards.length === 1 ? "" : "s") + " shown";
  };
  filter.addEventListener("input", apply);
  severity.addEventListener("change", apply);
  const fallbackCopy = (text) => {
    const area = document.createElement("textarea");
    area.value = text;
    document.body.append(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    if (!ok) throw new Error("copy refused");
  };
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button.copy");
    if (!button) return;
    const source = document.getElementById(button.dataset.copy);
    if (!source) return;
    const label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    try {
      if (navigator.clipboard && window.isSecureContext) await navigator.clipboard.writeText(source.textContent);
      else fallbackCopy(source.textContent);
      button.dataset.state = "copied";
      button.textContent = "Copied";
    } catch {
      button.dataset.state = "failed";
      button.textContent = "Select and copy";
    }
    setTimeout(() => { button.textContent = label; delete button.dataset.state; }, 2000);
  });
})();
`;
