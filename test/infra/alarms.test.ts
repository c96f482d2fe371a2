import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, type Stack } from "aws-cdk-lib";
import { Annotations, Match } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "#infra/app.ts";
import { type Json, propsOf, resourcesOf, type Synthesized, synthesize } from "./support.ts";

const ALARMS = ["ScanDeadLetters", "ScheduleDeadLetters", "ScanErrors", "PlannerErrors", "Heartbeat"];
const ALERTS = "platform-oncall@example.com";
const OPS = "sre@example.com";

/** Where each alarm's notifications end up: the email endpoints of unfiltered subscriptions to its topics. */
function unfilteredRecipients(s: Synthesized): Map<string, string[]> {
  const subscriptions = resourcesOf(s.central, "AWS::SNS::Subscription").map(([, r]) => propsOf(r));
  const out = new Map<string, string[]>();
  for (const [id, alarm] of resourcesOf(s.central, "AWS::CloudWatch::Alarm")) {
    const topics = ((propsOf(alarm).AlarmActions ?? []) as Json[]).map((a) => JSON.stringify(a));
    const recipients = subscriptions
      .filter((sub) => topics.includes(JSON.stringify(sub.TopicArn)) && sub.FilterPolicy === undefined)
      .map((sub) => String(sub.Endpoint));
    out.set(id.replace(/^Ops/, "").replace(/[0-9A-F]{8}$/, ""), recipients);
  }
  return out;
}

function alarm(s: Synthesized, name: string): Json {
  const found = resourcesOf(s.central, "AWS::CloudWatch::Alarm").find(([id]) => id.startsWith(`Ops${name}`));
  if (!found) throw new Error(`no ${name} alarm`);
  return propsOf(found[1]);
}

describe("Alarms", () => {
  let alertEmailOnly: Synthesized;
  let both: Synthesized;

  beforeAll(() => {
    alertEmailOnly = synthesize({ "eksAuditor.alertEmail": ALERTS });
    both = synthesize({
      "eksAuditor.alertEmail": ALERTS,
      "eksAuditor.opsEmail": OPS,
      "eksAuditor.schedule": "rate(12 hours)",
      "eksAuditor.scheduleWindowMinutes": 0,
    });
  });

  it("reach the alert address through a subscription without a filter when only alertEmail is set", () => {
    // Act
    const recipients = unfilteredRecipients(alertEmailOnly);

    // Assess
    expect([...recipients.keys()].sort()).toEqual([...ALARMS].sort());
    for (const [name, emails] of recipients) expect(emails, name).toEqual([ALERTS]);
  });

  it("reach the ops address, and only it, when opsEmail is set", () => {
    // Act
    const recipients = unfilteredRecipients(both);

    // Assess
    expect([...recipients.keys()].sort()).toEqual([...ALARMS].sort());
    for (const [name, emails] of recipients) expect(emails, name).toEqual([OPS]);
    both.central.hasResourceProperties("AWS::SNS::Subscription", {
      Endpoint: ALERTS,
      FilterPolicy: { severity: ["CRITICAL", "HIGH"] },
    });
  });

  it("warn at synth that no one receives them when no email is set", () => {
    // Prepare
    const outdir = mkdtempSync(join(tmpdir(), "eks-auditor-alarms-"));
    try {
      const app = new App({ outdir, context: { "eksAuditor.skipBundling": true } });
      const { stacks } = buildApp(app);

      // Act
      const annotations = Annotations.fromStack(stacks.central as Stack);

      // Assess
      annotations.hasWarning("*", Match.stringLikeRegexp("No one is subscribed to the ops topic"));
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it("fire when the schedule's DLQ holds an invocation Scheduler could not deliver", () => {
    // Act
    const [, schedule] = resourcesOf(alertEmailOnly.central, "AWS::Scheduler::Schedule")[0] ?? ["", {}];
    const dlqArn = ((propsOf(schedule).Target as Json).DeadLetterConfig as Json).Arn as Json;
    const dlqId = (dlqArn["Fn::GetAtt"] as string[])[0];
    const props = alarm(alertEmailOnly, "ScheduleDeadLetters");

    // Assess
    expect(props).toMatchObject({
      Namespace: "AWS/SQS",
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [dlqId, "QueueName"] } }],
      ComparisonOperator: "GreaterThanThreshold",
      Threshold: 0,
    });
  });

  it.each([
    ["a daily cron with a 15-minute window", () => alertEmailOnly, 49 * 3600],
    ["rate(12 hours) without a window", () => both, 24 * 3600],
  ])("fire on a missing heartbeat: no completed scope in two schedule periods of %s", (_name, s, seconds) => {
    // Act
    const props = alarm(s(), "Heartbeat");

    // Assess: every period of the window without a completed scope, missing data included
    expect(props).toMatchObject({
      Namespace: "EksAuditor",
      MetricName: "ScopesCompleted",
      Dimensions: [{ Name: "service", Value: "eks-auditor-scanner" }],
      Statistic: "Sum",
      ComparisonOperator: "LessThanThreshold",
      Threshold: 1,
      TreatMissingData: "breaching",
    });
    expect(props.DatapointsToAlarm).toBe(props.EvaluationPeriods);
    expect(Number(props.Period) * Number(props.EvaluationPeriods)).toBe(seconds);
  });
});
