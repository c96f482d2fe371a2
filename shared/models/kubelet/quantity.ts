import { type KubeletField, UNREADABLE_VALUE } from "./types.ts";

/**
 * Eviction signals the kubelet accepts (kubernetes `pkg/kubelet/eviction/api/types.go`, the `Signal*`
 * constants); `ParseThresholdConfig` rejects any other key, so no other key is kept from user data.
 */
export const KNOWN_EVICTION_SIGNALS: readonly string[] = [
  "memory.available",
  "nodefs.available",
  "nodefs.inodesFree",
  "imagefs.available",
  "imagefs.inodesFree",
  "containerfs.available",
  "containerfs.inodesFree",
  "allocatableMemory.available",
  "pid.available",
];

/**
 * Resource names kubeReserved/systemReserved accept (kubernetes `cmd/kubelet/app/server.go`
 * `parseResourceList`: cpu, memory, ephemeral-storage, pid; anything else is "cannot reserve").
 */
export const KNOWN_RESERVED_RESOURCES: readonly string[] = ["cpu", "memory", "ephemeral-storage", "pid"];

/**
 * `resource.ParseQuantity` syntax (k8s.io/apimachinery `pkg/api/resource/quantity.go`, the grammar in the
 * `Quantity` doc comment): signed decimal number, then a binary-SI suffix, a decimal-SI suffix or an
 * `e`/`E` exponent.
 */
const QUANTITY = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
/** Eviction thresholds may also be a percentage (kubernetes `pkg/kubelet/eviction/helpers.go` `parsePercentage`). */
const PERCENTAGE = /^(?:\d+(?:\.\d*)?|\.\d+)%$/;
/** No quantity the kubelet reserves or evicts at is longer; a longer digit string is more likely a secret. */
const MAX_LENGTH = 24;

export function isQuantity(value: string): boolean {
  return value.length <= MAX_LENGTH && QUANTITY.test(value);
}

/** A hard-eviction threshold value: a quantity, or a percentage from 0 to 100. */
export function isEvictionThreshold(value: string): boolean {
  if (isQuantity(value)) return true;
  return value.length <= MAX_LENGTH && PERCENTAGE.test(value) && Number.parseFloat(value) <= 100;
}

export function knownKeysOf(field: KubeletField): readonly string[] {
  return field === "evictionHard" ? KNOWN_EVICTION_SIGNALS : KNOWN_RESERVED_RESOURCES;
}

/** A value read from user data, as it may be shown: itself when it is a quantity (or threshold), else the marker. */
export function validatedValue(field: KubeletField, raw: string): string {
  const value = raw.trim();
  const valid = field === "evictionHard" ? isEvictionThreshold(value) : isQuantity(value);
  return valid ? value : UNREADABLE_VALUE;
}

/** `0`, `0Mi`, `0m`, `0.0Gi`, `0%` reserve (or keep free) nothing; an unreadable value is not known to be zero. */
export function isZeroQuantity(value: string): boolean {
  const trimmed = value.trim();
  if (trimmed === "") return true;
  if (trimmed === UNREADABLE_VALUE) return false;
  const number = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)/.exec(trimmed)?.[0];
  return number !== undefined && Number(number) === 0;
}
