import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadEstateFile } from "#shared/estate/index.ts";
import { type Finding, findingKey } from "#shared/findings/index.ts";
import { runCli, SAMPLE_ESTATE } from "#test/support/cli.ts";

const SCOPE = ["--org", "--regions", "eu-west-1,us-east-1", "--store", "none"];

describe("Command: eks-audit snapshot", () => {
  it("records an estate that replays to the same findings, without the user data's secrets", async () => {
    // Prepare
    const out = join(mkdtempSync(join(tmpdir(), "eks-audit-snap-")), "snapshot.json");

    // Act
    const snap = await runCli([
      "snapshot",
      "--estate",
      SAMPLE_ESTATE,
      "--org",
      "--regions",
      "eu-west-1,us-east-1",
      "--out",
      out,
    ]);
    const original = await runCli(["scan", "--estate", SAMPLE_ESTATE, ...SCOPE, "--format", "json"]);
    const replay = await runCli(["scan", "--estate", out, ...SCOPE, "--format", "json"]);

    // Assess
    expect(snap.code, snap.stderr).toBe(0);
    expect(replay.code, replay.stderr).toBe(4); // the replayed denials and disabled region
    const estate = await loadEstateFile(out);
    expect(estate.faults?.assumeRoleDenied).toEqual(["444455556666"]);
    expect(estate.faults?.regionsNotEnabled).toEqual({ "333344445555": ["us-east-1"] });
    // The scope whose DescribeRouteTables always failed was not recorded, so it has no findings in the replay.
    const keys = (run: string) =>
      (JSON.parse(run) as Finding[])
        .filter((f) => !(f.accountId === "222233334444" && f.region === "us-east-1"))
        .map((f) => `${f.accountId}#${findingKey(f)}#${f.severity}`)
        .sort();
    expect(keys(replay.stdout)).toEqual(keys(original.stdout));
    expect(readFileSync(out, "utf8")).not.toMatch(/sample-estate-FAKE-db-password/);
  });
});
