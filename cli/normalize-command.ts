import { NormalizeError, normalizeLine } from "../components/logs/normalize/normalize";
import { SourceFormat } from "../components/logs/normalize/table";
import { forEachLine } from "../policy/engine/lines";
import { CliError } from "./errors";
import { openInput } from "./io";
import { Output } from "./output";
import { parseOptions } from "./policy-commands";

export const NORMALIZE_HELP = `Usage: akko-audit normalize --in FILE

Turns an export of audit logs into native audit.k8s.io/v1 Events, one JSON per line on stdout, exactly as
they are stored in Loki: native Events unchanged, AKS resource-log records (properties.log) and
OpenShift OTLP records (body) unwrapped, GKE Cloud Audit LogEntries mapped field by field (see
components/logs/normalize/table.ts). An Azure {"records": [...]} envelope gives one line per record.
FILE '-' reads stdin. A summary goes to stderr; other lines are counted there, never written.
Exit: 0 all lines converted, 1 some lines invalid, 2 unreadable input.`;

export async function normalizeCommand(args: string[], out: Output): Promise<number> {
    const opts = parseOptions("normalize", args, { in: { type: "string" } });
    if (opts.help) return (out.stdout(NORMALIZE_HELP), 0);
    if (opts.in === undefined) throw new CliError("normalize: --in FILE is required ('-' for stdin; see normalize --help)");
    const counts: Record<SourceFormat, number> = { native: 0, aks: 0, gke: 0, otlp: 0 };
    const invalid: string[] = [];
    let lineNo = 0;
    try {
        await forEachLine(openInput(opts.in, "--in"), (line) => {
            lineNo++;
            if (line.trim() === "") return;
            try {
                for (const n of normalizeLine(line)) {
                    counts[n.format]++;
                    out.stdout(n.line);
                }
            } catch (e) {
                if (!(e instanceof NormalizeError)) throw e;
                invalid.push(`line ${lineNo}: ${e.message}`);
            }
        });
    } catch (e) {
        if (e instanceof CliError) throw e;
        throw new CliError(`--in ${opts.in}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    for (const i of invalid.slice(0, 10)) out.stderr(`normalize: ${i}`);
    const total = counts.native + counts.aks + counts.gke + counts.otlp;
    out.stderr(
        `normalize: ${total} events (native ${counts.native}, aks ${counts.aks}, gke ${counts.gke}, otlp ${counts.otlp}), ${invalid.length} invalid line(s)`,
    );
    return invalid.length > 0 ? 1 : 0;
}
