import { ANONYMOUS, request } from "./requests";
import { identityRules } from "./rules-identity";
import { workloadRules } from "./rules-workload";
import { all, any, DetectionParams, DetectionRule, eq, listHas, re } from "./model";

function interactive(): DetectionRule {
    const subs = ["exec", "attach", "portforward"];
    return {
        id: "pod-exec",
        title: "exec, attach or port-forward into a pod",
        severity: "high",
        why:
            "A shell or a tunnel into a running container bypasses the deployment pipeline: what is done inside is not in any audit " +
            "event, so who opened it and when is the only trace.",
        sources: [
            {
                name: "SigmaHQ",
                ref: "rules/application/kubernetes/audit/kubernetes_audit_exec_into_container.yml",
                note: "matches verb create only; kubectl >= 1.30 execs over WebSocket with verb get, so both verbs here",
            },
            {
                name: "Elastic",
                ref: "Kubernetes Pod exec (kubernetes.audit.level == Request)",
                note: "no level condition: RequestResponse events count too",
            },
            {
                name: "Falco",
                ref: "k8s_audit_rules.yaml: Attach/Exec Pod",
                note: "no stage condition: sources that log ResponseComplete only count too",
            },
        ],
        needs: {
            requests: subs.flatMap((sub) =>
                ["get", "create"].map((verb) => ({ label: `${verb} pods/${sub}`, request: request(verb, "", "pods", { subresource: sub }) })),
            ),
            level: "Metadata",
            fields: ["verb", "objectRef.resource", "objectRef.subresource", "user.username"],
        },
        match: all(eq("objectRef_resource", "pods"), re("objectRef_subresource", "exec|attach|portforward"), re("verb", "get|create")),
    };
}

function anonymousAllowed(): DetectionRule {
    return {
        id: "anonymous-allowed",
        title: "An anonymous request was allowed",
        severity: "critical",
        why:
            "A request without credentials that the API server allowed, beyond the public health and version endpoints: anonymous " +
            "access granted by an RBAC binding to system:anonymous or system:unauthenticated, the usual first step of an attack.",
        sources: [
            {
                name: "Elastic",
                ref: "Kubernetes Anonymous Request Authorized",
                note:
                    "Elastic's query (prebuilt rule 8.4.1) tests system:unauthenticated as a user name (it is the anonymous group) and excludes health checks by " +
                    "objectRef.resource (a non-resource request has no objectRef, so nothing is excluded); here the group, the request " +
                    "URI, and /version too, which system:public-info-viewer grants anonymous callers by default",
            },
        ],
        needs: {
            requests: [{ label: "get secrets as system:anonymous", request: request("get", "", "secrets", { user: ANONYMOUS }) }],
            level: "Metadata",
            fields: ["user.username"],
        },
        match: all(
            any(eq("user_username", "system:anonymous"), re("audit_groups", listHas("system:unauthenticated"))),
            any(eq("annotations_authorization_k8s_io_decision", "allow"), re("responseStatus_code", "[23][0-9][0-9]")),
            { field: "requestURI", op: "!~", value: "/(healthz|livez|readyz|version)([/?].*)?" },
        ),
    };
}

/** The detection pack, with the config's parameters. */
export function detectionRules(params: DetectionParams): DetectionRule[] {
    return [interactive(), anonymousAllowed(), ...workloadRules(params), ...identityRules(params)];
}
