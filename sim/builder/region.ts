import type { AutoScalingGroup } from "@aws-sdk/client-auto-scaling";
import type {
  Instance,
  InstanceTypeInfo,
  LaunchTemplate,
  LaunchTemplateVersion,
  NetworkInterface,
  OperatorResponse,
  Reservation,
  Route,
  RouteTable,
  Subnet,
  SubnetCidrReservation,
  Vpc,
} from "@aws-sdk/client-ec2";
import type { EstateCluster, EstateEc2, EstateRegion, Wire } from "#shared/estate/types.ts";
import { ClusterBuilder, type ClusterSpec } from "./cluster.ts";
import { launchTemplateShape, reservationShape, subnetCidrReservationShape } from "./compute-shapes.ts";
import { awsId, digest, uuid, zoneId } from "./ids.ts";
import { instanceTypeInfo } from "./instance-types.ts";
import { AddressPool, CidrLayout, ipToInt, parseCidr, usableAddresses } from "./ipv4.ts";
import {
  arn,
  type LaunchTemplateVersionSpec,
  launchTemplateVersionShape,
  networkInterfaceShape,
  type PermissionRule,
  type RouteSpec,
  routeTableShape,
  securityGroupShape,
  subnetShape,
  type Tags,
  vpcShape,
} from "./shapes.ts";

/**
 * One account-region of an estate, built resource by resource. Ids are hashes of the account, the region
 * and a stable label (a resource's name), so the same story always yields the same estate and renaming one
 * resource changes no other id. Records appear in the estate in the order they are created.
 */
export class RegionBuilder {
  private readonly vpcs: VpcBuilder[] = [];
  private readonly subnets: SubnetRef[] = [];
  private readonly routeTables: { vpc: VpcBuilder; main: boolean; build: () => Wire<RouteTable> }[] = [];
  private readonly associated = new Map<string, string>();
  private readonly securityGroups: SecurityGroupRef[] = [];
  private readonly launchTemplateVersions: Wire<LaunchTemplateVersion>[] = [];
  private readonly launchTemplates: Wire<LaunchTemplate>[] = [];
  private readonly networkInterfaces: Wire<NetworkInterface>[] = [];
  private readonly reservations: Wire<Reservation>[] = [];
  private readonly cidrReservations: Wire<SubnetCidrReservation>[] = [];
  private readonly instanceTypes: Wire<InstanceTypeInfo>[] = [];
  private readonly clusters: (ClusterBuilder | EstateCluster)[] = [];
  private readonly recorded: EstateEc2 = emptyEc2();
  private readonly pools = new Map<string, AddressPool>();
  private readonly enisById = new Map<string, Wire<NetworkInterface>>();

  constructor(
    readonly account: string,
    readonly region: string,
  ) {}

  /** A generated id: `prefix-0` and 16 hex digits of a hash of the account, the region and `label`. */
  id(prefix: string, ...label: string[]): string {
    return awsId(prefix, this.account, this.region, ...label);
  }

  arn(service: string, resource: string): string {
    return arn(service, this.region, this.account, resource);
  }

  /** A VPC; without `cidr`, `10.<n>.0.0/16` for the region's n-th VPC (VPCs may overlap, as in AWS). */
  vpc(name: string, cidr?: string, options: { id?: string; isDefault?: boolean } = {}): VpcBuilder {
    const vpc = new VpcBuilder(this, name, cidr ?? `10.${this.vpcs.length}.0.0/16`, options);
    this.vpcs.push(vpc);
    return vpc;
  }

  peeringConnection(name: string): string {
    return this.id("pcx", name);
  }

  transitGateway(name: string): string {
    return this.id("tgw", name);
  }

  /** What DescribeInstanceTypes answers for these types (a recorded answer, else the bundled catalogue's). */
  instanceType(...types: (string | Wire<InstanceTypeInfo>)[]): this {
    for (const t of types) this.instanceTypes.push(typeof t === "string" ? instanceTypeInfo(t) : t);
    return this;
  }

  /**
   * Versions 1..n; the last one is the default unless `defaultVersion` says otherwise. Recorded both as
   * DescribeLaunchTemplateVersions items and as one DescribeLaunchTemplates item carrying `tags`.
   */
  launchTemplate(
    name: string,
    versions: LaunchTemplateVersionInput[],
    options: {
      id?: string;
      defaultVersion?: number;
      /** Tags of the launch template itself (DescribeLaunchTemplates `Tags`). */
      tags?: Tags;
      /** A template an AWS service manages (EKS Auto Mode's). */
      operator?: Wire<OperatorResponse>;
    } = {},
  ): LaunchTemplateRef {
    const id = options.id ?? this.id("lt", name);
    const defaultVersion = options.defaultVersion ?? versions.length;
    const resolved = versions.map((v) => ({
      securityGroups: v.securityGroups?.map((g) => this.securityGroupRef(g)),
      interfaceGroups: v.interfaceGroups?.map((g) => this.securityGroupRef(g)),
    }));
    const records = versions.map((v, i) => {
      const { securityGroups: _, interfaceGroups: __, ...spec } = v;
      const groups = resolved[i];
      const record = launchTemplateVersionShape({
        ...spec,
        account: this.account,
        id,
        name,
        version: i + 1,
        isDefault: i + 1 === defaultVersion,
        ...(groups?.securityGroups === undefined
          ? {}
          : { securityGroupIds: groups.securityGroups.map(groupId) }),
        ...(groups?.interfaceGroups === undefined
          ? {}
          : { interfaceGroupIds: groups.interfaceGroups.map(groupId) }),
        ...(options.operator === undefined ? {} : { operator: options.operator }),
      });
      this.launchTemplateVersions.push(record);
      return record;
    });
    const first = versions[0];
    this.launchTemplates.push(
      launchTemplateShape({
        account: this.account,
        id,
        name,
        ...(first?.createdAt === undefined ? {} : { createdAt: first.createdAt }),
        ...(first?.createdBy === undefined ? {} : { createdBy: first.createdBy }),
        defaultVersion,
        latestVersion: versions.length,
        ...(options.tags === undefined ? {} : { tags: options.tags }),
        ...(options.operator === undefined ? {} : { operator: options.operator }),
      }),
    );
    return new LaunchTemplateRef(id, name, versions.length, (version) => {
      const v = resolved[version - 1];
      const data = records[version - 1]?.LaunchTemplateData;
      if (v === undefined || data === undefined)
        throw new Error(`launch template ${name} has no version ${version}`);
      const instanceTags = (data.TagSpecifications ?? [])
        .filter((t) => t.ResourceType === "instance")
        .flatMap((t) => t.Tags ?? []);
      return {
        securityGroups: v.securityGroups ?? v.interfaceGroups,
        ...(data.InstanceType === undefined ? {} : { instanceType: data.InstanceType }),
        ...(data.ImageId === undefined ? {} : { imageId: data.ImageId }),
        instanceTags: Object.fromEntries(instanceTags.map((t) => [t.Key ?? "", t.Value ?? ""])),
      };
    });
  }

  /**
   * One ENI in `subnet`. `addresses` is a count (the lowest free addresses of the subnet) or explicit
   * addresses; every address and /28 prefix is claimed, so the subnet's free count follows from its ENIs.
   */
  networkInterface(spec: NetworkInterfaceInput): string {
    const key = spec.key ?? spec.id ?? "";
    if (key === "") throw new Error("a network interface needs a key or an id");
    const id = spec.id ?? this.id("eni", key);
    const pool = this.poolOf(spec.subnet);
    let addresses: string[];
    if (typeof spec.addresses === "number") {
      addresses = pool.allocate(spec.addresses);
    } else {
      addresses = spec.addresses;
      pool.claim(addresses.map(ipToInt));
    }
    const prefixes =
      typeof spec.prefixes === "number" ? pool.allocatePrefixes(spec.prefixes) : (spec.prefixes ?? []);
    for (const prefix of typeof spec.prefixes === "number" ? [] : prefixes) pool.claimPrefix(prefix);
    const mac = digest("mac", this.account, key).slice(0, 10).match(/../g) ?? [];
    const shape = networkInterfaceShape({
      account: this.account,
      region: this.region,
      id,
      subnetId: spec.subnet.id,
      vpcId: spec.subnet.vpc.id,
      az: spec.subnet.az,
      description: spec.description,
      addresses,
      groups: spec.groups,
      macAddress: ["0a", ...mac].join(":"),
      ...(spec.prefixes === undefined ? {} : { prefixes }),
      ...(spec.type === undefined ? {} : { type: spec.type }),
      ...(spec.status === undefined ? {} : { status: spec.status }),
      ...(spec.requesterId === undefined ? {} : { requesterId: spec.requesterId }),
      ...(spec.requesterManaged === undefined ? {} : { requesterManaged: spec.requesterManaged }),
      ...(spec.attachment === undefined
        ? {}
        : { attachment: { ...spec.attachment, id: this.id("eni-attach", key) } }),
      ...(spec.operator === undefined ? {} : { operator: spec.operator }),
      ...(spec.tags === undefined ? {} : { tags: spec.tags }),
    });
    const record = { ...shape, ...spec.with };
    this.networkInterfaces.push(record);
    this.enisById.set(id, record);
    return id;
  }

  /** The DescribeNetworkInterfaces record of an ENI this builder created. */
  networkInterfaceRecord(id: string): Wire<NetworkInterface> {
    const record = this.enisById.get(id);
    if (record === undefined)
      throw new Error(`unknown network interface ${id} in ${this.account} ${this.region}`);
    return record;
  }

  /** Instances started by one launch request: one DescribeInstances reservation. */
  reservation(key: string, instances: Wire<Instance>[]): string {
    const id = this.id("r", key);
    this.reservations.push(reservationShape(this.account, id, instances));
    return id;
  }

  /** @internal A subnet CIDR reservation (CreateSubnetCidrReservation), held by the subnet's address pool. */
  addCidrReservation(
    subnet: SubnetRef,
    cidr: string,
    type: "prefix" | "explicit",
    options: { description?: string; tags?: Tags },
  ): string {
    this.poolOf(subnet).reserve(cidr, type);
    const id = this.id("scr", subnet.name, cidr);
    this.cidrReservations.push(
      subnetCidrReservationShape({ account: this.account, id, subnetId: subnet.id, cidr, type, ...options }),
    );
    return id;
  }

  /**
   * Records added exactly as given, after the built ones: for sparse or odd shapes a recording can hold
   * (a VPC without tags, a route without a state) that no builder call produces.
   */
  record(raw: Partial<EstateEc2> & { clusters?: EstateCluster[] }): this {
    const { clusters, ...ec2 } = raw;
    for (const key of Object.keys(ec2) as (keyof EstateEc2)[]) {
      const list = (this.recorded[key] ?? []) as unknown[];
      list.push(...(ec2[key] ?? []));
      (this.recorded as unknown as Record<string, unknown[]>)[key] = list;
    }
    this.clusters.push(...(clusters ?? []));
    return this;
  }

  build(): EstateRegion {
    for (const vpc of this.vpcs) {
      const mains = this.routeTables.filter((t) => t.vpc === vpc && t.main).length;
      if (mains === 0) vpc.mainRouteTable();
      else if (mains > 1) throw new Error(`VPC ${vpc.name} has ${mains} main route tables`);
    }
    const subnets = this.subnets.map((s) => {
      const pool = this.pools.get(s.id);
      return s.build(pool?.held ?? 0, pool?.unavailable ?? 0);
    });
    const autoScalingGroups: Wire<AutoScalingGroup>[] = [];
    const clusters = this.clusters.map((c) => (c instanceof ClusterBuilder ? c.build(autoScalingGroups) : c));
    const r = this.recorded;
    // The v2 lists appear only when something fills them.
    const v2 = <T>(key: string, built: T[], recorded: T[] | undefined) => {
      const all = [...built, ...(recorded ?? [])];
      return all.length === 0 ? {} : { [key]: all };
    };
    return {
      ec2: {
        Vpcs: [...this.vpcs.map((v) => v.build()), ...r.Vpcs],
        Subnets: [...subnets, ...r.Subnets],
        RouteTables: [...this.routeTables.map((t) => t.build()), ...r.RouteTables],
        SecurityGroups: [...this.securityGroups.map((g) => g.build()), ...r.SecurityGroups],
        InstanceTypes: [...this.instanceTypes, ...r.InstanceTypes],
        LaunchTemplateVersions: [...this.launchTemplateVersions, ...r.LaunchTemplateVersions],
        NetworkInterfaces: [...this.networkInterfaces, ...r.NetworkInterfaces],
        ...v2("Reservations", this.reservations, r.Reservations),
        ...v2("LaunchTemplates", this.launchTemplates, r.LaunchTemplates),
        ...v2("SubnetCidrReservations", this.cidrReservations, r.SubnetCidrReservations),
      },
      eks: { clusters },
      ...(autoScalingGroups.length === 0 ? {} : { autoscaling: { AutoScalingGroups: autoScalingGroups } }),
    };
  }

  /** @internal The VPC, subnet, SG and cluster builders register what they create, in creation order. */
  add(item: SubnetRef | SecurityGroupRef | ClusterBuilder): void {
    if (item instanceof SubnetRef) this.subnets.push(item);
    else if (item instanceof SecurityGroupRef) this.securityGroups.push(item);
    else this.clusters.push(item);
  }

  /** @internal A route table; a subnet has one explicit association at most. */
  addRouteTable(table: {
    vpc: VpcBuilder;
    main: boolean;
    subnets: SubnetRef[];
    build: () => Wire<RouteTable>;
  }): void {
    for (const s of table.subnets) {
      const other = this.associated.get(s.id);
      if (other !== undefined) throw new Error(`subnet ${s.name} is already associated with ${other}`);
      this.associated.set(s.id, s.name);
    }
    this.routeTables.push(table);
  }

  /** The SG with this id, created by this builder. */
  securityGroupRef(group: SecurityGroupRef | string): SecurityGroupRef {
    if (typeof group !== "string") return group;
    const found = this.securityGroups.find((g) => g.id === group);
    if (found === undefined)
      throw new Error(`unknown security group ${group} in ${this.account} ${this.region}`);
    return found;
  }

  private poolOf(subnet: SubnetRef): AddressPool {
    let pool = this.pools.get(subnet.id);
    if (pool === undefined) {
      pool = new AddressPool(subnet.name, subnet.cidr);
      this.pools.set(subnet.id, pool);
    }
    return pool;
  }
}

function emptyEc2(): EstateEc2 {
  return {
    Vpcs: [],
    Subnets: [],
    RouteTables: [],
    SecurityGroups: [],
    InstanceTypes: [],
    LaunchTemplateVersions: [],
    NetworkInterfaces: [],
  };
}

const groupId = (g: SecurityGroupRef) => g.id;

export interface LaunchTemplateVersionInput
  extends Omit<LaunchTemplateVersionSpec, "securityGroupIds" | "interfaceGroupIds"> {
  /** Instance-level SGs: EKS then does not add the cluster SG to the nodes. */
  securityGroups?: (SecurityGroupRef | string)[];
  /** SGs on the primary network interface: same effect as `securityGroups`. */
  interfaceGroups?: (SecurityGroupRef | string)[];
}

/** What a launch template version gives the instances launched from it. */
export interface LaunchTemplateVersionFacts {
  /** The SGs it puts on the instances; undefined when it sets none. */
  securityGroups: SecurityGroupRef[] | undefined;
  instanceType?: string;
  imageId?: string;
  /** Its `TagSpecifications` for the `instance` resource type. */
  instanceTags: Tags;
}

/** A launch template as a node group references it: its latest version unless told otherwise. */
export class LaunchTemplateRef {
  readonly version: string;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly latestVersion: number,
    private readonly factsOf: (version: number) => LaunchTemplateVersionFacts,
  ) {
    this.version = String(latestVersion);
  }

  /** The SGs a version puts on the instances; undefined when it sets none. */
  securityGroups(version = this.latestVersion): SecurityGroupRef[] | undefined {
    return this.factsOf(version).securityGroups;
  }

  /** What a version gives its instances. */
  facts(version = this.latestVersion): LaunchTemplateVersionFacts {
    return this.factsOf(version);
  }
}

/** One ENI's IPv4 addresses: a count (the subnet's lowest free ones) or explicit addresses. */
export type EniAddresses = number | string[];

export interface NetworkInterfaceInput {
  /** Stable label the ENI's id, MAC and attachment id derive from; the id is used when none is given. */
  key?: string;
  id?: string;
  subnet: SubnetRef;
  description: string;
  groups: SecurityGroupRef[];
  addresses: EniAddresses;
  /** Delegated /28 prefixes, or how many to take (prefix-type CIDR reservations first, then free blocks). */
  prefixes?: string[] | number;
  type?: "interface" | "trunk" | "branch" | "vpc_endpoint" | "lambda";
  status?: "in-use" | "available";
  requesterId?: string;
  requesterManaged?: boolean;
  attachment?: {
    instanceId?: string;
    instanceOwnerId?: string;
    deviceIndex: number;
    attachedAt: string;
    deleteOnTermination?: boolean;
  };
  operator?: Wire<OperatorResponse>;
  tags?: Tags;
  /** Fields set as given over the generated record. */
  with?: Partial<Wire<NetworkInterface>>;
}

// ---------------------------------------------------------------------------------------------
// VPC

export interface SubnetSpec {
  /** Zone letter (`a`) or full zone name. */
  zone: string;
  /** Without one, the next free aligned block of `prefixLength` (default /24) in the VPC. */
  cidr?: string;
  prefixLength?: number;
  tags?: Tags;
  /** Fixes AvailableIpAddressCount; without it the count is the usable addresses minus the ENIs' ones. */
  available?: number;
  /** MapPublicIpOnLaunch. */
  public?: boolean;
  id?: string;
  with?: Partial<Wire<Subnet>>;
}

export interface RouteTableSpec {
  main?: boolean;
  subnets?: SubnetRef[];
  /** Routes besides the local one: `{ to: "0.0.0.0/0", via: "nat-…" }`, or raw `Route` records. */
  routes?: (RouteSpec | Wire<Route>)[];
  id?: string;
}

export class VpcBuilder {
  readonly id: string;
  private readonly layout: CidrLayout;
  /** Secondary CIDR blocks (AssociateVpcCidrBlock), e.g. 100.64.0.0/16 for custom networking pod subnets. */
  private readonly secondary: CidrLayout[] = [];

  constructor(
    readonly region: RegionBuilder,
    readonly name: string,
    readonly cidr: string,
    private readonly options: { id?: string; isDefault?: boolean },
  ) {
    this.id = options.id ?? region.id("vpc", name);
    this.layout = new CidrLayout(cidr, `VPC ${name}`);
  }

  /** Associates a secondary IPv4 CIDR block; subnets given a CIDR inside it are laid out there. */
  secondaryCidr(cidr: string): this {
    const { base, size } = parseCidr(cidr);
    for (const layout of [this.layout, ...this.secondary]) {
      const other = parseCidr(layout.cidr);
      if (base < other.base + other.size && other.base < base + size)
        throw new Error(`VPC ${this.name}: ${cidr} overlaps ${layout.cidr}`);
    }
    this.secondary.push(new CidrLayout(cidr, `VPC ${this.name}`));
    return this;
  }

  /** The layout (primary or secondary CIDR) that holds `cidr`. */
  private layoutOf(cidr: string): CidrLayout {
    const { base } = parseCidr(cidr);
    return (
      this.secondary.find((l) => {
        const outer = parseCidr(l.cidr);
        return base >= outer.base && base < outer.base + outer.size;
      }) ?? this.layout
    );
  }

  /** The VPC's internet gateway. */
  get internetGateway(): string {
    return this.region.id("igw", this.name);
  }

  subnet(name: string, spec: SubnetSpec): SubnetRef {
    const cidr =
      spec.cidr === undefined
        ? this.layout.next(spec.prefixLength ?? 24, `subnet ${name}`)
        : this.layoutOf(spec.cidr).claim(spec.cidr, `subnet ${name}`);
    const subnet = new SubnetRef(this, name, spec, cidr);
    this.region.add(subnet);
    return subnet;
  }

  routeTable(name: string, spec: RouteTableSpec = {}): string {
    const { region } = this;
    const id = spec.id ?? region.id("rtb", name);
    const subnets = spec.subnets ?? [];
    for (const s of subnets) {
      if (s.vpc !== this) throw new Error(`route table ${name}: subnet ${s.name} is not in VPC ${this.name}`);
    }
    region.addRouteTable({
      vpc: this,
      main: spec.main === true,
      subnets,
      build: () =>
        routeTableShape({
          account: region.account,
          id,
          vpcId: this.id,
          vpcCidr: this.cidr,
          name,
          main: spec.main === true,
          subnetIds: subnets.map((s) => s.id),
          associationIds: Object.fromEntries([
            ["main", region.id("rtbassoc", name, "main")],
            ...subnets.map((s) => [s.id, region.id("rtbassoc", name, s.name)]),
          ]),
          routes: spec.routes ?? [],
        }),
    });
    return id;
  }

  /** `<vpc>-public`: explicitly associated, `0.0.0.0/0 → igw-…`. */
  publicRouteTable(subnets: SubnetRef[], options: { name?: string; id?: string } = {}): string {
    return this.routeTable(options.name ?? `${this.name}-public`, {
      subnets,
      routes: [{ to: "0.0.0.0/0", via: this.internetGateway }],
      ...(options.id === undefined ? {} : { id: options.id }),
    });
  }

  /** Explicitly associated, `0.0.0.0/0 → nat-…` of the NAT gateway in `nat` (plus any extra routes). */
  privateRouteTable(
    name: string,
    spec: {
      nat: SubnetRef | string;
      subnets: SubnetRef[];
      routes?: (RouteSpec | Wire<Route>)[];
      id?: string;
    },
  ): string {
    const nat = typeof spec.nat === "string" ? spec.nat : spec.nat.natGateway;
    return this.routeTable(name, {
      subnets: spec.subnets,
      routes: [{ to: "0.0.0.0/0", via: nat }, ...(spec.routes ?? [])],
      ...(spec.id === undefined ? {} : { id: spec.id }),
    });
  }

  /** `<vpc>-main`, the table every subnet without an explicit association falls back to. */
  mainRouteTable(spec: { routes?: (RouteSpec | Wire<Route>)[]; id?: string } = {}): string {
    return this.routeTable(`${this.name}-main`, { ...spec, main: true });
  }

  securityGroup(
    name: string,
    description: string,
    options: { tags?: Tags; id?: string; egress?: EgressRule[] } = {},
  ): SecurityGroupRef {
    const group = new SecurityGroupRef(this, name, description, options);
    this.region.add(group);
    return group;
  }

  /** The SG EKS creates for a cluster: all traffic from itself, all out. */
  clusterSecurityGroup(
    cluster: string,
    options: { id?: string; egress?: EgressRule[] } = {},
  ): SecurityGroupRef {
    const suffix = String(
      Number.parseInt(digest("cluster-sg", this.region.account, cluster).slice(0, 8), 16),
    ).padStart(10, "0");
    const name = `eks-cluster-sg-${cluster}-${suffix}`;
    const sg = this.securityGroup(
      name,
      "EKS created security group applied to ENI that is attached to EKS Control Plane master nodes, as well as any managed workloads.",
      {
        tags: { Name: name, "aws:eks:cluster-name": cluster, [`kubernetes.io/cluster/${cluster}`]: "owned" },
        ...options,
      },
    );
    return sg.allow({ allTraffic: true, from: sg });
  }

  /** The SG EKS creates for a node group's `remoteAccess` without source SGs: port 22 from anywhere. */
  remoteAccessSecurityGroup(cluster: string, nodegroup: string): SecurityGroupRef {
    return this.securityGroup(
      `eks-remoteAccess-${uuid(this.region.account, cluster, nodegroup, "remote-access")}`,
      "Security group for all nodes in the nodeGroup to allow SSH access",
      { tags: { "eks:cluster-name": cluster, "eks:nodegroup-name": nodegroup } },
    ).allow({ tcp: 22, from: "0.0.0.0/0" });
  }

  cluster(name: string, spec: ClusterSpec): ClusterBuilder {
    const cluster = new ClusterBuilder(this, name, spec);
    this.region.add(cluster);
    return cluster;
  }

  /** @internal */
  build(): Wire<Vpc> {
    const { region } = this;
    return vpcShape({
      account: region.account,
      id: this.id,
      name: this.name,
      cidr: this.cidr,
      dhcpOptionsId: region.id("dopt", "default"),
      cidrAssociationId: region.id("vpc-cidr-assoc", this.name),
      ...(this.options.isDefault === undefined ? {} : { isDefault: this.options.isDefault }),
      ...(this.secondary.length === 0
        ? {}
        : {
            secondaryCidrs: this.secondary.map((l) => ({
              cidr: l.cidr,
              associationId: region.id("vpc-cidr-assoc", this.name, l.cidr),
            })),
          }),
    });
  }
}

export class SubnetRef {
  readonly id: string;
  readonly az: string;
  readonly azId: string;

  constructor(
    readonly vpc: VpcBuilder,
    readonly name: string,
    private readonly spec: SubnetSpec,
    readonly cidr: string,
  ) {
    const { region } = vpc.region;
    this.id = spec.id ?? vpc.region.id("subnet", name);
    this.az = spec.zone.length === 1 ? `${region}${spec.zone}` : spec.zone;
    this.azId = zoneId(region, this.az.slice(region.length));
  }

  /** MapPublicIpOnLaunch: a subnet meant for public addresses. */
  get isPublic(): boolean {
    return this.spec.public === true;
  }

  /** The NAT gateway placed in this subnet. */
  get natGateway(): string {
    return this.vpc.region.id("nat", this.name);
  }

  /**
   * A subnet CIDR reservation: `prefix` ranges are where EC2 takes the /28 prefixes it delegates, `explicit`
   * ranges only hold addresses assigned by hand; neither is handed out for an automatically assigned address
   * (EC2 API reference, CreateSubnetCidrReservation `ReservationType`). AvailableIpAddressCount leaves the
   * whole reserved range out, free or held (issue 16; cilium/cilium#38499: reservations "artificially reduce the
   * number of available IPs in the subnet").
   */
  cidrReservation(
    cidr: string,
    type: "prefix" | "explicit",
    options: { description?: string; tags?: Tags } = {},
  ): string {
    return this.vpc.region.addCidrReservation(this, cidr, type, options);
  }

  /**
   * @internal `held`: addresses the ENIs listed in this subnet take; `unavailable`: those plus the reserved ones
   * (subnet CIDR reservations), which AvailableIpAddressCount leaves out.
   */
  build(held: number, unavailable: number = held): Wire<Subnet> {
    const { spec } = this;
    if (spec.available !== undefined && held > 0) {
      throw new Error(`subnet ${this.name}: give either ENIs or a fixed available count, not both`);
    }
    const region = this.vpc.region;
    return {
      ...subnetShape({
        account: region.account,
        region: region.region,
        id: this.id,
        vpcId: this.vpc.id,
        az: this.az,
        azId: this.azId,
        cidr: this.cidr,
        available: spec.available ?? usableAddresses(this.cidr) - unavailable,
        name: this.name,
        ...(spec.tags === undefined ? {} : { tags: spec.tags }),
        ...(spec.public === undefined ? {} : { public: spec.public }),
      }),
      ...spec.with,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// security groups

export type Ports = number | [number, number];

/** The protocol of a rule: `{ tcp: 443 }`, `{ udp: [53, 53] }`, `{ icmp: true }`, `{ allTraffic: true }`. */
export type Protocol = { tcp: Ports } | { udp: Ports } | { icmp: true } | { allTraffic: true };

/** An ingress rule: from a CIDR (IPv4 or IPv6) or a security group (through `peering` if in another VPC). */
export type IngressRule = Protocol & {
  from: string | SecurityGroupRef;
  peering?: string;
  description?: string;
};
export type EgressRule = Protocol & { to: string | SecurityGroupRef; peering?: string; description?: string };

function permissionRule(
  rule: Protocol & { peering?: string; description?: string },
  peer: string | SecurityGroupRef,
  owner: SecurityGroupRef,
): PermissionRule {
  const range = (p: Ports): [number, number] => (typeof p === "number" ? [p, p] : p);
  const base: PermissionRule =
    "tcp" in rule
      ? { protocol: "tcp", ports: range(rule.tcp) }
      : "udp" in rule
        ? { protocol: "udp", ports: range(rule.udp) }
        : "icmp" in rule
          ? { protocol: "icmp", ports: [-1, -1] }
          : { protocol: "-1" };
  if (typeof peer === "string") base.cidr = peer;
  else {
    if (peer.vpc !== owner.vpc && rule.peering === undefined) {
      throw new Error(
        `${owner.name}: ${peer.name} is in another VPC; reference it through a peering connection`,
      );
    }
    base.group = { id: peer.id, vpcId: peer.vpc.id };
  }
  if (rule.peering !== undefined) base.peering = rule.peering;
  if (rule.description !== undefined) base.description = rule.description;
  return base;
}

export class SecurityGroupRef {
  readonly id: string;
  private readonly ingress: PermissionRule[] = [];
  private readonly egress: PermissionRule[] | undefined;

  constructor(
    readonly vpc: VpcBuilder,
    readonly name: string,
    private readonly description: string,
    private readonly options: { tags?: Tags; id?: string; egress?: EgressRule[] },
  ) {
    this.id = options.id ?? vpc.region.id("sg", vpc.name, name);
    this.egress = options.egress?.map((r) => permissionRule(r, r.to, this));
  }

  /** Adds an ingress rule; rules of one protocol and port range share one IpPermission. */
  allow(rule: IngressRule): this {
    this.ingress.push(permissionRule(rule, rule.from, this));
    return this;
  }

  /** @internal */
  build() {
    const region = this.vpc.region;
    return securityGroupShape({
      account: region.account,
      region: region.region,
      id: this.id,
      name: this.name,
      description: this.description,
      vpcId: this.vpc.id,
      ingress: this.ingress,
      ...(this.egress === undefined ? {} : { egress: this.egress }),
      tags: this.options.tags ?? {},
    });
  }
}

/** The separate-SG model done right: node ↔ control plane on 443 and 10250, DNS both ways. */
export function allowControlPlane(nodeSg: SecurityGroupRef, clusterSg: SecurityGroupRef): void {
  nodeSg
    .allow({ allTraffic: true, from: nodeSg, description: "node to node" })
    .allow({ tcp: 10250, from: clusterSg, description: "kubelet from control plane" })
    .allow({ tcp: 443, from: clusterSg, description: "webhooks from control plane" })
    .allow({ tcp: 53, from: clusterSg, description: "DNS" })
    .allow({ udp: 53, from: clusterSg, description: "DNS" });
  clusterSg
    .allow({ tcp: 443, from: nodeSg, description: "API server from nodes" })
    .allow({ tcp: 53, from: nodeSg, description: "DNS" })
    .allow({ udp: 53, from: nodeSg, description: "DNS" });
}
