import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Estate } from "#shared/estate/index.ts";
import type { Finding } from "#shared/findings/index.ts";
import { runCli, SAMPLE_ESTATE } from "#test/support/cli.ts";

const DENIED = "444455556666";
const dir = mkdtempSync(join(tmpdir(), "eks-audit-coverage-"));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("Command: eks-audit scan --org --regions all", () => {
  it("resolves the coverage finding of an account that left the organisation, saying why", async () => {
    // Prepare: the sample's denied account is recorded as not scanned, then it leaves the organisation
    const store = ["--store", `dynalite:${join(dir, "store")}`, "--notify", "none"];
    const first = await runCli([
      "scan",
      "--estate",
      SAMPLE_ESTATE,
      "--org",
      "--regions",
      "all",
      ...store,
      "--format",
      "json",
    ]);
    const denied = (JSON.parse(first.stdout) as Finding[]).filter((f) => f.accountId === DENIED);
    expect(denied.map((f) => f.ruleId)).toEqual(["scan.access-denied"]);
    const estate = JSON.parse(readFileSync(SAMPLE_ESTATE, "utf8")) as Estate;
    estate.organization.accounts = estate.organization.accounts.filter((a) => a.Id !== DENIED);
    const left = join(dir, "left.json");
    writeFileSync(left, JSON.stringify(estate));

    // Act
    const second = await runCli(["scan", "--estate", left, "--org", "--regions", "all", ...store]);
    const resolved = await runCli([
      "findings",
      ...store.slice(0, 2),
      "--status",
      "resolved",
      "--account",
      DENIED,
      "--format",
      "json",
    ]);

    // Assess
    expect(second.stdout).toMatch(new RegExp(`^${DENIED} / \\S+$`, "m"));
    expect(second.stdout).toMatch(/^ {2}RESOLVED +was HIGH +- +scan\.access-denied /m);
    const [closed] = JSON.parse(resolved.stdout) as (Finding & { resolvedReason?: string })[];
    expect(closed?.ruleId).toBe("scan.access-denied");
    expect(closed?.resolvedReason).toMatch(new RegExp(`^account ${DENIED} is no longer planned`));
  }, 240_000);
});
