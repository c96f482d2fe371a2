import { createHash } from "node:crypto";

/** A PRNG (mulberry32) seeded from a seed and a label: the same draws on every run (the benchmark's estates, the forecast's noisy series). */
export class Rng {
  private state: number;

  constructor(seed: number, ...label: string[]) {
    this.state = createHash("sha256")
      .update(`${seed}/${label.join("/")}`)
      .digest()
      .readUInt32BE(0);
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }
}
