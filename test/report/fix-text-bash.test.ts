import { execFileSync } from "node:child_process";
import { parse } from "shell-quote";
import { beforeAll, describe, expect, it } from "vitest";
import { fixCommands, layoutCommand } from "#shared/report/index.ts";
import { sampleFindings } from "#test/report/support.ts";

/** The words bash passes to a command: each printed NUL-terminated, globbing off. */
function wordsAsBashReadsThem(commandLines: string): string {
  const script = `set -f\nwords() { printf '%s\\0' "$@"; }\nwords ${commandLines.trimStart()}\n`;
  return execFileSync("bash", ["-c", script], { encoding: "utf8" });
}

let commands: string[];

beforeAll(async () => {
  // Commands of plain words (no operators, no variables): bash only reads them, it runs nothing.
  const all = (await sampleFindings()).flatMap((f) => fixCommands(f.remediation));
  commands = [...new Set(all)].filter(
    (c) => !c.includes("$") && parse(c).every((w) => typeof w === "string"),
  );
});

describe("Function: layoutCommand (read by bash)", () => {
  it.each([80, 100])("gives bash the same words as the one-line command at %i columns", (width) => {
    // Prepare
    expect(commands.length).toBeGreaterThan(10);
    let broken = 0;

    for (const command of commands) {
      // Act
      const lines = layoutCommand(command, width, 6);

      // Assess
      if (lines.length > 1) broken += 1;
      expect(wordsAsBashReadsThem(lines.join("\n")), lines.join("\n")).toBe(wordsAsBashReadsThem(command));
    }
    expect(broken).toBeGreaterThan(0);
  });
});
