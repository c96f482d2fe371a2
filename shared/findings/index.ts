export { isAboutUnread, type UnreadResource } from "./coverage.ts";
export { type Finding, findingKey, NO_CLUSTER, RULE_IDS, type RuleId } from "./finding.ts";
export { type FindingIdentityFields, findingId } from "./identity.ts";
export {
  atLeast,
  compareSeverity,
  isSeverity,
  parseSeverity,
  SEVERITIES,
  type Severity,
  severityRank,
  worstSeverity,
} from "./severity.ts";
export {
  DEFAULT_TEAM_TAG_KEYS,
  parseTeamTagKeys,
  TeamTagKeysError,
  teamOfTags,
  withTeams,
} from "./team.ts";
