import { ClusterKind } from "../../config/stack";
import { streamLabels } from "../labels";
import { SourceFormat } from "../normalize/table";
import { commonStages, normalizeStages } from "./stages";
import { ident, indent, str } from "./syntax";

/** Where Alloy pushes: Loki's gateway, with basic auth (the password from an environment variable). */
export interface LokiTarget {
    url: string;
    username: string;
    /** Environment variable holding the password (from a Kubernetes Secret; never in the config text). */
    passwordEnv: string;
}

export interface ClusterRef {
    name: string;
    kind: ClusterKind;
}

/** One audit source of the central Alloy (logs cluster) or of a node agent. */
export type AuditSource =
    | { type: "file"; cluster: ClusterRef; path: string }
    | { type: "awsfirehose"; cluster: ClusterRef; port: number; accessKeyEnv: string }
    | { type: "gcplog"; cluster: ClusterRef; projectId: string; subscription: string }
    | {
          type: "azure_event_hubs";
          cluster: ClusterRef;
          /** The namespace's host (Kafka port 9093 added), or the environment variable holding host:port. */
          endpoint: { host: string } | { env: string };
          eventHub: string;
          consumerGroup: string;
          connectionStringEnv: string;
      }
    | { type: "otlp"; cluster: ClusterRef; port: number; path: string; htpasswdEnv: string };

/** The line format each source delivers. */
export function sourceFormat(s: AuditSource): SourceFormat {
    switch (s.type) {
        case "gcplog":
            return "gke";
        case "azure_event_hubs":
            return "aks";
        case "otlp":
            return "otlp";
        default:
            return "native";
    }
}

export const LOKI_WRITE = "loki.write.loki.receiver";

function block(head: string, body: string[]): string {
    return `${head} {\n${body.map((b) => indent(b, "  ")).join("\n")}\n}`;
}

/** loki.write to the gateway with basic auth; the password is read from the environment at run time. */
export function renderLokiWrite(loki: LokiTarget): string {
    return block('loki.write "loki"', [
        block("endpoint", [
            `url = ${str(loki.url)}`,
            block("basic_auth", [`username = ${str(loki.username)}`, `password = sys.env(${str(loki.passwordEnv)})`]),
        ]),
    ]);
}

/**
 * CloudWatch Logs' message type, kept as a label for loki.process: loki.source.awsfirehose decodes each
 * subscription record and forwards its logEvents whatever its messageType, and labels starting with "__"
 * are dropped before loki.process (relabel rules run first). A relabel "drop" would not help: the entry
 * is still forwarded, with no labels (loki/source/aws_firehose/routes.go).
 */
export const CW_MESSAGE_TYPE_LABEL = "aws_cw_msg_type";

/**
 * Drops CloudWatch Logs control messages ("CWL CONTROL MESSAGE: Checking health of destination Firehose.",
 * messageType CONTROL_MESSAGE): they are not audit events. Data messages (DATA_MESSAGE) pass.
 */
export const CONTROL_MESSAGE_DROP = block("stage.match", [
    `selector            = ${str(`{${CW_MESSAGE_TYPE_LABEL}="CONTROL_MESSAGE"}`)}`,
    `action              = "drop"`,
    `drop_counter_reason = "cloudwatch_control_message"`,
]);

/**
 * Node agents (a DaemonSet on the control-plane nodes) attach the node that read the line as structured
 * metadata audit_node: the Alloy chart sets HOSTNAME to the pod's spec.nodeName. The per-server audit-silence
 * alert (loki/ruler.ts) groups by it, so one silent server of an HA cluster is noticed.
 */
export const NODE_STAGES = [
    block("stage.template", [`source   = "audit_node"`, `template = sys.env("HOSTNAME")`]),
    block("stage.structured_metadata", [`values = {\n  audit_node = "",\n}`]),
];

/** The loki.process of one cluster: normalise, then time, structured metadata and labels. */
export function renderProcess(s: AuditSource): string {
    const id = ident(s.cluster.name);
    return block(`loki.process ${str(id)}`, [
        `forward_to = [${LOKI_WRITE}]`,
        ...(s.type === "awsfirehose" ? [CONTROL_MESSAGE_DROP] : []),
        ...normalizeStages(sourceFormat(s)),
        ...commonStages(streamLabels(s.cluster)),
        ...(s.type === "file" ? NODE_STAGES : []),
        // The cluster's Loki tenant (X-Scope-OrgID): the gateway admits it only for this cluster's push user.
        block("stage.tenant", [`value = ${str(s.cluster.name)}`]),
    ]);
}

/** The source component(s) of one cluster, forwarding to its loki.process. */
export function renderSource(s: AuditSource): string {
    const id = ident(s.cluster.name);
    const forward = `forward_to = [loki.process.${id}.receiver]`;
    switch (s.type) {
        case "file":
            return [
                block(`local.file_match ${str(id)}`, [`path_targets = [{"__path__" = ${str(s.path)}}]`]),
                block(`loki.source.file ${str(id)}`, [`targets    = local.file_match.${id}.targets`, forward]),
            ].join("\n\n");
        case "awsfirehose":
            return [
                block(`loki.source.awsfirehose ${str(id)}`, [
                    block("http", [`listen_address = "0.0.0.0"`, `listen_port    = ${s.port}`]),
                    `access_key             = sys.env(${str(s.accessKeyEnv)})`,
                    "use_incoming_timestamp = true",
                    `relabel_rules          = loki.relabel.${id}.rules`,
                    forward,
                ]),
                // Rules only (read by the source's relabel_rules): nothing is forwarded to it.
                block(`loki.relabel ${str(id)}`, [
                    "forward_to = []",
                    block("rule", [
                        `action        = "replace"`,
                        `source_labels = ["__aws_cw_msg_type"]`,
                        `target_label  = ${str(CW_MESSAGE_TYPE_LABEL)}`,
                    ]),
                ]),
            ].join("\n\n");
        case "gcplog":
            return block(`loki.source.gcplog ${str(id)}`, [
                block("pull", [
                    `project_id             = ${str(s.projectId)}`,
                    `subscription           = ${str(s.subscription)}`,
                    "use_incoming_timestamp = true",
                    "use_full_line          = true",
                ]),
                forward,
            ]);
        case "otlp":
            // OTLP over HTTP with basic auth (htpasswd from the environment), then into the cluster's loki.process.
            return [
                block(`otelcol.auth.basic ${str(id)}`, [block("htpasswd", [`inline = sys.env(${str(s.htpasswdEnv)})`])]),
                block(`otelcol.receiver.otlp ${str(id)}`, [
                    block("http", [
                        `endpoint      = ${str(`0.0.0.0:${s.port}`)}`,
                        `logs_url_path = ${str(s.path)}`,
                        `auth          = otelcol.auth.basic.${id}.handler`,
                    ]),
                    block("output", [`logs = [otelcol.exporter.loki.${id}.input]`]),
                ]),
                block(`otelcol.exporter.loki ${str(id)}`, [forward]),
            ].join("\n\n");
        case "azure_event_hubs":
            return block(`loki.source.azure_event_hubs ${str(id)}`, [
                `fully_qualified_namespace = ${"host" in s.endpoint ? str(`${s.endpoint.host}:9093`) : `sys.env(${str(s.endpoint.env)})`}`,
                `event_hubs                = [${str(s.eventHub)}]`,
                `group_id                  = ${str(s.consumerGroup)}`,
                "use_incoming_timestamp    = true",
                block("authentication", [`mechanism         = "connection_string"`, `connection_string = sys.env(${str(s.connectionStringEnv)})`]),
                forward,
            ]);
    }
}

/**
 * A complete Alloy configuration: for each source its component and its loki.process, then one loki.write.
 * A pure function of its input: the same sources give the same text.
 */
export function renderAlloyConfig(sources: readonly AuditSource[], loki: LokiTarget): string {
    const header = "// Generated by akko-audit from the stack config. Do not edit: changes are overwritten on the next `pulumi up`.";
    const parts = sources.flatMap((s) => [`// ${s.cluster.kind} cluster ${s.cluster.name}`, renderSource(s), renderProcess(s)]);
    return [header, ...parts, renderLokiWrite(loki)].join("\n\n") + "\n";
}
