import { build } from "esbuild";
import { LAMBDA_BUILD_OPTIONS } from "#infra/bundling/options.ts";

const [entry, target] = process.argv.slice(2) as [string, string];
const r = await build({
  ...LAMBDA_BUILD_OPTIONS,
  entryPoints: [entry],
  write: false,
  metafile: true,
  outfile: `/tmp/s.mjs`,
});
const ins = r.metafile?.inputs ?? {};
const start = Object.keys(ins).find((k) => k.endsWith(entry)) ?? "";
const prev = new Map<string, string>();
const q = [start];
prev.set(start, "");
while (q.length) {
  const c = q.shift() ?? "";
  for (const i of ins[c]?.imports ?? []) {
    if (!prev.has(i.path)) {
      prev.set(i.path, c);
      q.push(i.path);
    }
  }
}
const hit = [...prev.keys()].find((k) => k.includes(target));
let p = hit;
const chain = [];
while (p) {
  chain.unshift(p);
  p = prev.get(p);
}
console.log(chain.join("\n  -> "));
