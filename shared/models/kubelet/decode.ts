import { gunzipSync } from "node:zlib";

/**
 * A user-data problem described without quoting user data: the message is safe to store, log and show.
 * Never build one from a library error message (YAML and TOML errors quote the offending source).
 */
export class UserDataError extends Error {
  override readonly name = "UserDataError";
}

/** EC2 caps user data at 16 KB raw; anything far beyond that is not user data worth parsing. */
const MAX_BASE64_CHARS = 1_000_000;
const MAX_DECODED_BYTES = 4_000_000;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Base64 (as DescribeLaunchTemplateVersions returns it) → text; undefined when there is none. */
export function decodeUserData(userData: string | undefined): string | undefined {
  if (userData === undefined) return undefined;
  if (userData.length > MAX_BASE64_CHARS) throw new UserDataError("user data is larger than EC2 allows");
  const compact = userData.replace(/\s+/g, "");
  if (compact === "") return undefined;
  if (!BASE64.test(compact)) throw new UserDataError("user data is not valid base64");
  if (compact.length % 4 !== 0) throw new UserDataError("user data is not valid base64 (truncated)");
  let bytes: Uint8Array = Buffer.from(compact, "base64");
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: MAX_DECODED_BYTES });
    } catch {
      throw new UserDataError("user data is gzip-compressed but does not decompress (truncated?)");
    }
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new UserDataError("user data is not UTF-8 text");
  }
  if (text.includes("\u0000")) throw new UserDataError("user data is binary, not text");
  return text.replace(/^\uFEFF/, "");
}

export function encodeUserData(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}
