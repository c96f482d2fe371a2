import type { InstanceTypeInfo } from "@aws-sdk/client-ec2";
import type { Wire } from "#shared/estate/types.ts";
import { bundledInstanceTypeInfo } from "#shared/models/instance-types/limits.ts";

/**
 * Complete DescribeInstanceTypes answers recorded from EC2, for estates that list an instance type the
 * way a snapshot would; any other type comes from the bundled catalogue (network fields only).
 */
const RECORDED: Record<string, Wire<InstanceTypeInfo>> = {
  "m5.large": {
    InstanceType: "m5.large",
    CurrentGeneration: true,
    FreeTierEligible: false,
    SupportedUsageClasses: ["on-demand", "spot"],
    SupportedRootDeviceTypes: ["ebs"],
    SupportedVirtualizationTypes: ["hvm"],
    BareMetal: false,
    Hypervisor: "nitro",
    ProcessorInfo: {
      SupportedArchitectures: ["x86_64"],
      SustainedClockSpeedInGhz: 3.1,
      Manufacturer: "Intel",
    },
    VCpuInfo: {
      DefaultVCpus: 2,
      DefaultCores: 1,
      DefaultThreadsPerCore: 2,
      ValidCores: [1],
      ValidThreadsPerCore: [1, 2],
    },
    MemoryInfo: { SizeInMiB: 8192 },
    InstanceStorageSupported: false,
    EbsInfo: {
      EbsOptimizedSupport: "default",
      EncryptionSupport: "supported",
      EbsOptimizedInfo: {
        BaselineBandwidthInMbps: 650,
        BaselineThroughputInMBps: 81.25,
        BaselineIops: 3600,
        MaximumBandwidthInMbps: 4750,
        MaximumThroughputInMBps: 593.75,
        MaximumIops: 18750,
      },
      NvmeSupport: "required",
    },
    NetworkInfo: {
      NetworkPerformance: "Up to 10 Gigabit",
      MaximumNetworkInterfaces: 3,
      MaximumNetworkCards: 1,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [
        {
          NetworkCardIndex: 0,
          NetworkPerformance: "Up to 10 Gigabit",
          MaximumNetworkInterfaces: 3,
          BaselineBandwidthInGbps: 0.75,
          PeakBandwidthInGbps: 10,
        },
      ],
      Ipv4AddressesPerInterface: 10,
      Ipv6AddressesPerInterface: 10,
      Ipv6Supported: true,
      EnaSupport: "required",
      EfaSupported: false,
      EncryptionInTransitSupported: false,
      EnaSrdSupported: false,
    },
    PlacementGroupInfo: { SupportedStrategies: ["cluster", "partition", "spread"] },
    HibernationSupported: true,
    BurstablePerformanceSupported: false,
    DedicatedHostsSupported: true,
    AutoRecoverySupported: true,
    SupportedBootModes: ["legacy-bios", "uefi"],
    NitroEnclavesSupport: "supported",
    NitroTpmSupport: "supported",
    NitroTpmInfo: { SupportedVersions: ["2.0"] },
    PhcSupport: "supported",
  },
  "t3.large": {
    InstanceType: "t3.large",
    CurrentGeneration: true,
    FreeTierEligible: false,
    SupportedUsageClasses: ["on-demand", "spot"],
    SupportedRootDeviceTypes: ["ebs"],
    SupportedVirtualizationTypes: ["hvm"],
    BareMetal: false,
    Hypervisor: "nitro",
    ProcessorInfo: {
      SupportedArchitectures: ["x86_64"],
      SustainedClockSpeedInGhz: 2.5,
      Manufacturer: "Intel",
    },
    VCpuInfo: {
      DefaultVCpus: 2,
      DefaultCores: 1,
      DefaultThreadsPerCore: 2,
      ValidCores: [1],
      ValidThreadsPerCore: [1, 2],
    },
    MemoryInfo: { SizeInMiB: 8192 },
    InstanceStorageSupported: false,
    EbsInfo: {
      EbsOptimizedSupport: "default",
      EncryptionSupport: "supported",
      EbsOptimizedInfo: {
        BaselineBandwidthInMbps: 695,
        BaselineThroughputInMBps: 86.875,
        BaselineIops: 4000,
        MaximumBandwidthInMbps: 2780,
        MaximumThroughputInMBps: 347.5,
        MaximumIops: 15700,
      },
      NvmeSupport: "required",
    },
    NetworkInfo: {
      NetworkPerformance: "Up to 5 Gigabit",
      MaximumNetworkInterfaces: 3,
      MaximumNetworkCards: 1,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [
        {
          NetworkCardIndex: 0,
          NetworkPerformance: "Up to 5 Gigabit",
          MaximumNetworkInterfaces: 3,
          BaselineBandwidthInGbps: 0.512,
          PeakBandwidthInGbps: 5,
        },
      ],
      Ipv4AddressesPerInterface: 12,
      Ipv6AddressesPerInterface: 12,
      Ipv6Supported: true,
      EnaSupport: "required",
      EfaSupported: false,
      EncryptionInTransitSupported: false,
      EnaSrdSupported: false,
    },
    PlacementGroupInfo: { SupportedStrategies: ["partition", "spread"] },
    HibernationSupported: true,
    BurstablePerformanceSupported: true,
    DedicatedHostsSupported: false,
    AutoRecoverySupported: true,
    SupportedBootModes: ["legacy-bios", "uefi"],
    NitroEnclavesSupport: "unsupported",
    NitroTpmSupport: "supported",
    NitroTpmInfo: { SupportedVersions: ["2.0"] },
    PhcSupport: "supported",
  },
};

/** What DescribeInstanceTypes answers for `instanceType`: a recorded answer, else the bundled catalogue's. */
export function instanceTypeInfo(instanceType: string): Wire<InstanceTypeInfo> {
  const recorded = RECORDED[instanceType];
  if (recorded !== undefined) return structuredClone(recorded);
  const bundled = bundledInstanceTypeInfo(instanceType);
  if (bundled === undefined) throw new Error(`unknown instance type ${instanceType}`);
  return bundled as Wire<InstanceTypeInfo>;
}
