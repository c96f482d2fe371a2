import { describe, expect, it } from "vitest";
import { folderCycles, folderGraph, imports } from "#test/support/imports.ts";

describe("Layout", () => {
  it("has no folder-level import loop under shared/", () => {
    expect(folderCycles(folderGraph("shared/"))).toEqual([]);
  });

  it("finds a loop when one exists (the check itself can fail)", () => {
    const graph = new Map([
      ["a", new Set(["b"])],
      ["b", new Set(["c"])],
      ["c", new Set(["a"])],
      ["d", new Set(["a"])],
    ]);
    expect(folderCycles(graph)).toEqual([["a", "b", "c"]]);
  });

  it("uses one import style: '#<folder>/…' across folders, './' within one, never '../'", () => {
    const parentRelative = imports().filter(({ specifier }) => specifier.startsWith("../"));
    expect(parentRelative.map(({ file, specifier }) => `${file}: ${specifier}`)).toEqual([]);
  });

  it("shared/ code never imports the Lambda wiring, the stack, the tests or the benchmark", () => {
    const outward = imports().filter(
      ({ file, target }) =>
        file.startsWith("shared/") && /^(functions|infra|test|bench)\//.test(target ?? ""),
    );
    expect(outward.map(({ file, specifier }) => `${file}: ${specifier}`)).toEqual([]);
  });
});
