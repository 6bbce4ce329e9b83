import { all, any, anyPattern, DetectionParams, DetectionRule, eq, listHas, ne, nre, oneOf, re } from "./model";
import { ANONYMOUS, request } from "./requests";

const RBAC_GROUP = "rbac.authorization.k8s.io";
const developer = { username: "mallory@example.com", groups: ["developers", "system:authenticated"] };
const workload = {
    username: "system:serviceaccount:shop:web",
    groups: ["system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated"],
};

/** Secrets are a core-group resource: objectRef.apiGroup is absent (the serializer omits ""), so a CRD named `secrets` is not one. */
const coreSecrets = all(eq("objectRef_resource", "secrets"), eq("objectRef_apiGroup", ""));
const secretReadVerbs = ["get", "list", "watch"];
/** An anonymous caller: the anonymous authenticator's user, or anyone it put in the unauthenticated group. */
const isAnonymous = any(eq("user_username", "system:anonymous"), re("audit_groups", listHas("system:unauthenticated")));

/**
 * Identities that mint service-account tokens in kube-system as part of running the cluster: the controller
 * manager (its controllers' own tokens, --use-service-account-credentials) and the kubelets (projected tokens of
 * the kube-system pods they run).
 */
export const KUBE_SYSTEM_TOKEN_MINTERS = ["system:kube-controller-manager", "system:node:.+"];

function secretReadAnonymous(): DetectionRule {
    return {
        id: "secret-read-anonymous",
        title: "An anonymous caller read or tried to read Secrets",
        severity: "high",
        why:
            "A request for Secrets without credentials is reconnaissance for credentials; allowed or denied, the attempt matters (an " +
            "allowed one is also anonymous-allowed). Kubernetes grants anonymous callers nothing on Secrets by default.",
        sources: [
            {
                name: "SigmaHQ",
                ref: "rules/application/kubernetes/audit/kubernetes_audit_secrets_enumeration.yml",
                note: "Sigma alerts on every list of Secrets by anyone; here only anonymous callers, every read verb (get, list, watch)",
            },
        ],
        needs: {
            requests: secretReadVerbs.map((verb) => ({
                label: `${verb} secrets as system:anonymous`,
                request: request(verb, "", "secrets", { user: ANONYMOUS, name: verb === "get" ? "db-password" : "" }),
            })),
            level: "Metadata",
            fields: ["verb", "objectRef.resource", "user.username"],
        },
        match: all(coreSecrets, re("verb", oneOf(secretReadVerbs)), isAnonymous),
    };
}

function secretReadUnusual(params: DetectionParams): DetectionRule {
    return {
        id: "secret-read-unusual",
        title: "Secrets read by a principal outside the Secret-reader allow-list",
        severity: "medium",
        why:
            "Secrets hold credentials; who reads them is a short list (the control plane, the kubelets, a few operators). A read by " +
            "anyone else, allowed or denied, is credential access or its attempt (MITRE T1552.007). Cluster-wide lists are " +
            "secret-list-cluster-wide and anonymous callers secret-read-anonymous, so one request makes one alert. Allow-list: " +
            "logs.detections.secretReaders (user names; an impersonated request is judged by the impersonating user).",
        sources: [
            {
                name: "SigmaHQ",
                ref: "rules/application/kubernetes/audit/kubernetes_audit_secrets_enumeration.yml",
                note: "list only and no allow-list, so every controller's Secret informer alerts; here get and watch too, with an allow-list",
            },
        ],
        needs: {
            requests: secretReadVerbs.map((verb) => ({
                label: `${verb} secrets in a namespace as a workload service account`,
                request: request(verb, "", "secrets", { user: workload, name: verb === "get" ? "db-password" : "" }),
            })),
            level: "Metadata",
            fields: ["verb", "objectRef.resource", "objectRef.namespace", "user.username"],
        },
        match: all(
            coreSecrets,
            re("verb", oneOf(secretReadVerbs)),
            ne("objectRef_namespace", ""),
            nre("user_username", anyPattern(params.secretReaders)),
            ne("user_username", "system:anonymous"),
        ),
    };
}

function secretListClusterWide(params: DetectionParams): DetectionRule {
    const verbs = ["list", "watch"];
    return {
        id: "secret-list-cluster-wide",
        title: "Secrets of every namespace listed by a principal outside the Secret-reader allow-list",
        severity: "high",
        why:
            "Listing Secrets across all namespaces returns every credential in the cluster in one answer (kubectl get secrets -A); " +
            "outside the control plane and a few operators, it is credential harvesting (MITRE T1552.007). Allow-list: " +
            "logs.detections.secretReaders.",
        sources: [
            {
                name: "SigmaHQ",
                ref: "rules/application/kubernetes/audit/kubernetes_audit_secrets_enumeration.yml",
                note: "does not tell a namespaced list from a cluster-wide one; here only all-namespace list/watch, with an allow-list",
            },
        ],
        needs: {
            requests: verbs.map((verb) => ({
                label: `${verb} secrets in all namespaces`,
                request: request(verb, "", "secrets", { user: developer, namespace: "", name: "" }),
            })),
            level: "Metadata",
            fields: ["verb", "objectRef.resource", "user.username"],
        },
        match: all(
            coreSecrets,
            re("verb", oneOf(verbs)),
            eq("objectRef_namespace", ""),
            nre("user_username", anyPattern(params.secretReaders)),
            ne("user_username", "system:anonymous"),
        ),
    };
}

const ENUMERATION_SOURCES = [
    {
        name: "SigmaHQ",
        ref: "rules/application/kubernetes/audit/kubernetes_audit_unauthorized_unauthenticated_actions.yml",
        note: "alerts on every single 401/403, so a misconfigured client floods it; here a count within a window",
    },
    {
        name: "SigmaHQ",
        ref: "rules/application/kubernetes/audit/kubernetes_audit_potential_enumeration_activity.yml",
        note: "requires responseStatus.code: 'ALLOW', but the code is an HTTP status number, so that rule can never fire",
    },
];

/** 401: no valid credentials (the user is empty, or system:anonymous where anonymous auth is off for the path); 403: denied. */
const denied = re("responseStatus_code", "401|403");

function enumerationByUser(params: DetectionParams): DetectionRule {
    return {
        id: "enumeration-by-user",
        title: "Many denied requests from one principal",
        severity: "medium",
        why:
            `At least ${params.enumeration.threshold} answers of 401 or 403 within ${params.enumeration.window} to one user: a stolen ` +
            "credential probing what it may do (kubectl auth can-i --list, rakkess, peirates), or a broken client. Counted per user " +
            "and impersonated user (who was denied); callers without a name (401) and system:anonymous are counted per source IP " +
            "by enumeration-by-ip instead, since every anonymous caller shares that one name. Threshold: logs.detections.enumeration.",
        sources: ENUMERATION_SOURCES,
        needs: {
            requests: [
                { label: "list secrets as a workload service account", request: request("list", "", "secrets", { user: workload, name: "" }) },
                { label: "list nodes as a developer", request: request("list", "", "nodes", { user: developer, namespace: "", name: "" }) },
            ],
            level: "Metadata",
            fields: ["responseStatus.code", "user.username"],
        },
        match: all(denied, ne("user_username", ""), ne("user_username", "system:anonymous")),
        threshold: { count: params.enumeration.threshold, window: params.enumeration.window, by: ["user_username", "impersonatedUser_username"] },
    };
}

function enumerationByIp(params: DetectionParams): DetectionRule {
    return {
        id: "enumeration-by-ip",
        title: "Many denied requests from one source address",
        severity: "medium",
        why:
            `At least ${params.enumeration.threshold} answers of 401 or 403 within ${params.enumeration.window} to one client ` +
            "address, whoever it claims to be: a scanner trying paths anonymously, guessing tokens (401s carry no user name), or " +
            "cycling stolen credentials. The address is the first of sourceIPs (audit_source_ip). Threshold: " +
            "logs.detections.enumeration.",
        sources: [
            ...ENUMERATION_SOURCES,
            { name: "Splunk", ref: "Kubernetes Scanning by Unauthenticated IP Address", note: "403s per IP; here 401s too, from any user" },
        ],
        needs: {
            requests: [
                { label: "list secrets as system:anonymous", request: request("list", "", "secrets", { user: ANONYMOUS, name: "" }) },
                { label: "get /api as system:anonymous", request: { verb: "get", user: ANONYMOUS, path: "/api" } },
            ],
            level: "Metadata",
            fields: ["responseStatus.code", "sourceIPs"],
        },
        match: all(denied, ne("audit_source_ip", "")),
        threshold: { count: params.enumeration.threshold, window: params.enumeration.window, by: ["audit_source_ip"] },
    };
}

function impersonation(): DetectionRule {
    return {
        id: "impersonation",
        title: "A request made while impersonating another user",
        severity: "medium",
        why:
            "Impersonation (kubectl --as, Impersonate-User headers) acts with another identity's rights, and RBAC and most audit " +
            "queries then see that identity: whoever holds the impersonate verb can become cluster-admin. Expected only from a " +
            "known proxy (Rancher, Teleport, kube-oidc-proxy) or a break-glass procedure; disable the rule where a proxy " +
            "impersonates for everyone. Blind on GKE: a Cloud Audit LogEntry does not record impersonatedUser.",
        sources: [{ name: "akko-audit", ref: "apiserver audit Event impersonatedUser (audit.k8s.io/v1)" }],
        needs: {
            requests: [
                {
                    label: "list pods as system:admin impersonating bob",
                    request: request("list", "", "pods", {
                        user: { username: "system:admin", groups: ["system:masters", "system:authenticated"] },
                        name: "",
                    }),
                },
            ],
            level: "Metadata",
            fields: ["impersonatedUser.username"],
        },
        match: ne("impersonatedUser_username", ""),
    };
}

function saTokenKubeSystem(): DetectionRule {
    return {
        id: "sa-token-kube-system",
        title: "A service-account token minted in kube-system by someone other than the control plane",
        severity: "high",
        why:
            "kube-system's service accounts are the controllers' identities (clusterrole-aggregation-controller may escalate, " +
            "replicaset-controller creates pods, generic-garbage-collector deletes anything): a TokenRequest for one of them " +
            "(kubectl create token -n kube-system) hands its rights to the caller. Only the controller manager and the kubelets " +
            `mint these (${KUBE_SYSTEM_TOKEN_MINTERS.join(", ")}).`,
        sources: [
            {
                name: "Elastic",
                ref: "Kubernetes Suspicious Assignment of Controller Service Account",
                note: "Elastic watches pods created with a kube-system controller service account; the token request is the direct way to the same rights",
            },
        ],
        needs: {
            requests: [
                {
                    label: "create serviceaccounts/token in kube-system",
                    request: request("create", "", "serviceaccounts", {
                        subresource: "token",
                        namespace: "kube-system",
                        name: "clusterrole-aggregation-controller",
                    }),
                },
            ],
            level: "Metadata",
            fields: ["verb", "objectRef.resource", "objectRef.subresource", "objectRef.namespace", "user.username"],
        },
        match: all(
            eq("objectRef_resource", "serviceaccounts"),
            eq("objectRef_subresource", "token"),
            eq("verb", "create"),
            eq("objectRef_namespace", "kube-system"),
            nre("user_username", anyPattern(KUBE_SYSTEM_TOKEN_MINTERS)),
        ),
    };
}

const bindings = ["rolebindings", "clusterrolebindings"];
const roles = ["roles", "clusterroles"];
const writeVerbs = ["create", "update", "patch"];

function clusterAdminBinding(): DetectionRule {
    return {
        id: "cluster-admin-binding",
        title: "A RoleBinding or ClusterRoleBinding to cluster-admin written",
        severity: "critical",
        why:
            "cluster-admin is every verb on every resource: a ClusterRoleBinding to it makes its subjects owners of the cluster, a " +
            "RoleBinding owners of the namespace (Secrets, pods, RBAC in it). The role is in the request body (requestObject.roleRef, " +
            "Request level); a patch of subjects carries no roleRef, so the stored object (responseObject, RequestResponse) is " +
            "read too. A binding to the group system:masters is not looked for: that group bypasses RBAC whatever is bound to it, " +
            "and joining it takes a client certificate (O=system:masters), not a binding.",
        sources: [
            {
                name: "Falco",
                ref: "k8s_audit_rules.yaml: Attach to cluster-admin Role",
                note: "ClusterRoleBinding create only; a RoleBinding to the cluster-admin ClusterRole, an update and a patch count here too",
            },
            {
                name: "Elastic",
                ref: "Azure Kubernetes Rolebindings Created",
                note: "Azure activity logs of Arc clusters only, every binding whatever its role; here any source, and only bindings to cluster-admin",
            },
            {
                name: "SigmaHQ",
                ref: "rules/application/kubernetes/audit/kubernetes_audit_rolebinding_modification.yml",
                note: "every binding change, whatever the role; changes by unlisted users are rbac-change-unlisted here",
            },
        ],
        needs: {
            requests: bindings.flatMap((resource) =>
                writeVerbs.map((verb) => ({
                    label: `${verb} ${resource}`,
                    request: request(verb, RBAC_GROUP, resource, { namespace: resource === "rolebindings" ? "shop" : "", name: "admins" }),
                })),
            ),
            level: "Request",
            fields: ["verb", "objectRef.resource", "requestObject.roleRef.name"],
        },
        match: all(
            eq("objectRef_apiGroup", RBAC_GROUP),
            re("objectRef_resource", oneOf(bindings)),
            re("verb", oneOf(writeVerbs)),
            any(eq("requestObject_roleRef_name", "cluster-admin"), eq("responseObject_roleRef_name", "cluster-admin")),
        ),
    };
}

function rbacWildcardRole(): DetectionRule {
    return {
        id: "rbac-wildcard-role",
        title: "A Role or ClusterRole granting every verb or every resource written",
        severity: "high",
        why:
            "A rule with verbs ['*'] or resources ['*'] grants what does not exist yet (new resources, escalate, bind, impersonate): " +
            "a ClusterRole with both is a second cluster-admin under another name. Read from the request body (Request level) by " +
            "the derived field audit_rbac_wildcard, since Loki's json parser skips the rules list. The API server's own bootstrap " +
            "of cluster-admin (system:apiserver) is left out.",
        sources: [
            {
                name: "Falco",
                ref: "k8s_audit_rules.yaml: ClusterRole With Wildcard Created",
                note: "create only; an update or patch that adds a wildcard to an existing role counts here too",
            },
        ],
        needs: {
            requests: roles.flatMap((resource) =>
                writeVerbs.map((verb) => ({
                    label: `${verb} ${resource}`,
                    request: request(verb, RBAC_GROUP, resource, { namespace: resource === "roles" ? "shop" : "", name: "ops" }),
                })),
            ),
            level: "Request",
            fields: ["verb", "objectRef.resource", "requestObject.rules"],
        },
        match: all(
            eq("objectRef_apiGroup", RBAC_GROUP),
            re("objectRef_resource", oneOf(roles)),
            re("verb", oneOf(writeVerbs)),
            ne("audit_rbac_wildcard", ""),
            ne("user_username", "system:apiserver"),
        ),
    };
}

function rbacChangeUnlisted(params: DetectionParams): DetectionRule {
    const verbs = [...writeVerbs, "delete", "deletecollection"];
    const resources = [...roles, ...bindings];
    return {
        id: "rbac-change-unlisted",
        title: "RBAC changed by a principal outside the RBAC-writer allow-list",
        severity: "medium",
        why:
            "Roles and bindings decide every permission; outside the control plane and the deployment pipeline, nobody should " +
            "change them, and a denied attempt is an escalation attempt (RBAC refuses to grant what the writer lacks). Create, " +
            "update, patch and delete of roles, clusterroles, rolebindings and clusterrolebindings, allowed or not. Allow-list: " +
            "logs.detections.rbacWriters.",
        sources: [
            {
                name: "SigmaHQ",
                ref: "rules/application/kubernetes/audit/kubernetes_audit_rolebinding_modification.yml",
                note: "bindings only and no allow-list; Sigma's verb 'replace' does not exist in audit events (a PUT is update)",
            },
        ],
        needs: {
            requests: resources.flatMap((resource) =>
                verbs.map((verb) => ({
                    label: `${verb} ${resource}`,
                    request: request(verb, RBAC_GROUP, resource, {
                        namespace: resource.startsWith("cluster") ? "" : "shop",
                        name: verb === "deletecollection" ? "" : "ops",
                    }),
                })),
            ),
            level: "Metadata",
            fields: ["verb", "objectRef.apiGroup", "objectRef.resource", "user.username"],
        },
        match: all(
            eq("objectRef_apiGroup", RBAC_GROUP),
            re("objectRef_resource", oneOf(resources)),
            re("verb", oneOf(verbs)),
            nre("user_username", anyPattern(params.rbacWriters)),
        ),
    };
}

/** Rules on who: Secret reads, enumeration, impersonation, tokens, RBAC grants and changes. */
export function identityRules(params: DetectionParams): DetectionRule[] {
    return [
        secretReadAnonymous(),
        secretReadUnusual(params),
        secretListClusterWide(params),
        enumerationByUser(params),
        enumerationByIp(params),
        impersonation(),
        saTokenKubeSystem(),
        clusterAdminBinding(),
        rbacWildcardRole(),
        rbacChangeUnlisted(params),
    ];
}
