import type { AwsError } from "#sim/protocol/errors.ts";
import { shortHash } from "./faults.ts";

export interface PageRequest {
  maxResults?: number | undefined;
  nextToken?: string | undefined;
}

export interface PageOptions {
  /** AWS's bounds for MaxResults, where the API has them. */
  bounds?: { min: number; max: number };
  /** Page size when MaxResults is absent; undefined returns everything. */
  defaultSize?: number;
  /** `faults.maxPageSize`: caps every page whatever MaxResults asks for. */
  cap?: number | undefined;
  /** Identifies the listing (operation, scope, filters) so a token cannot be replayed against another. */
  fingerprint: string;
  invalidMaxResults: (message: string) => AwsError;
  invalidToken: (message: string) => AwsError;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

interface TokenBody {
  o: number;
  f: string;
}

/** Opaque token: base64url of the offset and a hash of the request it belongs to. */
function encodeToken(offset: number, fingerprint: string): string {
  const body: TokenBody = { o: offset, f: shortHash(fingerprint) };
  return Buffer.from(JSON.stringify(body)).toString("base64url");
}

function decodeToken(token: string, fingerprint: string, length: number): number | undefined {
  try {
    const body: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (typeof body !== "object" || body === null) return undefined;
    const { o, f } = body as Partial<TokenBody>;
    if (typeof o !== "number" || !Number.isInteger(o) || o < 0 || o > length) return undefined;
    return f === shortHash(fingerprint) ? o : undefined;
  } catch {
    return undefined;
  }
}

export function paginate<T>(items: readonly T[], request: PageRequest, options: PageOptions): Page<T> {
  const { maxResults, nextToken } = request;
  if (maxResults !== undefined && options.bounds) {
    const { min, max } = options.bounds;
    if (!Number.isInteger(maxResults) || maxResults < min || maxResults > max) {
      throw options.invalidMaxResults(
        `Value ( ${maxResults} ) for parameter maxResults is invalid. Parameter must be between ${min} and ${max}.`,
      );
    }
  }
  let offset = 0;
  if (nextToken !== undefined && nextToken !== "") {
    const decoded = decodeToken(nextToken, options.fingerprint, items.length);
    if (decoded === undefined) throw options.invalidToken(`The token '${nextToken}' is invalid.`);
    offset = decoded;
  }
  let size = maxResults ?? options.defaultSize ?? Number.POSITIVE_INFINITY;
  if (options.cap !== undefined) size = Math.min(size, options.cap);
  size = Math.max(1, size);
  const end = Math.min(items.length, offset + size);
  const page: Page<T> = { items: items.slice(offset, end) };
  if (end < items.length) page.nextToken = encodeToken(end, options.fingerprint);
  return page;
}
