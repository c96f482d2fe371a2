import type { SecurityGroup, Subnet } from "@aws-sdk/client-ec2";

/**
 * Region-wide lookups built once per inventory list (issue 19: per-item linear scans made rule evaluation
 * super-linear). Each index is cached on the identity of the array it indexes, so an assembled inventory
 * pays for it once however many rules ask, and a different inventory never sees another's index. The
 * inventory is read-only after assembly: nothing pushes into these arrays.
 */
const subnetsById = new WeakMap<readonly Subnet[], ReadonlyMap<string, Subnet>>();

/** The subnets by id. */
export function subnetIndex(subnets: readonly Subnet[]): ReadonlyMap<string, Subnet> {
  let index = subnetsById.get(subnets);
  if (index === undefined) {
    const built = new Map<string, Subnet>();
    for (const s of subnets) if (s.SubnetId !== undefined && !built.has(s.SubnetId)) built.set(s.SubnetId, s);
    index = built;
    subnetsById.set(subnets, index);
  }
  return index;
}

const positions = new WeakMap<readonly Subnet[], ReadonlyMap<string, number>>();

/** Each subnet id's position in the list: results built from the index keep the list's order. */
export function subnetPositions(subnets: readonly Subnet[]): ReadonlyMap<string, number> {
  let order = positions.get(subnets);
  if (order === undefined) {
    const built = new Map<string, number>();
    subnets.forEach((s, i) => {
      if (s.SubnetId !== undefined && !built.has(s.SubnetId)) built.set(s.SubnetId, i);
    });
    order = built;
    positions.set(subnets, order);
  }
  return order;
}

const referencing = new WeakMap<ReadonlyMap<string, SecurityGroup>, ReadonlyMap<string, SecurityGroup[]>>();

/**
 * For each SG id, the SGs (of `index`, in its order) with an ingress rule whose source is that SG: which
 * groups a node SG can reach, without reading every group of the region for every node group.
 */
export function groupsReferencing(
  index: ReadonlyMap<string, SecurityGroup>,
): ReadonlyMap<string, SecurityGroup[]> {
  let by = referencing.get(index);
  if (by === undefined) {
    const built = new Map<string, SecurityGroup[]>();
    for (const group of index.values()) {
      const sources = new Set(
        (group.IpPermissions ?? []).flatMap((p) =>
          (p.UserIdGroupPairs ?? []).map((pair) => pair.GroupId ?? ""),
        ),
      );
      for (const source of sources) {
        if (source === "") continue;
        const list = built.get(source) ?? [];
        list.push(group);
        built.set(source, list);
      }
    }
    by = built;
    referencing.set(index, by);
  }
  return by;
}
