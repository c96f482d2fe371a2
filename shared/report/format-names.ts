/**
 * The `--format` names of findings, in --help order. Kept apart from the formats themselves so that
 * declaring the CLI's flags loads no renderer (the CLI starts without them); formats.ts checks that
 * every name has its format.
 */
export const FORMAT_NAMES = ["table", "json", "csv", "ocsf", "html"] as const;
