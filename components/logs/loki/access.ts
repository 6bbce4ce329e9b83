import type { StackConfig } from "../../config/stack";
import { platformOf } from "../../platforms";
import { EVIDENCE_PUSH_USER, EVIDENCE_TENANT } from "../evidence-deploy";

/** The tenant Loki stored everything in while auth_enabled was false: read, never written, until retention empties it. */
export const LEGACY_TENANT = "fake";
/** Gateway user of the central Alloy (logs cluster): pushes only into the tenants of the clusters it receives. */
export const CENTRAL_PUSH_USER = "akko-audit-central";
/** Gateway user of Loki's delete API (logs.deleteApi): exists only when deletion is on. */
export const DELETE_USER = "akko-audit-delete";

/** Gateway user a cluster's own shipper (node agent, ClusterLogForwarder) pushes with: its own tenant only. */
export function pushUser(cluster: string): string {
    return `akko-audit-push-${cluster}`;
}

/** Who may do what through Loki's gateway: one tenant per cluster (the tenant id is the cluster name). */
export interface GatewayAccess {
    /** The read user (logs.gatewayUser, password logs.gatewayPasswordSecret): queries every tenant, writes none. */
    readUser: string;
    /** Every tenant the read user queries (X-Scope-OrgID "a|b|c"): each cluster's, former names, the legacy one. */
    readTenants: string[];
    /** Push users and the tenants each may write (the tenant is the X-Scope-OrgID its Alloy sends). */
    pushers: { user: string; tenants: string[] }[];
    /** The delete user, when logs.deleteApi.enabled: it may call /loki/api/v1/delete for any one tenant. */
    deleteUser?: string;
    /**
     * Clusters whose ClusterLogForwarder authenticates to its own OTLP receiver at the central Alloy as
     * pushUser(cluster), with its own generated password (not a gateway user: the central Alloy pushes for it).
     */
    forwarders: string[];
}

/**
 * The gateway's users from the stack: a push user per cluster whose own shipper reaches Loki or the central
 * Alloy (k3s and OpenShift agents, OpenShift forwarders), one for the central Alloy over the clusters it
 * receives (EKS, GKE, AKS, OpenShift forwarders), the read user, and the delete user when deletion is on.
 */
export function gatewayAccess(config: StackConfig): GatewayAccess {
    const pushers: GatewayAccess["pushers"] = [];
    const central: string[] = [];
    const tenants: string[] = [];
    const forwarders: string[] = [];
    for (const c of config.clusters) {
        const route = platformOf(c).logsRoute(c, config);
        if (route.via === "none") continue;
        tenants.push(c.name, ...c.previousNames);
        if (route.via === "node-agent") pushers.push({ user: pushUser(c.name), tenants: [c.name] });
        else central.push(c.name);
        if (route.via === "otlp") forwarders.push(c.name);
    }
    if (central.length > 0) pushers.push({ user: CENTRAL_PUSH_USER, tenants: central });
    // The evidence job's status lines: a tenant of their own (its rules), readable like the others (Grafana's alert view).
    const evidence = config.logs.evidence.enabled;
    if (evidence) pushers.push({ user: EVIDENCE_PUSH_USER, tenants: [EVIDENCE_TENANT] });
    return {
        readUser: config.logs.gatewayUser,
        readTenants: [...new Set([...tenants, LEGACY_TENANT, ...(evidence ? [EVIDENCE_TENANT] : [])])],
        pushers,
        forwarders,
        ...(config.logs.deleteApi?.enabled ? { deleteUser: DELETE_USER } : {}),
    };
}

const q = (s: string) => JSON.stringify(s);
/** The ruler's read-only endpoints (Prometheus-style rules and alerts, Loki's rule groups): an nginx regex over $uri. */
const RULER_READ_PATHS = "/(prometheus/api/v1/(rules|alerts)|loki/api/v1/rules(/[^/]+){0,2})";
const re = (s: string) => s.replace(/[.\\^$|?*+()[\]{}]/g, "\\$&");

/**
 * nginx snippets for the chart's gateway: maps from the basic-auth user (and the X-Scope-OrgID its client
 * sends) to the one tenant it may reach, and from its role to the paths it may call; every proxied location
 * then refuses (403) what is not allowed and sets X-Scope-OrgID itself (a client's own header never reaches
 * Loki). The maps run before auth_basic checks the password, so a user name alone gains nothing.
 */
export function gatewayNginxSnippets(access: GatewayAccess): { httpSnippet: string; locationSnippet: string } {
    const tenant: string[] = [
        'default "";',
        // No credentials: auth_basic answers 401 (only "/", the readiness probe, is open).
        '"~^:" "-";',
        `"~^${re(access.readUser)}:" ${q(access.readTenants.join("|"))};`,
    ];
    const role: string[] = ['default "";', `${q(access.readUser)} read;`];
    for (const p of access.pushers) {
        role.push(`${q(p.user)} push;`);
        for (const t of p.tenants) tenant.push(`${q(`${p.user}:${t}`)} ${q(t)};`);
    }
    if (access.deleteUser) {
        role.push(`${q(access.deleteUser)} delete;`);
        for (const t of access.readTenants) tenant.push(`${q(`${access.deleteUser}:${t}`)} ${q(t)};`);
    }
    // The ruler's API reads one tenant (Loki: tenant.TenantID refuses "a|b|c"), so for its read endpoints the
    // read user names one of its tenants in X-Scope-OrgID (one Grafana data source per cluster); elsewhere its
    // own header is ignored and it queries every tenant at once.
    const rulesTenant: string[] = ['default "";', ...access.readTenants.map((t) => `${q(`${access.readUser}:${t}`)} ${q(t)};`)];
    const allowed: string[] = [
        "default 0;",
        '"~^:" 1;',
        '"~^push:[A-Z]+:/loki/api/v1/push$" 1;',
        // Queries, labels, series, tail, stats... never push, delete or rules (the ruler would write them).
        '"~^read:[A-Z]+:/loki/api/v1/(?!push$|delete$|rules)" 1;',
        // The ruler's read endpoints, GET only: rule groups and alert state (Grafana's alerting view), never a write.
        `"~^read:GET:${RULER_READ_PATHS}$" 1;`,
        ...(access.deleteUser ? ['"~^delete:[A-Z]+:/loki/api/v1/delete$" 1;'] : []),
    ];
    const map = (key: string, variable: string, lines: string[]) => [`map ${key} ${variable} {`, ...lines.map((l) => `  ${l}`), "}"].join("\n");
    return {
        httpSnippet: [
            "# akko-audit: the one tenant each gateway user reaches, and the API paths its role may call.",
            map('"$remote_user:$http_x_scope_orgid"', "$akko_tenant", tenant),
            map('"$remote_user:$http_x_scope_orgid"', "$akko_rules_tenant", rulesTenant),
            map("$uri", "$akko_api", ["default query;", `"~^${RULER_READ_PATHS}$" rules;`]),
            map("$akko_api", "$akko_scope", ["default $akko_tenant;", "rules $akko_rules_tenant;"]),
            map("$remote_user", "$akko_role", role),
            map('"$akko_role:$request_method:$uri"', "$akko_allowed", allowed),
        ].join("\n"),
        locationSnippet: [
            'if ($akko_allowed = 0) { return 403 "akko-audit: not allowed for this user\\n"; }',
            'if ($akko_scope = "") { return 403 "akko-audit: tenant not allowed for this user\\n"; }',
            "proxy_set_header X-Scope-OrgID $akko_scope;",
        ].join("\n"),
    };
}

/** Labels of the chart's Loki pods (every component, the gateway included). */
const LOKI_PODS = { "app.kubernetes.io/name": "loki", "app.kubernetes.io/instance": "loki" };

/**
 * Our NetworkPolicy (through the chart's extraObjects, so it is part of the release): Loki's own pods (all but
 * the gateway) admit traffic only from Loki's pods, the gateway included — 3100, 9095 and memberlist are closed
 * to every other pod. Ingress only: egress (object storage, DNS) stays as the cluster allows it. The chart's
 * own networkPolicy stays off: its "metrics" policy admits every source on 3100 and its namespace-only egress
 * would cut object storage.
 */
export function lokiNetworkPolicies(): Record<string, unknown>[] {
    return [
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "akko-audit-loki-internal", namespace: "{{ .Release.Namespace }}" },
            spec: {
                policyTypes: ["Ingress"],
                podSelector: {
                    matchLabels: LOKI_PODS,
                    matchExpressions: [{ key: "app.kubernetes.io/component", operator: "NotIn", values: ["gateway"] }],
                },
                ingress: [{ from: [{ podSelector: { matchLabels: LOKI_PODS } }] }],
            },
        },
    ];
}
