import type { Finding } from "#shared/findings/index.ts";

/**
 * A finding as a report shows it: from a scan (`carriedOver` when the store kept it for an account-region
 * that could not be scanned) or from the store (with its lifecycle: status, first seen, resolved).
 */
export interface ReportFinding extends Finding {
  /** The store kept it open for an account-region this scan could not read. */
  carriedOver?: true;
  /** The last complete scan that saw it open (carried-over findings). */
  lastConfirmedAt?: string;
  /** Store findings: OPEN, RESOLVED (and any status the store adds later). */
  status?: string;
  firstSeen?: string;
  lastChangedAt?: string;
  resolvedAt?: string;
  resolvedReason?: string;
  reopenedAt?: string;
  evidenceTruncated?: boolean;
}

/** What a report is about, beside its findings. */
export interface ReportContext {
  /** `scan`: this run's findings; `store`: what the store holds, with each finding's lifecycle. */
  source: "scan" | "store";
  /** When the report was made (ISO-8601): the time of scan findings in OCSF, the HTML header. */
  generatedAt: string;
  /** The scan run, when the findings come from one. */
  runId?: string;
  /** e.g. `dynalite:.eks-audit`. */
  store?: string;
  /** Terminal columns (table format). */
  width: number;
  /** Colour severities (table format): on a TTY unless NO_COLOR or --no-color. */
  color: boolean;
}

/** One output format of findings: `--format NAME`. */
export interface FindingsFormat {
  name: string;
  /** For --help: what the format is for. */
  description: string;
  /** A document (JSON, CSV, HTML…) owns stdout: every other line the command prints goes to stderr. */
  document: boolean;
  render(findings: readonly ReportFinding[], context: ReportContext): string;
}
