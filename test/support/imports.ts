/** The repository's own import graph, read from the sources (no TypeScript needed). */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SOURCE_DIRS = ["shared", "functions", "infra", "sim", "test", "bench", "scripts"];
const SPECIFIER = /(?:from|import)\s*\(?\s*["']([^"']+)["']/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js)$/.test(name) ? [path] : [];
  });
}

/** Every import of the repository's own code: file → repository-relative target. */
export function imports(): { file: string; specifier: string; target: string | undefined }[] {
  return SOURCE_DIRS.flatMap((top) =>
    sourceFiles(join(ROOT, top)).flatMap((path) => {
      const file = relative(ROOT, path);
      const text = readFileSync(path, "utf8");
      return [...text.matchAll(SPECIFIER)].flatMap(([, specifier]) => {
        if (specifier === undefined) return [];
        if (specifier.startsWith("#")) return [{ file, specifier, target: specifier.slice(1) }];
        if (specifier.startsWith(".")) {
          return [{ file, specifier, target: relative(ROOT, join(dirname(path), specifier)) }];
        }
        return [];
      });
    }),
  );
}

/** Folder → the folders its files import from (folder = a file's directory). */
export function folderGraph(prefix: string): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const { file, target } of imports()) {
    if (target === undefined || !file.startsWith(prefix) || !target.startsWith(prefix)) continue;
    const from = dirname(file);
    const to = dirname(target);
    if (!graph.has(from)) graph.set(from, new Set());
    if (from !== to) graph.get(from)?.add(to);
  }
  return graph;
}

/** One cycle per strongly connected component of more than one folder (Tarjan). */
export function folderCycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    indexOf.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, indexOf.get(w) ?? 0));
      }
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indexOf.has(v)) visit(v);
  return cycles;
}
