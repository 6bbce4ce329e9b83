import { StackConfig } from "../components/config/stack";
import { buildPlan, Plan, planText } from "../components/plan";
import { Output } from "./output";
import { parseOptions } from "./policy-commands";
import { loadStackForCli } from "./stack";

export const PLAN_HELP = `Usage: akko-audit plan --stack NAME [--json] [--project-dir DIR]

Runs the real program under the Pulumi SDK's mocks (no credentials, no Pulumi CLI, no network) and prints
every resource it would register: type, name, parent, dependencies and key inputs (secrets as [secret]),
grouped by cluster, with the rollout's critical path. This is what reviewers read on pull requests from
forks. 'render' writes the same plan as plan.json.`;

/** The plan of the real program (loaded lazily: it pulls in every provider SDK). */
export async function planFor(config: StackConfig): Promise<Plan> {
    // require, not import(): the launcher registers tsx for CommonJS only.
    const { auditProgram } = require("../components/rollout/program") as typeof import("../components/rollout/program");
    return buildPlan(config, auditProgram);
}

export async function planCommand(args: string[], out: Output): Promise<number> {
    const opts = parseOptions("plan", args, { stack: { type: "string" }, json: { type: "boolean" }, "project-dir": { type: "string" } });
    if (opts.help) return out.stdout(PLAN_HELP), 0;
    const config = loadStackForCli(opts.stack, opts["project-dir"], "plan", out);
    if (typeof config === "number") return config;
    const plan = await planFor(config);
    out.stdout(opts.json ? JSON.stringify(plan, null, 2) : planText(plan));
    return 0;
}
