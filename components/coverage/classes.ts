import { RequestAttributes } from "../../policy/engine";

/** An event class of the product's policy table, with the requests that stand for it. */
export interface EventClass {
    id: "writes" | "interactive" | "sensitive-reads" | "reviews" | "other-reads";
    title: string;
    /** The level the product's policy table asks for. */
    wanted: "RequestResponse" | "Metadata";
    /**
     * The lowest level at which the class still answers the auditor's question. For exec/attach/portforward
     * that is Metadata: the command is in requestURI, which every level records, and the streams are never
     * in an audit event.
     */
    sufficient: "RequestResponse" | "Metadata";
    /** Requests an auditor would look for in this class; every one is evaluated. */
    requests: { label: string; request: RequestAttributes }[];
}

const human = { username: "alice@example.com", groups: ["developers", "system:authenticated"] };

function resource(verb: string, apiGroup: string, res: string, sub = "", namespace = "shop", name = "web-0"): RequestAttributes {
    return { verb, user: human, path: "", resource: { apiGroup, resource: res, subresource: sub, namespace, name } };
}

export const EVENT_CLASSES: readonly EventClass[] = [
    {
        id: "writes",
        title: "Writes on workloads, RBAC, networking and CRDs, with bodies",
        wanted: "RequestResponse",
        sufficient: "RequestResponse",
        requests: [
            { label: "patch deployments (apps)", request: resource("patch", "apps", "deployments") },
            { label: "delete pods", request: resource("delete", "", "pods") },
            { label: "create rolebindings (rbac)", request: resource("create", "rbac.authorization.k8s.io", "rolebindings") },
            { label: "update networkpolicies (networking)", request: resource("update", "networking.k8s.io", "networkpolicies") },
            {
                label: "create customresourcedefinitions",
                request: resource("create", "apiextensions.k8s.io", "customresourcedefinitions", "", "", "x"),
            },
        ],
    },
    {
        id: "interactive",
        title: "exec, attach and port-forward into pods",
        wanted: "RequestResponse",
        sufficient: "Metadata",
        requests: [
            { label: "get pods/exec (kubectl >= 1.30, WebSocket)", request: resource("get", "", "pods", "exec") },
            { label: "create pods/exec (older kubectl, SPDY)", request: resource("create", "", "pods", "exec") },
            { label: "get pods/attach", request: resource("get", "", "pods", "attach") },
            { label: "get pods/portforward", request: resource("get", "", "pods", "portforward") },
        ],
    },
    {
        id: "sensitive-reads",
        title: "Secret and ConfigMap reads (who read which secret; never a body)",
        wanted: "Metadata",
        sufficient: "Metadata",
        requests: [
            { label: "get secrets", request: resource("get", "", "secrets") },
            { label: "list secrets", request: resource("list", "", "secrets", "", "shop", "") },
            { label: "watch secrets", request: resource("watch", "", "secrets", "", "shop", "") },
            { label: "get configmaps", request: resource("get", "", "configmaps") },
        ],
    },
    {
        id: "reviews",
        title: "Authentication and authorization reviews",
        wanted: "Metadata",
        sufficient: "Metadata",
        requests: [
            { label: "create tokenreviews", request: resource("create", "authentication.k8s.io", "tokenreviews", "", "", "") },
            { label: "create subjectaccessreviews", request: resource("create", "authorization.k8s.io", "subjectaccessreviews", "", "", "") },
            { label: "create selfsubjectaccessreviews", request: resource("create", "authorization.k8s.io", "selfsubjectaccessreviews", "", "", "") },
        ],
    },
    {
        id: "other-reads",
        title: "Other reads",
        wanted: "Metadata",
        sufficient: "Metadata",
        requests: [
            { label: "get pods", request: resource("get", "", "pods") },
            { label: "list deployments (apps)", request: resource("list", "apps", "deployments", "", "shop", "") },
            { label: "get pods/log", request: resource("get", "", "pods", "log") },
        ],
    },
];

/** Verbs kube-apiserver counts as reads. */
export { READ_VERBS } from "../platform";
