import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type Estate,
  type EstateRegion,
  EstateValidationError,
  loadEstateFile,
  parseEstate,
} from "#shared/estate/index.ts";
import { ACCOUNT, capacityEstate, REGION } from "#test/inventory/capacity-estate.ts";

const AT = `accounts.${ACCOUNT}.regions.${REGION}`;

type Edit = (r: EstateRegion, estate: Estate) => void;

/** The capacity estate as JSON (what a file holds), edited. */
function edited(edit: Edit): unknown {
  const json = JSON.parse(JSON.stringify(capacityEstate().estate)) as Estate;
  edit(there(json.accounts[ACCOUNT]?.regions[REGION]), json);
  return json;
}

function there<T>(value: T | undefined): T {
  if (value === undefined) throw new Error("the capacity estate lacks what this test edits");
  return value;
}

const instance = (r: EstateRegion, n: number) => there(r.ec2.Reservations?.[n]?.Instances?.[0]);
const prodProfiles = (r: EstateRegion) => there(r.eks.clusters[0]?.fargateProfiles);

function issuesOf(input: unknown, source = "capacity.json"): string[] {
  try {
    parseEstate(input, source);
  } catch (err) {
    if (err instanceof EstateValidationError) {
      expect(err.message.startsWith(`${source}: invalid estate`)).toBe(true);
      return err.issues;
    }
    throw err;
  }
  return [];
}

describe("Function: parseEstate (format v2)", () => {
  it("accepts every v2 key in its SDK output shape and keeps it exactly as written", () => {
    // Prepare
    const input = JSON.parse(JSON.stringify(capacityEstate().estate)) as Estate;

    // Act
    const estate = parseEstate(structuredClone(input));

    // Assess
    expect(estate).toEqual(input);
    const r = estate.accounts[ACCOUNT]?.regions[REGION];
    expect(r?.ec2.Reservations?.length).toBeGreaterThan(0);
    expect(r?.autoscaling?.AutoScalingGroups).toHaveLength(2);
    expect(r?.eks.clusters.map((c) => c.fargateProfiles?.length)).toEqual([1, 0]);
  });

  it.each<[string, Edit, string]>([
    [
      "an instance without its id",
      (r) => {
        delete instance(r, 1).InstanceId;
      },
      `${AT}.ec2.Reservations[1].Instances[0].InstanceId: required`,
    ],
    [
      "an instance ENI id that is not an ENI id",
      (r) => {
        there(instance(r, 0).NetworkInterfaces?.[0]).NetworkInterfaceId = "nic-1";
      },
      `${AT}.ec2.Reservations[0].Instances[0].NetworkInterfaces[0].NetworkInterfaceId: Invalid string: must start with "eni-"`,
    ],
    [
      "a launch template id that is not one",
      (r) => {
        there(r.ec2.LaunchTemplates?.[0]).LaunchTemplateId = "template-1";
      },
      `${AT}.ec2.LaunchTemplates[0].LaunchTemplateId: Invalid string: must start with "lt-"`,
    ],
    [
      "a CIDR reservation of an unknown type",
      (r) => {
        there(r.ec2.SubnetCidrReservations?.[1]).ReservationType = "reserved" as never;
      },
      `${AT}.ec2.SubnetCidrReservations[1].ReservationType: Invalid option: expected one of "prefix"|"explicit"`,
    ],
    [
      "an Auto Scaling group without its sizes",
      (r) => {
        delete there(r.autoscaling?.AutoScalingGroups[1]).MaxSize;
      },
      `${AT}.autoscaling.AutoScalingGroups[1].MaxSize: required`,
    ],
    [
      "an unknown key beside AutoScalingGroups",
      (r) => {
        Object.assign(there(r.autoscaling), { LaunchConfigurations: [] });
      },
      `${AT}.autoscaling: unknown key(s) "LaunchConfigurations"`,
    ],
    [
      "a Fargate profile subnet that is not a subnet id",
      (r) => {
        there(prodProfiles(r)[0]).subnets = ["10.20.3.0/24"];
      },
      `${AT}.eks.clusters[0].fargateProfiles[0].subnets[0]: Invalid string: must start with "subnet-"`,
    ],
  ])("names the file and the JSON path of %s", (_what, edit, issue) => {
    // Act
    const issues = issuesOf(edited(edit));

    // Assess
    expect(issues).toEqual([issue]);
  });

  it.each<[string, Edit, string[]]>([
    [
      "v2 keys in a version 1 estate",
      (_r, estate) => {
        estate.version = 1;
        estate.capturedAt = "2026-12-05T09:00:00Z";
      },
      [
        'capturedAt: a format v2 key; a version 1 estate cannot hold it (set "version": 2)',
        ...["ec2.Reservations", "ec2.LaunchTemplates", "ec2.SubnetCidrReservations", "autoscaling"].map(
          (k) => `${AT}.${k}: a format v2 key; a version 1 estate cannot hold it (set "version": 2)`,
        ),
        ...[0, 1].map(
          (i) =>
            `${AT}.eks.clusters[${i}].fargateProfiles: a format v2 key; a version 1 estate cannot hold it (set "version": 2)`,
        ),
      ],
    ],
    [
      "a CIDR reservation of a subnet the estate lacks, a profile of another cluster, a duplicate profile",
      (r) => {
        there(r.ec2.SubnetCidrReservations?.[0]).SubnetId = "subnet-0ffffffffffffffff";
        const profiles = prodProfiles(r);
        profiles.push({ ...there(profiles[0]), clusterName: "auto" });
      },
      [
        `${AT}.ec2.SubnetCidrReservations[0].SubnetId: subnet-0ffffffffffffffff is not in ec2.Subnets`,
        `${AT}.eks.clusters[0].fargateProfiles[1].clusterName: auto does not match cluster prod`,
        `${AT}.eks.clusters[0].fargateProfiles[1].fargateProfileName: duplicate profile fp-batch`,
      ],
    ],
  ])("rejects %s, naming each path", (_what, edit, issues) => {
    expect(issuesOf(edited(edit))).toEqual(issues);
  });

  it("names the file a bad v2 entry is in, through loadEstateFile", async () => {
    // Prepare
    const file = join(mkdtempSync(join(tmpdir(), "eks-auditor-v2-")), "bad.json");
    writeFileSync(
      file,
      JSON.stringify(
        edited((r) => {
          delete there(prodProfiles(r)[0]).fargateProfileName;
        }),
      ),
    );

    // Act
    const err = await loadEstateFile(file).then(
      () => undefined,
      (e: unknown) => e as Error,
    );

    // Assess
    expect(err?.message).toContain(`${file}: invalid estate`);
    expect(err?.message).toContain(`${AT}.eks.clusters[0].fargateProfiles[0].fargateProfileName: required`);
  });
});
