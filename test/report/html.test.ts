import { createHash } from "node:crypto";
import { type DefaultTreeAdapterTypes, type ParserError, parse } from "parse5";
import { beforeAll, describe, expect, it } from "vitest";
import type { ReportedFinding } from "#shared/cli/common/render.ts";
import { SEVERITIES } from "#shared/findings/index.ts";
import { fixCommands, renderHtml } from "#shared/report/index.ts";
import { carriedOver, hostileFinding, storedFindings } from "#test/report/findings.ts";
import { sampleFindings } from "#test/report/support.ts";

type Node = DefaultTreeAdapterTypes.ChildNode | DefaultTreeAdapterTypes.Document;
type Element = DefaultTreeAdapterTypes.Element;

function elements(node: Node): Element[] {
  const own = "tagName" in node ? [node] : [];
  const children = "childNodes" in node ? node.childNodes : [];
  const template = "content" in node && node.content ? node.content.childNodes : [];
  return [...own, ...[...children, ...template].flatMap((c) => elements(c))];
}

function text(node: Node): string {
  if (node.nodeName === "#text") return (node as DefaultTreeAdapterTypes.TextNode).value;
  return "childNodes" in node ? node.childNodes.map(text).join("") : "";
}

function attr(el: Element, name: string): string | undefined {
  return el.attrs.find((a) => a.name === name)?.value;
}

function parsed(html: string): { doc: DefaultTreeAdapterTypes.Document; errors: ParserError[] } {
  const errors: ParserError[] = [];
  const doc = parse(html, { onParseError: (e) => errors.push(e) });
  return { doc, errors };
}

/** Every place an HTML page can name a URL the browser would load. */
const URL_ATTRIBUTES = [
  "src",
  "href",
  "srcset",
  "action",
  "formaction",
  "poster",
  "data",
  "background",
  "xlink:href",
  "manifest",
  "ping",
];

const CONTEXT = {
  source: "scan",
  generatedAt: "2026-11-25T08:00:00.000Z",
  runId: "run-1",
  width: 160,
  color: false,
} as const;

let sample: ReportedFinding[];

beforeAll(async () => {
  sample = await sampleFindings();
});

describe("Format: html", () => {
  it("is one well-formed page with an article per finding, each with its fix and evidence", () => {
    // Act
    const { doc, errors } = parsed(renderHtml(sample, CONTEXT));

    // Assess
    expect(errors).toEqual([]);
    const all = elements(doc);
    const articles = all.filter((e) => e.tagName === "article");
    expect(articles).toHaveLength(sample.length);
    for (const [i, article] of articles.entries()) {
      const inner = elements(article);
      const f = sample[i];
      expect(attr(article, "data-severity")).toBe(f?.severity);
      expect(
        inner
          .find((e) => attr(e, "class") === "fix-text")
          ?.childNodes.map(text)
          .join(""),
      ).toBe(f?.remediation);
      expect(JSON.parse(text(inner.find((e) => attr(e, "class") === "evidence") ?? article))).toEqual(
        f?.evidence,
      );
      // One copy button for the fix, one per command or snippet, each naming an element that exists.
      const buttons = inner.filter((e) => e.tagName === "button");
      expect(buttons.length).toBeGreaterThanOrEqual(1 + fixCommands(f?.remediation ?? "").length);
      const ids = new Set(all.map((e) => attr(e, "id")));
      for (const b of buttons) expect(ids.has(attr(b, "data-copy"))).toBe(true);
    }
  });

  it("shows each fix command whole in its own block", () => {
    // Act
    const { doc } = parsed(renderHtml(sample, CONTEXT));

    // Assess
    const blocks = new Set(
      elements(doc)
        .filter((e) => e.tagName === "pre" && /-command\d+$/.test(attr(e, "id") ?? ""))
        .map(text),
    );
    for (const command of sample.flatMap((f) => fixCommands(f.remediation)))
      expect(blocks).toContain(command);
  });

  it("has a filter box and a severity filter over findings marked with their severity", () => {
    // Act
    const { doc } = parsed(renderHtml(sample, CONTEXT));

    // Assess
    const all = elements(doc);
    const byId = (id: string) => all.find((e) => attr(e, "id") === id);
    const filter = byId("filter");
    expect(filter?.tagName).toBe("input");
    expect(attr(filter as Element, "type")).toBe("search");
    expect(all.find((e) => e.tagName === "label" && attr(e, "for") === "filter")).toBeDefined();
    const severity = byId("severity");
    const options = all.filter((e) => e.tagName === "option" && severity?.childNodes.includes(e));
    expect(options.map((o) => attr(o, "value"))).toEqual(["", ...SEVERITIES]);
    const articles = all.filter((e) => e.tagName === "article");
    expect(articles.map((a) => attr(a, "data-severity"))).toEqual(sample.map((f) => f.severity));
    expect(text(byId("shown") as Element)).toBe(`${sample.length} of ${sample.length} findings shown`);
    const scripts = all.filter((e) => e.tagName === "script");
    expect(scripts).toHaveLength(1);
    expect(text(scripts[0] as Element)).toMatch(
      /getElementById\("filter"\)[\s\S]*getElementById\("severity"\)/,
    );
  });

  it("summarises by severity, account and cluster with counts that add up", () => {
    // Act
    const { doc } = parsed(renderHtml(sample, CONTEXT));

    // Assess
    const tables = elements(doc).filter((e) => e.tagName === "table");
    expect(tables.map((t) => text(elements(t).find((e) => e.tagName === "caption") ?? t))).toEqual([
      "By severity",
      "By account",
      "By cluster",
    ]);
    const bySeverity = elements(tables[0] ?? doc)
      .filter((e) => e.tagName === "td")
      .map((td) => Number(text(td)));
    expect(bySeverity).toEqual([
      ...SEVERITIES.map((s) => sample.filter((f) => f.severity === s).length),
      sample.length,
    ]);
    const accountRows = elements(tables[1] ?? doc)
      .filter((e) => e.tagName === "tr")
      .slice(1);
    expect(accountRows).toHaveLength(new Set(sample.map((f) => f.accountId)).size);
  });

  it("fetches nothing: no URL in any loading attribute, no external style or script, a CSP that allows only its own", () => {
    // Prepare: a finding whose text carries URLs and markup
    const html = renderHtml([...sample, hostileFinding()], CONTEXT);

    // Act
    const { doc } = parsed(html);

    // Assess
    const all = elements(doc);
    const loading = all.flatMap((e) =>
      e.attrs.filter((a) => URL_ATTRIBUTES.includes(a.name)).map((a) => `${e.tagName} ${a.name}=${a.value}`),
    );
    expect(loading.filter((a) => /(https?:)?\/\//i.test(a))).toEqual([]);
    expect(
      all.filter((e) =>
        ["link", "img", "iframe", "object", "embed", "base", "audio", "video"].includes(e.tagName),
      ),
    ).toEqual([]);
    const styles = all.filter((e) => e.tagName === "style").map(text);
    const scripts = all.filter((e) => e.tagName === "script");
    expect(styles.join("")).not.toMatch(/url\(|@import/i);
    expect(scripts).toHaveLength(1);
    expect(scripts.map((s) => attr(s, "src"))).toEqual([undefined]);
    const csp =
      attr(
        all.find((e) => attr(e, "http-equiv") === "Content-Security-Policy") ??
          (doc.childNodes[0] as Element),
        "content",
      ) ?? "";
    expect(csp).toMatch(/default-src 'none'/);
    const hash = (s: string) => `'sha256-${createHash("sha256").update(s).digest("base64")}'`;
    expect(csp).toContain(`script-src ${hash(text(scripts[0] ?? doc))}`);
    expect(csp).toContain(`style-src ${hash(styles[0] ?? "")}`);
  });

  it("escapes every text of a finding: markup in names, titles, fixes and evidence stays text", () => {
    // Prepare
    const hostile = hostileFinding();

    // Act
    const { doc, errors } = parsed(renderHtml([hostile], CONTEXT));

    // Assess
    expect(errors).toEqual([]);
    const all = elements(doc);
    expect(all.filter((e) => e.tagName === "script")).toHaveLength(1);
    expect(all.filter((e) => ["img", "b", "a"].includes(e.tagName))).toEqual([]);
    expect(all.every((e) => e.attrs.every((a) => !a.name.startsWith("on")))).toBe(true);
    const article = all.find((e) => e.tagName === "article");
    const body = text(article ?? doc);
    expect(body).toContain(hostile.title);
    expect(body).toContain(hostile.resourceId);
    expect(body).toContain(hostile.cluster);
    expect(body).toContain(hostile.detail);
    expect(body).toContain(String(hostile.evidence.tag));
  });

  it("shows the store's status, first seen and resolution, and a carried-over finding's note", () => {
    // Act
    const stored = text(parsed(renderHtml(storedFindings(), { ...CONTEXT, source: "store" })).doc);
    const carried = text(parsed(renderHtml([carriedOver()], CONTEXT)).doc);

    // Assess
    expect(stored).toMatch(/RESOLVED · first seen 2026-11-25 07:42 UTC · resolved 2026-11-26 07:42 UTC/);
    expect(carried).toMatch(
      /carried over: this account-region was not scanned; last confirmed 2026-11-25 07:42 UTC/,
    );
  });
});
