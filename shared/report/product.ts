/** How reports name the tool that made them (OCSF metadata.product, the HTML footer). */
export const PRODUCT = {
  name: "eks-auditor",
  /** package.json "version" (a test keeps them equal). */
  version: "0.1.0",
} as const;
