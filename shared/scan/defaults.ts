/** Account-regions scanned at once by the CLI (each scope bounds its own calls separately). */
export const DEFAULT_CONCURRENCY = 8;
