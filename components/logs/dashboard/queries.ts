/**
 * Every LogQL expression of the logs layer, in one place (the dashboard's panels, the runbook's queries in
 * the README). Each is parsed with Grafana's own grammar in the tests.
 *
 * Lines in Loki are native audit Events for every cluster kind, so `| json` gives the same fields
 * everywhere (`user_username`, `verb`, `objectRef_resource`, `objectRef_subresource`, ...): a query moves
 * from one kind to another by changing only its selector.
 */

/** The dashboard's selector: every audit stream, narrowed by the cluster and source variables. */
export const DASHBOARD_SELECTOR = '{job=~".+-audit", cluster=~"$cluster", source=~"$source"}';
/** The runbook's selector (k3s); `{job="eks-audit"}`, `{cluster="payments-eu"}` etc. work the same. */
export const RUNBOOK_SELECTOR = '{job="k3s-audit"}';

export const WRITE_VERBS = "create|update|patch|delete|deletecollection";
const READ_VERBS = "get|list|watch";
const RBAC_BINDINGS = 'objectRef_apiGroup="rbac.authorization.k8s.io" | objectRef_resource=~"rolebindings|clusterrolebindings"';

export const queries = {
    /** Top users by API calls over the last hour. */
    topUsers: (sel: string) => `topk(10, sum by (user_username) (count_over_time(${sel} | json [1h])))`,
    /** Object creations and deletions over time (subresource calls such as pods/exec are not creations). */
    creationsDeletions: (sel: string) =>
        `sum by (verb, objectRef_resource) (count_over_time(${sel} | json | verb=~"create|delete|deletecollection" | objectRef_subresource="" [5m]))`,
    /** exec, attach and port-forward into pods, matched on the subresource (never on verb="create"). */
    podExec: (sel: string) =>
        `${sel} | json | objectRef_resource="pods" | objectRef_subresource=~"exec|attach|portforward" | line_format "{{.user_username}} {{.objectRef_subresource}} {{.objectRef_namespace}}/{{.objectRef_name}} ({{.responseStatus_code}})"`,
    /** RoleBinding and ClusterRoleBinding changes. */
    bindingChanges: (sel: string) =>
        `${sel} | json | ${RBAC_BINDINGS} | verb=~"${WRITE_VERBS}" | line_format "{{.user_username}} {{.verb}} {{.objectRef_resource}} {{.objectRef_namespace}}/{{.objectRef_name}}"`,
    /** Secret reads by user (and namespace) over the last day. Fixed ranges: Grafana's $__ range variables are not LogQL. */
    secretReadsByUser: (sel: string) =>
        `sum by (user_username, objectRef_namespace) (count_over_time(${sel} | json | objectRef_resource="secrets" | verb=~"${READ_VERBS}" [24h]))`,
    /** Runbook 1: every Secret read (shown over the last hour). */
    secretReads: (sel: string) => `${sel} | json | objectRef_resource="secrets" | verb=~"${READ_VERBS}"`,
    /** Runbook 2: every RoleBinding change (shown over today). */
    roleBindingChanges: (sel: string) => `${sel} | json | ${RBAC_BINDINGS} | verb=~"${WRITE_VERBS}"`,
    /** Runbook 3: top 10 users by write volume (over the last day). */
    topWriters: (sel: string) => `topk(10, sum by (user_username) (count_over_time(${sel} | json | verb=~"${WRITE_VERBS}" [24h])))`,
} as const;

/** The runbook's three queries as the README shows them (k3s selector). */
export const RUNBOOK_QUERIES: readonly { title: string; expr: string }[] = [
    { title: "Every Secret read in the last hour", expr: queries.secretReads(RUNBOOK_SELECTOR) },
    { title: "Every RoleBinding change today", expr: queries.roleBindingChanges(RUNBOOK_SELECTOR) },
    { title: "Top 10 users by write volume", expr: queries.topWriters(RUNBOOK_SELECTOR) },
];
