import type { CapacityKind } from "./capacity-types.ts";

const KIND_NOUN: Record<CapacityKind, string> = {
  "managed-nodegroup": "node group",
  karpenter: "Karpenter node pool",
  "self-managed": "self-managed group",
  "auto-mode": "Auto Mode node pool",
  fargate: "Fargate profile",
};

/** `node group web`, `Karpenter node pool default`: a capacity group inside a sentence. */
export function capacityNoun(kind: CapacityKind, name: string): string {
  return `${KIND_NOUN[kind]} ${name}`;
}

/** `Node group web`, `Karpenter node pool default`: a capacity group opening a sentence or a title. */
export function capacityTitle(kind: CapacityKind, name: string): string {
  const noun = capacityNoun(kind, name);
  return noun.charAt(0).toUpperCase() + noun.slice(1);
}
