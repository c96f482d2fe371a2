import { UserDataError } from "./decode.ts";

export interface MimePart {
  /** Lowercase MIME type (`text/x-shellscript`, `application/node.eks.aws`). */
  mimeType: string;
  content: string;
}

const HEADER_LINE = /^[A-Za-z0-9-]+:/;
const CONTINUATION = /^[ \t]/;

/** True when the text opens with a MIME header block naming a Content-Type or MIME-Version. */
export function looksLikeMime(text: string): boolean {
  const lines = text.replace(/^\s*\n/, "").split(/\r?\n/);
  let sawMimeHeader = false;
  for (const line of lines) {
    if (line === "") return sawMimeHeader;
    if (CONTINUATION.test(line)) continue;
    if (!HEADER_LINE.test(line)) return false;
    if (/^(content-type|mime-version):/i.test(line)) sawMimeHeader = true;
  }
  return sawMimeHeader;
}

/** The parts of a MIME message in document order (text/plain parts last, as one part). */
export async function mimeParts(text: string): Promise<MimePart[]> {
  const boundary = topLevelBoundary(text);
  // postal-mime reads a message cut short without complaint: the missing close delimiter is the tell.
  if (boundary !== undefined && !closesBoundary(text, boundary)) {
    throw new UserDataError("MIME multi-part user data is truncated (no closing boundary)");
  }
  // Loaded only when user data is MIME: most scopes never parse a message.
  const { default: PostalMime } = await import("postal-mime");
  let email: Awaited<ReturnType<typeof PostalMime.parse>>;
  try {
    email = await PostalMime.parse(text, { attachmentEncoding: "utf8", maxNestingDepth: 16 });
  } catch {
    throw new UserDataError("user data is not a valid MIME message");
  }
  const parts: MimePart[] = email.attachments.map((a) => ({
    mimeType: a.mimeType.toLowerCase(),
    content: typeof a.content === "string" ? a.content : new TextDecoder().decode(a.content),
  }));
  if (email.text !== undefined && email.text.trim() !== "")
    parts.push({ mimeType: "text/plain", content: email.text });
  if (boundary !== undefined && parts.length === 0)
    throw new UserDataError("MIME multi-part user data has no parts");
  return parts;
}

function topLevelBoundary(text: string): string | undefined {
  const headerEnd = text.search(/\r?\n\r?\n/);
  const headers = (headerEnd >= 0 ? text.slice(0, headerEnd) : text).replace(/\r?\n[ \t]+/g, " ");
  const contentType = headers.split(/\r?\n/).find((l) => /^content-type:/i.test(l));
  if (contentType === undefined || !/multipart\//i.test(contentType)) return undefined;
  const match = /boundary\s*=\s*(?:"([^"]*)"|([^\s;]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (boundary === undefined || boundary === "") {
    throw new UserDataError("MIME multi-part user data declares no boundary");
  }
  return boundary;
}

function closesBoundary(text: string, boundary: string): boolean {
  return text.split(/\r?\n/).some((line) => line.trimEnd() === `--${boundary}--`);
}
