/** A two-account estate for the scanner-produced scan.* rules: the caller's management account and one member. */
import type { Estate, EstateFaults, EstateRegion } from "#shared/estate/index.ts";

export const MANAGEMENT = "999988887777";
export const MEMBER = "111122223333";
export const REGION = "eu-west-1";

const emptyRegion = (): EstateRegion => ({
  ec2: {
    Vpcs: [],
    Subnets: [],
    RouteTables: [],
    SecurityGroups: [],
    InstanceTypes: [],
    LaunchTemplateVersions: [],
    NetworkInterfaces: [],
  },
  eks: { clusters: [] },
});

export function memberEstate(faults: EstateFaults = {}): Estate {
  return {
    version: 1,
    organization: {
      managementAccountId: MANAGEMENT,
      accounts: [
        { Id: MANAGEMENT, Name: "management", Status: "ACTIVE" },
        { Id: MEMBER, Name: "workloads", Status: "ACTIVE" },
      ],
    },
    accounts: { [MEMBER]: { regions: { [REGION]: emptyRegion() } } },
    faults,
  };
}
