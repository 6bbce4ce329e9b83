import * as path from "node:path";
import { z } from "zod";
import { EvidenceSchema, EvidenceStoreSchema } from "../evidence";
import { LogsSchema } from "../logs";
import { SshAuthSchema } from "../k3s";
import { CLUSTERS_FILE_DOC, CLUSTERS_FILE_KEY } from "../clusters-file";
import { CLUSTER_KINDS, ClusterSchema, CONFIG_NAMESPACE } from "../stack";
import { fieldComments } from "./comments";

type JsonSchema = {
    type?: string;
    enum?: unknown[];
    const?: unknown;
    default?: unknown;
    properties?: Record<string, JsonSchema>;
    required?: string[];
    items?: JsonSchema;
    minimum?: number;
    maximum?: number;
    minItems?: number;
    anyOf?: JsonSchema[];
    oneOf?: JsonSchema[];
};

const CONFIG_DIR = path.resolve(__dirname, "..");

/** Fields every cluster kind shares (defined once in fields.ts and stack.ts). */
const COMMON_DOCS: Record<string, string> = {
    name: "Unique cluster name; names every resource of the cluster and is the Loki `cluster` label.",
    kind: "The cluster's kind; selects the fields below.",
    allowAuditOff:
        "Let this stack turn the cluster's audit logging off. Default false: the resources whose delete turns it off are protected, so removing the cluster or `pulumi destroy` stops with Pulumi's protect error. Set it, `pulumi up`, then remove the cluster or destroy (see What destroy keeps).",
};

function typeText(s: JsonSchema): string {
    if (s.const !== undefined) return JSON.stringify(s.const);
    if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(" \\| ");
    if (s.type === "array") return `list of ${s.items ? typeText(s.items) : "values"}`;
    if (s.type === "integer" && s.minimum !== undefined && s.maximum !== undefined) return `integer ${s.minimum}-${s.maximum}`;
    if (s.type === "object") return "mapping";
    return s.type ?? "value";
}

function rows(prefix: string, s: JsonSchema, comments: Map<string, string>, out: string[]): void {
    for (const [key, prop] of Object.entries(s.properties ?? {})) {
        const field = `${prefix}${key}`;
        const required = (s.required ?? []).includes(key) && prop.default === undefined;
        const def = prop.default === undefined ? (required ? "required" : "unset") : `\`${JSON.stringify(prop.default)}\``;
        const doc = (comments.get(field) ?? comments.get(key) ?? COMMON_DOCS[key] ?? "").replace(/\|/g, "\\|");
        out.push(`| \`${field}\` | ${typeText(prop)} | ${def} | ${doc} |`);
        const inner = prop.type === "array" ? prop.items : prop;
        if (inner?.type === "object" && inner.properties) rows(`${field}${prop.type === "array" ? "[]" : ""}.`, inner, comments, out);
    }
}

/** The config reference as Markdown: every key, its type, default and documentation, from the schemas. */
export function configReference(): string {
    const out: string[] = [];
    const union = z.toJSONSchema(ClusterSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
    const options = union.oneOf ?? union.anyOf ?? [];
    out.push(`### \`${CONFIG_NAMESPACE}:clusters\`: a list; each entry has \`name\` and \`kind\` (${CLUSTER_KINDS.join(", ")})`, "");
    for (const kind of CLUSTER_KINDS) {
        const schema = options.find((o) => o.properties?.kind?.const === kind);
        if (!schema) continue;
        out.push(`#### kind \`${kind}\``, "", "| field | type | default | description |", "|---|---|---|---|");
        rows("", schema, fieldComments(path.join(CONFIG_DIR, `${kind}.ts`)), out);
        out.push("");
    }
    out.push(`### \`${CONFIG_NAMESPACE}:${CLUSTERS_FILE_KEY}\`: string`, "", CLUSTERS_FILE_DOC, "");
    out.push(`### \`${CONFIG_NAMESPACE}:logs\``, "", "| field | type | default | description |", "|---|---|---|---|");
    // Sub-schemas documented in their own files: detections.ts (by name, logs.ts's comments first) and
    // evidence.ts (by full path: its names, such as enabled, recur).
    const evidence = fieldComments(path.join(CONFIG_DIR, "evidence.ts"));
    const byPath = (prefix: string, keys: string[]) => keys.flatMap((k) => (evidence.has(k) ? [[`${prefix}${k}`, evidence.get(k)!] as const] : []));
    const logsComments = new Map([
        ...fieldComments(path.join(CONFIG_DIR, "detections.ts")),
        ...fieldComments(path.join(CONFIG_DIR, "logs.ts")),
        ...byPath("evidence.", Object.keys(EvidenceSchema.shape)),
        ...byPath("evidence.store.", Object.keys(EvidenceStoreSchema.shape)),
        ...byPath("evidence.image.", ["repository", "tag"]),
    ]);
    rows("", z.toJSONSchema(LogsSchema, { io: "input", unrepresentable: "any" }) as JsonSchema, logsComments, out);
    out.push(
        "",
        `### \`${CONFIG_NAMESPACE}:sshAuth\``,
        "",
        "Optional: SSH agent authentication for every k3s cluster that sets neither `sshPrivateKeySecret` nor `sshAuth`.",
        "",
        "| field | type | default | description |",
        "|---|---|---|---|",
    );
    rows(
        "",
        z.toJSONSchema(SshAuthSchema, { io: "input", unrepresentable: "any" }) as JsonSchema,
        fieldComments(path.join(CONFIG_DIR, "k3s.ts")),
        out,
    );
    out.push(
        "",
        `### Secrets`,
        "",
        `Fields ending in \`Secret\` name a secret config key in the \`${CONFIG_NAMESPACE}\` namespace; set it with \`pulumi config set --secret ${CONFIG_NAMESPACE}:NAME\`. A plain (non-secret) value there is refused.`,
    );
    return out.join("\n");
}

export const REFERENCE_START = "<!-- config-reference:start (generated by `npm run docs:config`; do not edit) -->";
export const REFERENCE_END = "<!-- config-reference:end -->";

/** README text with the generated block replaced. */
export function withReference(readme: string): string {
    const a = readme.indexOf(REFERENCE_START);
    const b = readme.indexOf(REFERENCE_END);
    if (a < 0 || b < a) throw new Error(`README.md has no ${REFERENCE_START} ... ${REFERENCE_END} block`);
    return readme.slice(0, a + REFERENCE_START.length) + "\n\n" + configReference() + "\n\n" + readme.slice(b);
}
