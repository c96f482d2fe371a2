import pLimit from "p-limit";
import type { SampledGroup, SubnetSample } from "#shared/inventory/types.ts";
import type { Raw, TableHandle } from "./handle.ts";
import { StoreDataError } from "./items.ts";
import { sampleHour, sampleSk, subnetPk } from "./keys.ts";
import { consoleQueries } from "./queries.ts";

/** Samples expire (DynamoDB TTL on `expiresAt`) this many days after they were taken. */
export const SAMPLE_RETENTION_DAYS = 180;
const DAY_S = 86_400;

/**
 * The subnet samples of complete scans (issue "See it coming"): one item per subnet, account and UTC hour
 * under `SUBNET#<id>` / `SAMPLE#<hour>#<account>`, kept for SAMPLE_RETENTION_DAYS. The forecast reads a
 * scope's subnets with one Query each; `eks-audit trend` reads one subnet.
 */
export class SampleLog {
  constructor(
    private readonly table: TableHandle,
    private readonly concurrency: number,
  ) {}

  /** Samples of one subnet taken in [from, to] (any account), oldest first. */
  async ofSubnet(subnetId: string, from: string, to: string): Promise<SubnetSample[]> {
    const items = await this.table.queryAll(
      consoleQueries.samplesOfSubnet(this.table.tableName, subnetId, from, to),
    );
    const lo = Date.parse(from);
    const hi = Date.parse(to);
    return items
      .map(parseSampleItem)
      .filter((s) => {
        const t = Date.parse(s.at);
        return t >= lo && t <= hi;
      })
      .sort((a, b) => a.at.localeCompare(b.at));
  }

  /** Samples of each subnet taken in [from, to], by subnet id: one Query per subnet. */
  async ofSubnets(
    subnetIds: readonly string[],
    from: string,
    to: string,
  ): Promise<Map<string, SubnetSample[]>> {
    const limit = pLimit(this.concurrency);
    const entries = await Promise.all(
      [...new Set(subnetIds)].map((id) =>
        limit(async () => [id, await this.ofSubnet(id, from, to)] as const),
      ),
    );
    return new Map(entries);
  }

  /**
   * Records samples, 25 to a BatchWriteItem (a scope's few subnets in one call, not one PutItem each); returns how
   * many were written. A sample replaces the item of its subnet, account and hour: the scan sends only the hours
   * its history read did not hold (`withCurrentSamples`), so a re-run within the hour writes none, and two scans
   * of one scope racing in the same hour leave one sample, the later one's.
   */
  async record(samples: readonly SubnetSample[]): Promise<number> {
    const items = new Map<string, Raw>();
    // One item per key in a batch (BatchWriteItem refuses duplicates): the last sample of the hour.
    for (const s of samples) {
      const item = sampleItem(s);
      items.set(`${String(item.pk)} ${String(item.sk)}`, item);
    }
    await this.table.batchPut([...items.values()], "sample");
    return items.size;
  }
}

function sampleItem(s: SubnetSample): Raw {
  return {
    pk: subnetPk(s.subnetId),
    sk: sampleSk(s.at, s.accountId),
    itemType: "SAMPLE",
    ...s,
    expiresAt: Math.floor(Date.parse(s.at) / 1000) + SAMPLE_RETENTION_DAYS * DAY_S,
  };
}

function need<T>(raw: Raw, name: string, ok: (v: unknown) => v is T): T {
  const v = raw[name];
  if (!ok(v))
    throw new StoreDataError(`${String(raw.pk)} ${String(raw.sk)}: ${name} is missing or malformed`);
  return v;
}
const isString = (v: unknown): v is string => typeof v === "string";
const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

function parseGroup(raw: Raw, g: unknown): SampledGroup {
  if (typeof g !== "object" || g === null) {
    throw new StoreDataError(`${String(raw.pk)} ${String(raw.sk)}: a group is not a map`);
  }
  const r = g as Raw;
  return {
    cluster: need(r, "cluster", isString),
    group: need(r, "group", isString),
    kind: need(r, "kind", isString) as SampledGroup["kind"],
    instanceType: need(r, "instanceType", isString),
    launchIps: need(r, "launchIps", isNumber),
    needIps: need(r, "needIps", isNumber),
    fitsAtLaunch: need(r, "fitsAtLaunch", isNumber),
    fitsAtFull: need(r, "fitsAtFull", isNumber),
    podsAtLaunch: need(r, "podsAtLaunch", isNumber),
    podsAtFull: need(r, "podsAtFull", isNumber),
    nodes: need(r, "nodes", isNumber),
  };
}

/** A stored sample back as the scan recorded it; a malformed item is an error naming its key. */
export function parseSampleItem(raw: Raw): SubnetSample {
  const at = need(raw, "at", isString);
  if (Number.isNaN(Date.parse(at)) || sampleHour(at) !== String(raw.sk).split("#")[1]) {
    throw new StoreDataError(`${String(raw.pk)} ${String(raw.sk)}: at ${at} is not in the item's hour`);
  }
  const groups = raw.groups;
  return {
    subnetId: need(raw, "subnetId", isString),
    accountId: need(raw, "accountId", isString),
    region: need(raw, "region", isString),
    ...(isString(raw.availabilityZone) ? { availabilityZone: raw.availabilityZone } : {}),
    at,
    availableIps: need(raw, "availableIps", isNumber),
    ...(isNumber(raw.freePrefixBlocks) ? { freePrefixBlocks: raw.freePrefixBlocks } : {}),
    nodes: need(raw, "nodes", isNumber),
    groups: Array.isArray(groups) ? groups.map((g) => parseGroup(raw, g)) : [],
  };
}
