import { buildCoverage, coverageMarkdown } from "../components/coverage";
import { CliError } from "./errors";
import { Output } from "./output";
import { parseOptions } from "./policy-commands";
import { loadStackForCli } from "./stack";

export const COVERAGE_HELP = `Usage: akko-audit coverage --stack NAME [--format md|json] [--project-dir DIR]

For every cluster of the stack: which event classes of the product's policy table reach Loki and at what
level, why not where they do not (AKS kube-audit-admin drops get/list, GKE reads need Data Access logs,
EKS's fixed policy, OpenShift's profile), retention on each hop, then the compliance mapping per control
(SOC 2 CC6.1, ISO/IEC 27001:2022 A.8.15 and A.8.16, GDPR Art. 32, HDS v2) with what each control gets and
what it does not. Derived from the config and the policy engine. Offline. Default format: md.`;

export function coverageCommand(args: string[], out: Output): number {
    const opts = parseOptions("coverage", args, { stack: { type: "string" }, format: { type: "string" }, "project-dir": { type: "string" } });
    if (opts.help) return (out.stdout(COVERAGE_HELP), 0);
    const format = opts.format ?? "md";
    if (format !== "md" && format !== "json") throw new CliError(`coverage: --format ${JSON.stringify(format)}; allowed: md | json`);
    const config = loadStackForCli(opts.stack, opts["project-dir"], "coverage", out);
    if (typeof config === "number") return config;
    const report = buildCoverage(config);
    out.stdout(format === "json" ? JSON.stringify(report, null, 2) : coverageMarkdown(report));
    return 0;
}
