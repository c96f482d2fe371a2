import { isDeepStrictEqual } from "node:util";
import { type ParseEntry, parse } from "shell-quote";

/**
 * A remediation is prose with commands in it ("Shrink the warm pool: aws eks update-addon … — or: …").
 * A report shows the prose wrapped and each command whole, on lines of its own, so it can be pasted.
 */
export type FixPart = { kind: "prose"; text: string } | { kind: "command"; text: string };

/** The parts of one line of a remediation, in order; a line with no command is one prose part. */
export type FixLine = FixPart[];

// Where a command starts: a CLI the rules name (`aws <service> <operation>`, kubectl, eks-audit, eksctl) or
// `VAR=$(` (a command that reads a value first), at the start of a word.
const COMMAND_START =
  /(?<=^|[\s(`])(?:aws [a-z0-9-]+ [a-z][a-z0-9-]*|kubectl [a-z]|eks-audit [a-z]|eksctl [a-z]|[A-Z][A-Z0-9_]*=\$\()/g;

/** `$VAR` stays `$VAR`: shell-quote would otherwise expand it to "" and hide a difference. */
const keepVariables = (key: string): string => `$${key}`;

function words(text: string): ParseEntry[] {
  return parse(text, keepVariables) as ParseEntry[];
}

/**
 * The shell words of a text and which of its positions are word boundaries. A position is one when the words
 * of the text before it are the first words of the whole text: a cut inside a quoted string splits a word
 * and fails the test. shell-quote does the lexing — the report never decides by itself what is quoted —
 * and each test parses only the stretch since the last known boundary.
 */
class ShellText {
  readonly words: readonly ParseEntry[];
  /** Known boundaries: position → the number of words before it. */
  private readonly known = new Map<number, number>([[0, 0]]);

  constructor(readonly text: string) {
    this.words = words(text);
  }

  /** The number of words before `at` when it is a word boundary, else undefined. */
  wordsBefore(at: number): number | undefined {
    const cached = this.known.get(at);
    if (cached !== undefined) return cached;
    const from = Math.max(...[...this.known.keys()].filter((k) => k < at));
    const base = this.known.get(from) ?? 0;
    const stretch = words(this.text.slice(from, at));
    const matches = stretch.every((w, i) => isDeepStrictEqual(w, this.words[base + i]));
    if (!matches || base + stretch.length > this.words.length) return undefined;
    // shell-quote drops an unterminated quote: a cut just after an opening quote leaves the words before it
    // intact, so the words after the cut must be the rest of the text's words too.
    if (!isDeepStrictEqual(words(this.text.slice(at)), this.words.slice(base + stretch.length)))
      return undefined;
    this.known.set(at, base + stretch.length);
    return base + stretch.length;
  }

  isBoundary(at: number): boolean {
    return this.wordsBefore(at) !== undefined;
  }
}

const isFlag = (w: ParseEntry | undefined): boolean => typeof w === "string" && w.startsWith("-");
const isValue = (w: ParseEntry | undefined): boolean => typeof w === "string" && !w.startsWith("-");

/** More `)` than `(` (shell-quote's operators, so quoted parentheses do not count): the last one is prose. */
function closesOuterParenthesis(text: string): boolean {
  let depth = 0;
  for (const w of words(text)) {
    if (typeof w !== "object" || !("op" in w)) continue;
    if (w.op === "(" || w.op === "<(") depth++;
    if (w.op === ")") depth--;
  }
  return depth < 0;
}

/**
 * Where the command that starts at `start` ends in `line`: the first word boundary after which the line is
 * prose again — a sentence or clause ends (`.`, `,`, `;` after a word), an outer parenthesis or backtick
 * closes, a dash or `(` opens an aside, or a bare lowercase word follows a flag's value ("--store none
 * locally and …").
 */
function commandEnd(line: string, start: number, inBackticks: boolean): number {
  const shell = new ShellText(line.slice(start));
  for (const gap of [...shell.text.matchAll(/\s+/g)].map((m) => m.index ?? 0)) {
    const before = shell.text.slice(0, gap);
    const after = shell.text.slice(gap).trimStart();
    const last = before.at(-1) ?? "";
    const clauseEnds = /[.,;]/.test(last) && !/\s/.test(before.at(-2) ?? " ");
    const closes = (inBackticks && last === "`") || (last === ")" && closesOuterParenthesis(before));
    const aside = after.startsWith("— ") || after.startsWith("(");
    const proseWord = /^[a-z]+[.,]?(\s|$)/.test(after);
    if (!clauseEnds && !closes && !aside && !proseWord) continue;
    const count = shell.wordsBefore(gap);
    if (count === undefined) continue;
    if (clauseEnds || aside || closes) return start + gap;
    if (isFlag(shell.words[count - 2]) && isValue(shell.words[count - 1])) return start + gap;
  }
  return line.length;
}

/** Punctuation glued to the end of a command that belongs to the sentence around it. */
function trailingProse(command: string, inBackticks: boolean): number {
  let end = command.length;
  for (;;) {
    const text = command.slice(0, end);
    const last = text.at(-1) ?? "";
    const glued = !/\s/.test(text.at(-2) ?? " ");
    if (glued && /[.,;]/.test(last)) end--;
    else if (inBackticks && last === "`") end--;
    else if (last === ")" && closesOuterParenthesis(text)) end--;
    else return end;
  }
}

/** One line of a remediation as prose and commands. A line that starts with a flag is a snippet: whole. */
export function fixLine(line: string): FixLine {
  if (/^\s*--[a-z]/.test(line)) return [{ kind: "command", text: line.trim() }];
  const parts: FixPart[] = [];
  let prose = 0;
  let from = 0;
  for (;;) {
    COMMAND_START.lastIndex = from;
    const match = COMMAND_START.exec(line);
    if (!match) break;
    const start = match.index;
    const inBackticks = line[start - 1] === "`";
    const end = start + trailingProse(line.slice(start, commandEnd(line, start, inBackticks)), inBackticks);
    if (start > prose) parts.push({ kind: "prose", text: line.slice(prose, start) });
    parts.push({ kind: "command", text: line.slice(start, end) });
    prose = end;
    from = Math.max(end, start + 1);
  }
  if (prose < line.length || parts.length === 0) parts.push({ kind: "prose", text: line.slice(prose) });
  return parts.filter((p) => p.kind === "command" || p.text.trim() !== "" || parts.length === 1);
}

/** Every line of a remediation as prose and commands. */
export function fixLines(remediation: string): FixLine[] {
  return remediation.split("\n").map(fixLine);
}

/** The commands of a remediation, verbatim, in order. */
export function fixCommands(remediation: string): string[] {
  return fixLines(remediation).flatMap((line) => line.flatMap((p) => (p.kind === "command" ? [p.text] : [])));
}

/** A snippet line (YAML, a MIME header, indented text): shown as it is, never re-wrapped. */
export function isSnippetLine(line: string): boolean {
  return line === "" || /^\s/.test(line) || /^[A-Za-z][\w.-]*:(\s|$)/.test(line) || /^- /.test(line);
}

/** How a report lays out a fix: prose to wrap, commands to show whole, snippets (consecutive lines) as they are. */
export type FixBlock =
  | { kind: "prose"; text: string }
  | { kind: "command"; text: string }
  | { kind: "snippet"; text: string };

/**
 * A remediation as blocks, in order. A line after the first with no command that looks like YAML or a
 * header joins the snippet before it (the YAML of a NodeConfig, a SecurityGroupPolicy); other text is prose.
 */
export function fixBlocks(remediation: string): FixBlock[] {
  const blocks: FixBlock[] = [];
  fixLines(remediation).forEach((parts, i) => {
    const [only] = parts;
    if (i > 0 && parts.length === 1 && only?.kind === "prose" && isSnippetLine(only.text)) {
      const last = blocks.at(-1);
      if (last?.kind === "snippet") last.text += `\n${only.text}`;
      else if (only.text !== "") blocks.push({ kind: "snippet", text: only.text });
      return;
    }
    for (const part of parts) {
      if (part.kind === "command" || part.text.trim() !== "")
        blocks.push({ ...part, text: part.kind === "prose" ? part.text.trim() : part.text });
    }
  });
  for (const b of blocks) if (b.kind === "snippet") b.text = b.text.replace(/\n+$/, "");
  return withoutDanglingPunctuation(blocks);
}

/**
 * With each command on lines of its own, the punctuation around it in the sentence dangles: the brackets or
 * backticks that enclosed it and the `.`, `,` or `;` that followed it. They are left out of the prose
 * around the command (the fix's text itself is unchanged).
 */
function withoutDanglingPunctuation(blocks: FixBlock[]): FixBlock[] {
  const pairs: Record<string, string> = { "(": ")", "`": "`" };
  blocks.forEach((block, i) => {
    if (block.kind !== "command") return;
    const before = blocks[i - 1];
    const after = blocks[i + 1];
    const open = before?.kind === "prose" ? before.text.at(-1) : undefined;
    const close = open === undefined ? undefined : pairs[open];
    if (before && after?.kind === "prose" && close !== undefined && after.text.startsWith(close)) {
      before.text = before.text.slice(0, -1).trimEnd();
      after.text = after.text.slice(1);
    }
    if (after?.kind === "prose") after.text = after.text.replace(/^[.,;](\s+|$)/, "").trimStart();
  });
  return blocks.filter((b) => b.kind !== "prose" || b.text !== "");
}

/**
 * A command as lines of at most `width` columns that a shell reads as the command itself: broken between
 * words with ` \` (POSIX line continuation), continuation lines indented by `indent + 2`. A single-quoted
 * word longer than a line is cut into adjacent single-quoted pieces (`'ab'\` + newline + `'cd'` is the word
 * `abcd`); those continuation lines start at column 0, since a leading space would split the word. Each
 * layout is checked with shell-quote against the original; if it does not parse the same, the command is
 * printed on one line.
 */
export function layoutCommand(command: string, width: number, indent: number): string[] {
  const pad = " ".repeat(indent);
  if (indent + command.length <= width) return [pad + command];
  const shell = new ShellText(command);
  const lines: string[] = [];
  let rest = command;
  let lineIndent = pad;
  while (rest.length > 0) {
    const room = width - lineIndent.length;
    if (rest.length <= room) {
      lines.push(lineIndent + rest);
      break;
    }
    const consumed = command.slice(0, command.length - rest.length);
    const cut = breakBefore(rest, room - 2, (i) => shell.isBoundary(consumed.length + i));
    if (cut !== undefined) {
      lines.push(`${lineIndent}${rest.slice(0, cut)} \\`);
      rest = rest.slice(cut).trimStart();
      lineIndent = " ".repeat(indent + 2);
      continue;
    }
    // The first word alone is longer than a line: it ends at the first space that is a word boundary.
    const gap = [...rest.matchAll(/ +/g)]
      .map((m) => m.index ?? 0)
      .find((i) => i > 0 && shell.isBoundary(consumed.length + i));
    const word = rest.slice(0, gap ?? rest.length);
    const pieces = splitQuotedWord(word, room, width);
    if (pieces === undefined) {
      const next = rest.slice(word.length).trimStart();
      lines.push(next === "" ? lineIndent + word : `${lineIndent}${word} \\`);
      rest = next;
    } else {
      pieces.forEach((piece, i) => {
        lines.push((i === 0 ? lineIndent : "") + piece + (i < pieces.length - 1 ? "\\" : ""));
      });
      rest = rest.slice(word.length).trimStart();
      if (rest.length > 0) lines[lines.length - 1] += " \\";
    }
    lineIndent = " ".repeat(indent + 2);
  }
  return sameWords(lines, shell.words) ? lines : [pad + command];
}

/**
 * The rightmost space at most `limit` into `text` that is a word boundary; in the last 40% of the line, one
 * before a flag or after `&&`/`|` is preferred (a line per flag reads best).
 */
function breakBefore(text: string, limit: number, isBoundary: (i: number) => boolean): number | undefined {
  const spaces = [...text.slice(0, limit + 1).matchAll(/ +/g)].map((m) => m.index ?? 0).filter((i) => i > 0);
  let fallback: number | undefined;
  for (const i of spaces.reverse()) {
    const preferred = i >= limit * 0.6 && (/^ +-/.test(text.slice(i)) || /(&&|\|)$/.test(text.slice(0, i)));
    if (fallback !== undefined && !preferred) {
      if (i < limit * 0.6) break;
      continue;
    }
    if (!isBoundary(i)) continue;
    if (preferred) return i;
    fallback = i;
  }
  return fallback;
}

/** `'abc…'` → [`'ab'`, `'c…'`]: pieces of a plain single-quoted word, each fitting its line; else undefined. */
function splitQuotedWord(word: string, firstRoom: number, width: number): string[] | undefined {
  const inner = /^'([^']*)'$/.exec(word)?.[1];
  if (inner === undefined) return undefined;
  // Each piece adds its two quotes and a backslash (the last one ` \\` when more words follow).
  const first = Math.max(1, firstRoom - 3);
  const next = Math.max(1, width - 4);
  const pieces = [inner.slice(0, first)];
  for (let i = first; i < inner.length; i += next) pieces.push(inner.slice(i, i + next));
  return pieces.map((p) => `'${p}'`);
}

/** The shell removes backslash-newline outside single quotes (POSIX 2.2.1): what is left must parse the same. */
function sameWords(lines: readonly string[], whole: readonly ParseEntry[]): boolean {
  return isDeepStrictEqual(words(joinContinuations(lines)), whole);
}

/** The lines as the shell reads them: each trailing backslash and its newline removed. */
export function joinContinuations(lines: readonly string[]): string {
  return lines.join("\n").replace(/\\\n/g, "");
}
