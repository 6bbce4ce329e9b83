import { buildCoverage, coverageMarkdown, detectionGaps } from "../components/coverage";
import { CliError } from "./errors";
import { Output } from "./output";
import { parseOptions } from "./policy-commands";
import { loadStackForCli } from "./stack";

export const COVERAGE_HELP = `Usage: akko-audit coverage --stack NAME [--format md|json] [--strict] [--project-dir DIR]

For every cluster of the stack: which event classes of the product's policy table reach Loki and at what
level, why not where they do not (AKS kube-audit-admin drops get/list, GKE reads need Data Access logs,
EKS's fixed policy, OpenShift's profile), which detection rules can fire on its events (fires, partly,
blind, disabled) and why not, retention on each hop, then the compliance mapping per control (SOC 2 CC6.1
and CC7.2, ISO/IEC 27001:2022 A.8.15 and A.8.16, GDPR Art. 32, HDS v2) with what each control gets and
what it does not. Derived from the config and the policy engine. Offline. Default format: md.

--strict  exit 1 when an enabled detection rule is blind or fires only in part on any cluster (the report is
          still printed; stderr names each rule and cluster). Without it, blind rules are reported, never fatal.`;

export function coverageCommand(args: string[], out: Output): number {
    const opts = parseOptions("coverage", args, {
        stack: { type: "string" },
        format: { type: "string" },
        strict: { type: "boolean" },
        "project-dir": { type: "string" },
    });
    if (opts.help) return (out.stdout(COVERAGE_HELP), 0);
    const format = opts.format ?? "md";
    if (format !== "md" && format !== "json") throw new CliError(`coverage: --format ${JSON.stringify(format)}; allowed: md | json`);
    const config = loadStackForCli(opts.stack, opts["project-dir"], "coverage", out);
    if (typeof config === "number") return config;
    const report = buildCoverage(config);
    out.stdout(format === "json" ? JSON.stringify(report, null, 2) : coverageMarkdown(report));
    if (!opts.strict) return 0;
    const gaps = detectionGaps(report.clusters);
    if (gaps.length === 0) return 0;
    out.stderr(`coverage --strict: ${gaps.length} detection(s) cannot fire everywhere: ${gaps.join(", ")}`);
    return 1;
}
