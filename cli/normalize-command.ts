import { Carrier, CARRIERS } from "../components/logs/normalize/normalize";
import { readAuditEvents } from "../components/logs/normalize/reader";
import { CliError } from "./errors";
import { openInput } from "./io";
import { Output } from "./output";
import { parseOptions } from "./policy-commands";

export const NORMALIZE_HELP = `Usage: akko-audit normalize --in FILE

Turns an export of audit logs into native audit.k8s.io/v1 Events, one JSON per line on stdout, exactly as
they are stored in Loki (the same reader as 'policy simulate'). FILE holds JSON lines, or one JSON document
(pretty-printed output, an OTLP/JSON file); '-' reads stdin. Accepted, alone or mixed:
  native     audit.k8s.io/v1 Events (k3s, EKS, kube-apiserver audit files), kept byte for byte
  aks        Azure resource-log records (properties.log, a string or an object), in a {"records": [...]}
             envelope or not; AzureDiagnostics rows (log_s); AKSAudit / AKSAuditAdmin table rows
  gke        Cloud Audit Logs LogEntries (protoPayload, serviceName k8s.io), mapped field by field
             (components/logs/normalize/table.ts)
  otlp       Alloy's OTLP records (body); OTLP/JSON export requests (resourceLogs[].scopeLogs[].logRecords[].body)
  cloudwatch CloudWatch Logs subscription messages (control messages skipped), Firehose HTTP endpoint
             request bodies (records[].data, gzip'd), 'aws logs filter-log-events' / 'get-log-events' output,
             Logs Insights results (@message; 'get-query-results' output or a JSON export)
  viaq       ClusterLogForwarder ViaQ audit records (level from k8s_audit_level / openshift_audit_level)
A summary goes to stderr; other lines are counted there, never written.
Exit: 0 all lines converted, 1 some lines invalid, 2 unreadable input.`;

export async function normalizeCommand(args: string[], out: Output): Promise<number> {
    const opts = parseOptions("normalize", args, { in: { type: "string" } });
    if (opts.help) return (out.stdout(NORMALIZE_HELP), 0);
    if (opts.in === undefined) throw new CliError("normalize: --in FILE is required ('-' for stdin; see normalize --help)");
    const counts = Object.fromEntries(CARRIERS.map((c) => [c, 0])) as Record<Carrier, number>;
    const invalid: string[] = [];
    try {
        await readAuditEvents(openInput(opts.in, "--in"), (item) => {
            if ("error" in item) return void invalid.push(`line ${item.lineNo}: ${item.error}`);
            counts[item.carrier]++;
            out.stdout(item.line);
        });
    } catch (e) {
        if (e instanceof CliError) throw e;
        throw new CliError(`--in ${opts.in}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    for (const i of invalid.slice(0, 10)) out.stderr(`normalize: ${i}`);
    const total = CARRIERS.reduce((n, c) => n + counts[c], 0);
    out.stderr(`normalize: ${total} events (${CARRIERS.map((c) => `${c} ${counts[c]}`).join(", ")}), ${invalid.length} invalid line(s)`);
    return invalid.length > 0 ? 1 : 0;
}
