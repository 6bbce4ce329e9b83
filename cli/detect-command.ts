import { DetectionsSchema } from "../components/config/detections";
import { Detector, Hit, lineLabels } from "../components/logs/detections/evaluate";
import { DetectionRule } from "../components/logs/detections/model";
import { detectionRules } from "../components/logs/detections/rules";
import { hotFields } from "../components/logs/normalize/normalize";
import { readAuditEvents } from "../components/logs/normalize/reader";
import { CliError } from "./errors";
import { openInput } from "./io";
import { Output } from "./output";
import { parseOptions } from "./policy-commands";
import { loadStackForCli } from "./stack";

export const DETECT_HELP = `Usage: akko-audit detect --in FILE [--json] [--cluster NAME] [--stack NAME [--project-dir DIR]]
       akko-audit detect --list [--stack NAME]

Runs the detection rules over audit events, as the Loki ruler does over the stored lines: the same labels
(stream, structured metadata, '| json') and the same label filters; counted rules count in each event's
time (stageTimestamp, else requestReceivedTimestamp). FILE is anything 'normalize' reads (native Events,
EKS/CloudWatch, GKE LogEntries, AKS records, OTLP, ViaQ); '-' reads stdin. One hit per line on stdout:
  <time> <severity> <rule> cluster=<name> user=<name> verb=<verb> object=<resource[/sub] ns/name> auditID=<id>
Options:
  --json           one JSON object per hit (rule, severity, cluster, auditID, user, verb, object, time;
                   counted rules add count and key)
  --cluster NAME   the cluster of events whose carrier names none (native lines); a carrier's own cluster
                   (EKS log group, GKE cluster_name, AKS resourceId, OTLP/ViaQ cluster id) wins
  --stack NAME     the rules as that stack configures them (logs.detections: allow-lists, thresholds,
                   disabled); without it the defaults
  --list           print the rules: id, severity, title, what each needs
Invalid lines are counted on stderr (the first ten quoted) and skipped, as 'normalize' does.
Exit: 0 no hit (every line read), 1 at least one hit, 2 bad input: unreadable file, bad option or config,
or invalid lines and no hit (a rule may have missed what they held).`;

function needsText(rule: DetectionRule): string {
    const reqs = rule.needs.requests.map((r) => r.label).join(", ");
    return `level ${rule.needs.level}; fields ${rule.needs.fields.join(", ") || "none"}${reqs ? `; requests ${reqs}` : ""}`;
}

function hitText(h: Hit): string {
    const parts = [h.time ?? "-", h.severity, h.rule];
    if (h.cluster) parts.push(`cluster=${h.cluster}`);
    parts.push(`user=${h.user ?? "-"}`, `verb=${h.verb ?? "-"}`, `object=${JSON.stringify(h.object ?? "")}`, `auditID=${h.auditID ?? "-"}`);
    if (h.count !== undefined) parts.push(`count=${h.count}`, `key=${JSON.stringify(h.key ?? {})}`);
    return parts.join(" ");
}

/** The event's time in ms (what a counted rule's window is measured in), from the Event's own timestamps. */
function eventTimeMs(event: Record<string, unknown>): number | undefined {
    for (const k of ["stageTimestamp", "requestReceivedTimestamp"]) {
        const v = event[k];
        if (typeof v !== "string") continue;
        const t = Date.parse(v);
        if (!Number.isNaN(t)) return t;
    }
    return undefined;
}

function rulesFor(stack: string | undefined, projectDir: string | undefined, out: Output): DetectionRule[] {
    let config = DetectionsSchema.parse({});
    if (stack !== undefined) {
        const loaded = loadStackForCli(stack, projectDir, "detect", out);
        // Exit 1 means hits here: a config that does not validate is bad input.
        if (typeof loaded === "number") throw new CliError(`detect: stack ${stack}: the config does not validate (problems above)`);
        config = loaded.logs.detections;
    }
    // An unknown id in disabled is a config problem (logsProblems), reported by the stack's validation above.
    return detectionRules(config).filter((r) => !config.disabled.includes(r.id));
}

export async function detectCommand(args: string[], out: Output): Promise<number> {
    const opts = parseOptions("detect", args, {
        in: { type: "string" },
        json: { type: "boolean" },
        cluster: { type: "string" },
        list: { type: "boolean" },
        stack: { type: "string" },
        "project-dir": { type: "string" },
    });
    if (opts.help) return (out.stdout(DETECT_HELP), 0);
    if (opts.cluster === "") throw new CliError("detect: --cluster: empty; allowed: a cluster name");
    const rules = rulesFor(opts.stack, opts["project-dir"], out);
    if (opts.list) {
        for (const r of rules)
            out.stdout(
                opts.json
                    ? JSON.stringify({ id: r.id, severity: r.severity, title: r.title, needs: r.needs })
                    : `${r.id}\t${r.severity}\t${r.title}\t${needsText(r)}`,
            );
        return 0;
    }
    if (opts.in === undefined) throw new CliError("detect: --in FILE is required ('-' for stdin; see detect --help)");
    const detector = new Detector(rules);
    let events = 0;
    let hits = 0;
    const invalid: string[] = [];
    try {
        await readAuditEvents(openInput(opts.in, "--in"), (item) => {
            if ("error" in item) return void invalid.push(`line ${item.lineNo}: ${item.error}`);
            events++;
            const cluster = item.cluster ?? opts.cluster;
            const labels = lineLabels(item.line, hotFields(item.event), cluster !== undefined ? { cluster } : {});
            for (const h of detector.push(labels, eventTimeMs(item.event))) {
                hits++;
                out.stdout(opts.json ? JSON.stringify(h) : hitText(h));
            }
        });
    } catch (e) {
        if (e instanceof CliError) throw e;
        throw new CliError(`--in ${opts.in}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    for (const i of invalid.slice(0, 10)) out.stderr(`detect: ${i}`);
    out.stderr(`detect: ${events} events, ${rules.length} rules, ${hits} hit(s), ${invalid.length} invalid line(s)`);
    // A hit is reported whatever else the file held; "no hit" is only claimed for input read whole.
    return hits > 0 ? 1 : invalid.length > 0 ? 2 : 0;
}
