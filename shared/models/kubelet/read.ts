import { readAl2UserData } from "./al2.ts";
import { readAl2023UserData } from "./al2023.ts";
import { readBottlerocketUserData } from "./bottlerocket.ts";
import { decodeUserData, UserDataError } from "./decode.ts";
import { amiFamilyOf, type KubeletSettings, unknownSettings } from "./defaults.ts";
import { amiDefaults, effectiveSettings } from "./effective.ts";
import type { UserDataReading } from "./flags.ts";
import type { AmiFamily, KubeletConfigReading, KubeReservedBasis, UnknownReason } from "./types.ts";

export interface KubeletConfigInput {
  /** `DescribeNodegroup.amiType` (`AL2_x86_64`, `AL2023_ARM_64_STANDARD`, `BOTTLEROCKET_x86_64`, `CUSTOM`, …). */
  amiType?: string;
  /** Base64 user data, as DescribeLaunchTemplateVersions returns it. */
  userData?: string;
  /** The launch template sets `ImageId`: a custom AMI whatever the amiType says. */
  customImage?: boolean;
  /** eni-max-pods figure of the instance type: the AMI's kubeReserved memory is `11 × maxPods + 255` Mi. */
  maxPods?: number;
  /** vCPUs of the instance type: the AMI's kubeReserved cpu follows a ladder over them. */
  vcpus?: number;
  instanceType?: string;
}

type ReadableFamily = "AL2" | "AL2023" | "BOTTLEROCKET";

const GENERIC_ERROR = "user data could not be parsed";

/**
 * The kubelet settings a node group's nodes get, each value with where it came from (`effectiveSettings`).
 * Never throws and never rejects: unreadable user data gives the AMI defaults with `parseError`. The result
 * holds validated settings only, never user-data text.
 */
export async function readKubeletConfig(input: KubeletConfigInput): Promise<KubeletConfigReading> {
  const basis = basisOf(input);
  const family = amiFamilyOf(input.amiType);
  if (input.customImage === true || family === "CUSTOM") return unknownReading("CUSTOM", "custom-ami");
  if (family === "WINDOWS") return unknownReading("WINDOWS", "windows");
  let readable: ReadableFamily | undefined = family;
  try {
    const text = decodeUserData(input.userData);
    readable ??= text !== undefined ? sniffFamily(text) : undefined;
    if (readable === undefined) return unknownReading("CUSTOM", "ami-type-unknown");
    if (text === undefined) return reading(readable, amiDefaults(readable, basis), basis);
    return fromUserData(readable, await readFamily(readable, text), basis);
  } catch (err) {
    const parseError = err instanceof UserDataError ? err.message : GENERIC_ERROR;
    if (readable === undefined) return { ...unknownReading("CUSTOM", "ami-type-unknown"), parseError };
    return { ...reading(readable, amiDefaults(readable, basis), basis), parseError };
  }
}

async function readFamily(family: ReadableFamily, text: string): Promise<UserDataReading> {
  switch (family) {
    case "AL2":
      return readAl2UserData(text);
    case "AL2023":
      return readAl2023UserData(text);
    case "BOTTLEROCKET":
      return readBottlerocketUserData(text);
  }
}

function fromUserData(
  family: ReadableFamily,
  found: UserDataReading,
  inputBasis: KubeReservedBasis,
): KubeletConfigReading {
  const basis: KubeReservedBasis =
    found.maxPods !== undefined
      ? { ...inputBasis, maxPods: found.maxPods, maxPodsFrom: "user-data" }
      : inputBasis;
  return {
    ...reading(family, effectiveSettings(family, found.settings, basis), basis),
    ...(found.via !== undefined ? { via: found.via } : {}),
    ...(found.notes.length > 0 ? { notes: found.notes } : {}),
  };
}

function reading(
  family: AmiFamily,
  settings: KubeletSettings,
  basis: KubeReservedBasis,
): KubeletConfigReading {
  return {
    family,
    known: true,
    ...settings,
    ...(Object.keys(basis).length > 0 ? { basis } : {}),
  };
}

function unknownReading(family: AmiFamily, unknownReason: UnknownReason): KubeletConfigReading {
  return { family, known: false, ...unknownSettings(), unknownReason };
}

function basisOf(input: KubeletConfigInput): KubeReservedBasis {
  return {
    ...(input.instanceType !== undefined ? { instanceType: input.instanceType } : {}),
    ...(isCount(input.maxPods) ? { maxPods: input.maxPods, maxPodsFrom: "instance-type" as const } : {}),
    ...(isCount(input.vcpus) ? { vcpus: input.vcpus } : {}),
  };
}

function isCount(n: number | undefined): n is number {
  return n !== undefined && Number.isInteger(n) && n > 0;
}

/** Self-managed groups report no amiType: the user data's own format names the family, when it does. */
function sniffFamily(text: string): ReadableFamily | undefined {
  if (/application\/node\.eks\.aws|kind:\s*NodeConfig/.test(text)) return "AL2023";
  if (/bootstrap\.sh|KUBELET_EXTRA_ARGS/.test(text)) return "AL2";
  if (/^\s*\[\s*settings[.\]]/m.test(text)) return "BOTTLEROCKET";
  return undefined;
}
