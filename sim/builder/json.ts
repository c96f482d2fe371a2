const LINE_WIDTH = 110;

/**
 * JSON with 2-space indent laid out the way the project's formatter (Biome) lays it out, so a committed
 * estate passes `biome check`: objects always expanded, arrays of scalars on one line when they fit.
 */
export function formatEstateJson(value: unknown): string {
  const render = (v: unknown, indent: string, column: number, trailing: number): string => {
    if (Array.isArray(v)) {
      if (v.length === 0) return "[]";
      if (v.every((item) => item === null || typeof item !== "object")) {
        const flat = `[${v.map((item) => JSON.stringify(item)).join(", ")}]`;
        if (column + flat.length + trailing <= LINE_WIDTH) return flat;
      }
      const inner = `${indent}  `;
      const lines = v.map((item, i) => {
        const comma = i < v.length - 1 ? 1 : 0;
        return `${inner}${render(item, inner, inner.length, comma)}${comma ? "," : ""}`;
      });
      return `[\n${lines.join("\n")}\n${indent}]`;
    }
    if (v !== null && typeof v === "object") {
      const entries = Object.entries(v).filter(([, item]) => item !== undefined);
      if (entries.length === 0) return "{}";
      const inner = `${indent}  `;
      const lines = entries.map(([key, item], i) => {
        const head = `${inner}${JSON.stringify(key)}: `;
        const comma = i < entries.length - 1 ? 1 : 0;
        return `${head}${render(item, inner, head.length, comma)}${comma ? "," : ""}`;
      });
      return `{\n${lines.join("\n")}\n${indent}}`;
    }
    return JSON.stringify(v);
  };
  return `${render(value, "", 0, 0)}\n`;
}
