import { createColors } from "picocolors";
import wrapAnsi from "wrap-ansi";
import type { Severity } from "#shared/findings/index.ts";
import { fixBlocks, layoutCommand } from "./fix-text.ts";
import { groupLabel, sortFindings } from "./order.ts";
import type { ReportFinding } from "./types.ts";

export type Colors = ReturnType<typeof createColors>;

export interface TerminalOptions {
  /** Terminal columns: no line is longer (below 40 the layout keeps 40). */
  width: number;
  color: boolean;
  /** `store`: each finding's status, first seen and resolution. */
  source: "scan" | "store";
}

/** The narrowest layout: below it, lines would hold a word or two. */
export const MIN_WIDTH = 40;

const INDENT = {
  body: 2,
  prose: 4,
  command: 6,
} as const;

export function colors(enabled: boolean): Colors {
  return createColors(enabled);
}

/** The severity as a coloured label (bold red CRITICAL … grey INFO); plain without colour. */
export function paintSeverity(c: Colors, severity: Severity): string {
  const paint: Record<Severity, (s: string) => string> = {
    CRITICAL: (s) => c.bold(c.red(s)),
    HIGH: c.red,
    MEDIUM: c.yellow,
    LOW: c.blue,
    INFO: c.gray,
  };
  return paint[severity](severity);
}

/** `text` wrapped to `width` columns, each line indented (hard: a word longer than a line is cut). */
export function wrapIndented(text: string, width: number, indent: number, firstIndent = indent): string[] {
  const room = Math.max(10, width - Math.max(indent, firstIndent));
  return wrapAnsi(text, room, { hard: true, trim: true })
    .split("\n")
    .map((line, i) => " ".repeat(i === 0 ? firstIndent : indent) + line);
}

/**
 * Text whose lines may be longer than the terminal (a summary, an alert preview) fitted to `width`: a line
 * that fits stays as it is; a longer one is wrapped at its own indentation (continuations two deeper), and
 * each command in it is laid out as in a finding's fix, whole and pasteable, on lines of its own.
 */
export function fitText(text: string, width: number): string {
  const room = Math.max(MIN_WIDTH, width);
  return text
    .split("\n")
    .flatMap((line) => {
      if ([...line].length <= room) return [line];
      const indent = line.length - line.trimStart().length;
      const out: string[] = [];
      for (const block of fixBlocks(line.trimStart())) {
        if (block.kind === "command") out.push(...layoutCommand(block.text, room, indent + INDENT.prose));
        else out.push(...wrapIndented(block.text, room, indent + 2, out.length === 0 ? indent : indent + 2));
      }
      return out;
    })
    .join("\n");
}

/**
 * Findings for a terminal, grouped by account, region and cluster, worst first: one block per finding with
 * its title, detail and fix. Prose wraps; every command of a fix is printed whole on lines of its own
 * (broken with ` \` when longer than a line) so it can be pasted. No line is longer than `width`.
 */
export function renderFindingsText(findings: readonly ReportFinding[], options: TerminalOptions): string {
  const sorted = sortFindings(findings);
  if (sorted.length === 0) return "No findings.";
  const width = Math.max(MIN_WIDTH, options.width);
  const c = colors(options.color);
  const out: string[] = [];
  let group = "";
  for (const f of sorted) {
    const label = groupLabel(f);
    if (label !== group) {
      group = label;
      if (out.length > 0) out.push("");
      out.push(...wrapIndented(label, width, 0).map((l) => c.bold(l)));
      out.push(c.dim("─".repeat(Math.min(width, label.length))));
    }
    out.push("", ...findingBlock(f, width, c, options.source));
  }
  return out.join("\n");
}

function findingBlock(f: ReportFinding, width: number, c: Colors, source: "scan" | "store"): string[] {
  const resource = f.variant ? `${f.resourceId} (${f.variant})` : f.resourceId;
  // Wrapped as plain text, then coloured: the width counts what the terminal shows.
  const head = wrapIndented(`${f.severity}  ${f.ruleId}  ${resource}`, width, INDENT.body, 0);
  const first = head[0] ?? "";
  head[0] = paintSeverity(c, f.severity) + c.bold(first.slice(f.severity.length));
  const lines = [...head];
  if (source === "store" && f.status) lines.push(...wrapIndented(lifecycle(f), width, INDENT.body));
  if (f.carriedOver) lines.push(...wrapIndented(carriedNote(f), width, INDENT.body).map((l) => c.yellow(l)));
  lines.push(...wrapIndented(f.title, width, INDENT.body).map((l) => c.bold(l)));
  lines.push(...wrapIndented(f.detail, width, INDENT.body));
  lines.push(...fixBlock(f.remediation, width, c));
  return lines;
}

/** `RESOLVED · first seen 2026-11-25 07:42 UTC · resolved 2026-11-26 07:42 UTC`. */
function lifecycle(f: ReportFinding): string {
  const parts = [f.status ?? "", f.firstSeen ? `first seen ${shortTime(f.firstSeen)}` : ""];
  if (f.resolvedAt) parts.push(`resolved ${shortTime(f.resolvedAt)}`);
  if (f.resolvedReason) parts.push(f.resolvedReason);
  return parts.filter((p) => p !== "").join(" · ");
}

export function carriedNote(f: ReportFinding): string {
  const when = f.lastConfirmedAt ? `${shortTime(f.lastConfirmedAt)}` : "earlier";
  return `[carried over: this account-region was not scanned; last confirmed ${when}]`;
}

/** `2026-11-25T07:42:13.000Z` → `2026-11-25 07:42 UTC`. */
export function shortTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/**
 * `Fix: prose` wrapped under the finding, each command on lines of its own (one indent deeper, cyan) and
 * snippets as they are.
 */
function fixBlock(remediation: string, width: number, c: Colors): string[] {
  const out: string[] = [];
  const fix = c.green(c.bold("Fix:"));
  for (const block of fixBlocks(remediation)) {
    if (block.kind === "prose") {
      if (out.length === 0) {
        const [first = "", ...rest] = wrapIndented(`Fix: ${block.text}`, width, INDENT.prose, INDENT.body);
        out.push(first.replace("Fix:", fix), ...rest);
      } else {
        out.push(...wrapIndented(block.text, width, INDENT.prose));
      }
      continue;
    }
    if (out.length === 0) out.push(" ".repeat(INDENT.body) + fix);
    if (block.kind === "command") {
      out.push(...layoutCommand(block.text, width, INDENT.command).map((l) => c.cyan(l)));
      continue;
    }
    for (const line of block.text.split("\n")) {
      if (line === "") out.push("");
      else if (INDENT.command + line.length <= width) out.push(" ".repeat(INDENT.command) + line);
      else out.push(...wrapIndented(line, width, INDENT.command));
    }
  }
  return out;
}
