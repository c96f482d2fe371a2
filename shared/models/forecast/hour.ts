/** `2026-12-05T13`: the UTC hour of a sample (the store keeps at most one per subnet, account and hour). */
export const sampleHour = (at: string): string => new Date(at).toISOString().slice(0, 13);
