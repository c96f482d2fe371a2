import type { AutoScalingGroup } from "@aws-sdk/client-auto-scaling";
import type {
  InstanceTypeInfo,
  LaunchTemplate,
  LaunchTemplateVersion,
  NetworkInterface,
  Reservation,
  RouteTable,
  SecurityGroup,
  Subnet,
  SubnetCidrReservation,
  Vpc,
} from "@aws-sdk/client-ec2";
import type { Addon, Cluster, FargateProfile, Nodegroup } from "@aws-sdk/client-eks";
import type { Account } from "@aws-sdk/client-organizations";

/**
 * A value as it stands in JSON: SDK `Date` fields are ISO-8601 strings in an estate file.
 * Every other leaf keeps the exact SDK v3 output shape (EC2 PascalCase, EKS camelCase).
 */
export type Wire<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Wire<U>[]
    : T extends Record<string, unknown>
      ? { [K in keyof T]: Wire<T[K]> }
      : T extends object
        ? { [K in keyof T]: Wire<T[K]> }
        : T;

export interface EstateEc2 {
  Vpcs: Wire<Vpc>[];
  Subnets: Wire<Subnet>[];
  RouteTables: Wire<RouteTable>[];
  SecurityGroups: Wire<SecurityGroup>[];
  InstanceTypes: Wire<InstanceTypeInfo>[];
  LaunchTemplateVersions: Wire<LaunchTemplateVersion>[];
  /**
   * DescribeNetworkInterfaces items: node ENIs, ipamd's `aws-K8S-<instance-id>` ENIs (custom networking),
   * security-groups-for-pods trunk and branch ENIs, Fargate pod ENIs.
   */
  NetworkInterfaces: Wire<NetworkInterface>[];
  /** v2: DescribeInstances `Reservations[]` (Auto Mode instances carry `Operator`). */
  Reservations?: Wire<Reservation>[];
  /** v2: DescribeLaunchTemplates (Karpenter's templates are tagged `karpenter.k8s.aws/cluster`). */
  LaunchTemplates?: Wire<LaunchTemplate>[];
  /** v2: the flat items of GetSubnetCidrReservations (`SubnetIpv4CidrReservations` and the IPv6 ones). */
  SubnetCidrReservations?: Wire<SubnetCidrReservation>[];
}

export interface EstateCluster {
  cluster: Wire<Cluster>;
  nodegroups: Wire<Nodegroup>[];
  addons: Wire<Addon>[];
  /** v2: DescribeFargateProfile's `fargateProfile` of each of the cluster's profiles. */
  fargateProfiles?: Wire<FargateProfile>[];
}

export interface EstateRegion {
  ec2: EstateEc2;
  eks: { clusters: EstateCluster[] };
  /** v2: DescribeAutoScalingGroups. */
  autoscaling?: { AutoScalingGroups: Wire<AutoScalingGroup>[] };
}

export interface EstateAccount {
  regions: Record<string, EstateRegion>;
}

/** Deterministic fault injection for the simulator. Every key is optional. */
export interface EstateFaults {
  /** Seed of the PRNG behind every probabilistic fault. */
  seed?: number;
  /** Added to every call. */
  latencyMs?: number;
  /** Token bucket per account, region and API operation. */
  throttle?: { bucket: number; refillPerSecond: number };
  /** Share of calls (0..1) answered with a retryable 5xx. */
  serverErrorRate?: number;
  /** Share of calls (0..1) delayed by `delayMs` before they are answered. */
  slowCalls?: { rate: number; delayMs: number };
  /** Accounts whose member role cannot be assumed (STS AccessDenied). */
  assumeRoleDenied?: string[];
  /** Account id → regions that are not enabled (opt-in regions left off). */
  regionsNotEnabled?: Record<string, string[]>;
  /** Caps every paginated listing at this many items per page, whatever MaxResults asks for. */
  maxPageSize?: number;
  /** Calls that always fail with a non-retryable error, e.g. a describe denied by an SCP. */
  failingCalls?: FailingCall[];
}

export interface FailingCall {
  accountId: string;
  region?: string;
  /** API operation name, e.g. `DescribeRouteTables`. */
  operation: string;
  /** AWS error code to answer with; `UnauthorizedOperation` (EC2) by default. */
  errorCode?: string;
  /**
   * Only calls whose request names every one of these values fail (a cluster or node group name, a launch
   * template id, an instance type…: any request parameter, list items included); absent: every call.
   */
  resources?: string[];
}

export interface Estate {
  /** 1, or 2 when the file uses the v2 keys (older readers reject 2 rather than ignore what they cannot read). */
  version: 1 | 2;
  /** v2: when the estate was recorded (ISO-8601); scans of it record history at that time. */
  capturedAt?: string;
  organization: {
    /** The account whose default credentials the caller holds (management or delegated admin). */
    managementAccountId?: string;
    accounts: Wire<Account>[];
  };
  accounts: Record<string, EstateAccount>;
  faults?: EstateFaults;
}
