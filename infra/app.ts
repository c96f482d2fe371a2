import { App } from "aws-cdk-lib";
import { CentralStack } from "./stacks/central-stack.ts";

const app = new App();
new CentralStack(app, "EksAuditorCentral", {
  description: "eks-auditor: findings store and scheduled org-wide scan (central account)",
});
app.synth();
