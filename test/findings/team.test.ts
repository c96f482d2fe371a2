import { describe, expect, it } from "vitest";
import {
  DEFAULT_TEAM_TAG_KEYS,
  parseTeamTagKeys,
  TeamTagKeysError,
  teamOfTags,
  withTeams,
} from "#shared/findings/index.ts";

describe("Function: teamOfTags", () => {
  it("takes the first configured key the cluster carries with a value", () => {
    expect(teamOfTags({ owner: "alice", team: "payments" }, DEFAULT_TEAM_TAG_KEYS)).toBe("payments");
    expect(teamOfTags({ owner: "alice" }, DEFAULT_TEAM_TAG_KEYS)).toBe("alice");
    expect(teamOfTags({ team: " payments ", squad: "x" }, ["squad", "team"])).toBe("x");
  });

  it("skips a blank value and finds no team without a matching tag", () => {
    expect(teamOfTags({ team: "  ", owner: "alice" }, DEFAULT_TEAM_TAG_KEYS)).toBe("alice");
    expect(teamOfTags({ Team: "payments" }, DEFAULT_TEAM_TAG_KEYS)).toBeUndefined();
    expect(teamOfTags(undefined, DEFAULT_TEAM_TAG_KEYS)).toBeUndefined();
  });
});

describe("Function: withTeams", () => {
  it("sets the team of each finding's cluster and leaves the others untouched", () => {
    // Prepare
    const findings = [{ cluster: "prod" }, { cluster: "legacy" }, { cluster: "-" }];
    const teams = new Map([["prod", "payments"]]);

    // Act
    const out = withTeams(findings, (cluster) => teams.get(cluster));

    // Assess
    expect(out).toEqual([{ cluster: "prod", team: "payments" }, { cluster: "legacy" }, { cluster: "-" }]);
    expect(out[1]).toBe(findings[1]);
  });
});

describe("Function: parseTeamTagKeys", () => {
  it("reads a comma-separated list or an array, in order, without blanks or duplicates", () => {
    expect(parseTeamTagKeys(" squad, owner,,squad ", "--team-tags")).toEqual(["squad", "owner"]);
    expect(parseTeamTagKeys(["cost-center", "team"], "teamTagKeys")).toEqual(["cost-center", "team"]);
  });

  it.each([
    ["an empty list", ",", /^TEAM_TAG_KEYS: expected a comma-separated list of tag keys/],
    ["a key over 128 characters", `team,${"k".repeat(129)}`, /^TEAM_TAG_KEYS: "k{40}…" is not a tag key/],
  ])("names where %s came from", (_what, text, message) => {
    expect(() => parseTeamTagKeys(text, "TEAM_TAG_KEYS")).toThrow(TeamTagKeysError);
    expect(() => parseTeamTagKeys(text, "TEAM_TAG_KEYS")).toThrow(message);
  });
});
