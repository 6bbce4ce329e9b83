import {
    AKS_EVENT_PATH,
    DERIVED_FIELDS,
    derivedExpression,
    OTLP_EVENT_PATH,
    EVENT_TIME_PATHS,
    FieldMapping,
    GKE_EXTRACTS,
    GKE_FIELDS,
    GKE_SPLITS,
    GRPC_TO_HTTP,
    GRPC_UNKNOWN_HTTP,
    HOT_FIELDS,
    SourceFormat,
} from "../normalize/table";
import { STREAM_LABELS } from "../labels";
import { map, raw, str } from "./syntax";

/** A JMESPath field path; segments that are not plain identifiers are quoted. */
export function jmesPath(path: readonly string[]): string {
    return path.map((p) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? p : JSON.stringify(p))).join(".");
}

/** RE2 spells named groups (?P<name>...); JavaScript (?<name>...). The table uses the latter. */
export function re2(pattern: string): string {
    return pattern.replace(/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g, "(?P<$1>");
}

const EVENT_VAR = "gke_event";

/** Go text/template (with sprig) that builds the Event from the extracted GKE variables, as the table says. */
export function gkeTemplate(fields: readonly FieldMapping[] = GKE_FIELDS): string {
    const grpc = Object.entries(GRPC_TO_HTTP)
        .map(([k, v]) => `"${k}" "${v}"`)
        .join(" ");
    const parts: string[] = [`{{- $grpc := dict ${grpc} -}}`, "{{- $e := dict -}}"];
    // Nested objects are built in their own variable, then attached when not empty.
    const objects: string[] = [];
    for (const m of fields) if (m.target.length === 2 && !objects.includes(m.target[0])) objects.push(m.target[0]);
    for (const o of objects) parts.push(`{{- $${o} := dict -}}`);
    for (const m of fields) {
        const obj = m.target.length === 2 ? `$${m.target[0]}` : "$e";
        const key = JSON.stringify(m.target[m.target.length - 1]);
        if (m.target.length > 2) throw new Error(`table: ${m.target.join(".")}: at most two levels`);
        if (m.constant !== undefined) {
            parts.push(`{{- $_ := set ${obj} ${key} ${JSON.stringify(m.constant)} -}}`);
            continue;
        }
        const v = `.${m.from}`;
        switch (m.conversion) {
            case "string":
                parts.push(`{{- if ${v} }}{{ $_ := set ${obj} ${key} ${v} }}{{ end -}}`);
                break;
            case "list":
                parts.push(`{{- if ${v} }}{{ $_ := set ${obj} ${key} (list ${v}) }}{{ end -}}`);
                break;
            case "coreGroup":
                parts.push(`{{- if and ${v} (ne ${v} "core") }}{{ $_ := set ${obj} ${key} ${v} }}{{ end -}}`);
                break;
            case "object":
                parts.push(`{{- if ${v} }}{{ $_ := set ${obj} ${key} (fromJson ${v}) }}{{ end -}}`);
                break;
            case "grpcToHttp":
                parts.push(`{{- $_ := set ${obj} ${key} (atoi (default "${GRPC_UNKNOWN_HTTP}" (get $grpc (toString (default 0 ${v}))))) -}}`);
                break;
        }
    }
    for (const o of objects) parts.push(`{{- if $${o} }}{{ $_ := set $e ${JSON.stringify(o)} $${o} }}{{ end -}}`);
    parts.push("{{- toJson $e -}}");
    return parts.join("");
}

/** The stages that turn a line of `format` into a native Event line (none for native). */
export function normalizeStages(format: SourceFormat): string[] {
    switch (format) {
        case "native":
            return [];
        case "aks":
            return [
                `stage.json {\n  expressions = ${map([["aks_event", str(jmesPath(AKS_EVENT_PATH))]], "  ")}\n}`,
                `stage.output {\n  source = "aks_event"\n}`,
            ];
        case "otlp":
            return [
                `stage.json {\n  expressions = ${map([["otlp_event", str(jmesPath(OTLP_EVENT_PATH))]], "  ")}\n}`,
                `stage.output {\n  source = "otlp_event"\n}`,
            ];
        case "gke":
            return [
                `stage.json {\n  expressions = ${map(
                    GKE_EXTRACTS.map((e) => [e.name, str(e.paths.map(jmesPath).join(" || "))]),
                    "  ",
                )}\n}`,
                ...GKE_SPLITS.map((s) => `stage.regex {\n  source     = ${str(s.source)}\n  expression = ${raw(re2(s.pattern))}\n}`),
                `stage.template {\n  source   = ${str(EVENT_VAR)}\n  template = ${raw(gkeTemplate())}\n}`,
                `stage.output {\n  source = ${str(EVENT_VAR)}\n}`,
            ];
    }
}

/**
 * A JMESPath expression that yields null instead of an empty value ("", [], {}): Alloy's json stage keeps
 * null as a value its later stages cannot convert to a string, so structured_metadata and timestamp skip it,
 * where "" would be stored as an empty structured metadata value (stages/structured_metadata.go).
 */
export function nonEmpty(paths: readonly (readonly string[])[]): string {
    return [...paths.map(jmesPath), "`null`"].join(" || ");
}

/**
 * The stages every line goes through after normalisation: the Event's time as the entry's, the hot fields
 * as structured metadata (only those with a value), and exactly the stream labels job, cluster, source.
 *
 * stage.timestamp: `action_on_failure = "skip"` keeps the entry's own time (the source's record time, else
 * the ingest time) when the Event has no time; the default "fudge" gave it the previous entry's time + 1 ns.
 * `action_on_duplicate_timestamp = "keep"`: two events of the same instant keep it (their lines differ, and
 * Loki stores both); the default "fudge" moved the second by 1 ns, so a batch Firehose or Event Hubs sends
 * again after a failed delivery was stored twice instead of deduplicated by Loki (same time, same line).
 */
export function commonStages(labels: Record<(typeof STREAM_LABELS)[number], string>): string[] {
    const expressions: [string, string][] = [
        ["audit_time", str(nonEmpty(EVENT_TIME_PATHS))],
        ...HOT_FIELDS.map((f): [string, string] => [f.key, str(nonEmpty([f.path]))]),
        ...DERIVED_FIELDS.map((f): [string, string] => [f.key, str(derivedExpression(f.expression))]),
    ];
    return [
        `stage.json {\n  expressions = ${map(expressions, "  ")}\n}`,
        `stage.timestamp {\n  source                        = "audit_time"\n  format                        = "RFC3339Nano"\n  action_on_failure             = "skip"\n  action_on_duplicate_timestamp = "keep"\n}`,
        `stage.structured_metadata {\n  values = ${map(
            [...HOT_FIELDS, ...DERIVED_FIELDS].map((f) => [f.key, `""`]),
            "  ",
        )}\n}`,
        `stage.static_labels {\n  values = ${map(
            STREAM_LABELS.map((l) => [l, str(labels[l])]),
            "  ",
        )}\n}`,
        `stage.label_keep {\n  values = [${STREAM_LABELS.map((l) => str(l)).join(", ")}]\n}`,
    ];
}
