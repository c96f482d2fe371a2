import { describe, expect, it } from "vitest";
import { classifyScanError } from "#shared/scan/errors.ts";

const err = (name: string) => Object.assign(new Error(name), { name });

describe("Function: classifyScanError", () => {
  it.each(["InvalidClientTokenId", "UnrecognizedClientException", "AuthFailure", "ExpiredToken"])(
    "%s is access denied unless the region is known to be disabled",
    (name) => {
      expect(classifyScanError(err(name))).toBe("scan.access-denied");
      expect(classifyScanError(err(name), true)).toBe("scan.region-unavailable");
    },
  );

  it.each(["RegionDisabledException", "OptInRequired"])(
    "%s always means the region is not enabled",
    (name) => {
      expect(classifyScanError(err(name))).toBe("scan.region-unavailable");
    },
  );

  it("keeps denials denials, and anything else a scan error", () => {
    expect(classifyScanError(err("AccessDenied"), true)).toBe("scan.access-denied");
    expect(classifyScanError(err("UnauthorizedOperation"))).toBe("scan.access-denied");
    expect(classifyScanError(err("InternalError"))).toBe("scan.error");
    expect(classifyScanError("not an error")).toBe("scan.error");
  });
});
