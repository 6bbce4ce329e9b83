import { request } from "./requests";
import { all, DetectionParams, DetectionRule, eq, Matcher, ne, nre, oneOf, re } from "./model";

/**
 * Resources whose request body carries a pod spec the derived fields read (normalize/table.ts POD_SPECS):
 * a Pod's spec, a template's spec.template.spec, a CronJob's spec.jobTemplate.spec.template.spec; OpenShift's
 * DeploymentConfig has a template too.
 */
const POD_SPEC_RESOURCES: readonly { apiGroup: string; resource: string }[] = [
    { apiGroup: "", resource: "pods" },
    { apiGroup: "", resource: "replicationcontrollers" },
    { apiGroup: "apps", resource: "deployments" },
    { apiGroup: "apps", resource: "replicasets" },
    { apiGroup: "apps", resource: "statefulsets" },
    { apiGroup: "apps", resource: "daemonsets" },
    { apiGroup: "batch", resource: "jobs" },
    { apiGroup: "batch", resource: "cronjobs" },
    { apiGroup: "apps.openshift.io", resource: "deploymentconfigs" },
];

/**
 * The built-in controllers that create Pods and ReplicaSets/Jobs from a template: what they write is a copy of
 * a template a person or tool already wrote (and this rule already reported), so alerting again would repeat
 * the alert once per replica and rollout (SigmaHQ's hostPath rule lists the DaemonSet controller's pods as its
 * false positive). With --use-service-account-credentials=false they all run as system:kube-controller-manager.
 */
const TEMPLATE_COPIERS = [
    "system:kube-controller-manager",
    ...["replicaset", "daemon-set", "statefulset", "job", "cronjob", "deployment", "replication"].map(
        (c) => `system:serviceaccount:kube-system:${c}-controller`,
    ),
];

/** Written and persisted: a 2xx answer (GKE maps 201 to 200), not a server-side dry run (absent requestURI reads as ""). */
const persisted: Matcher[] = [re("responseStatus_code", "2[0-9][0-9]"), nre("requestURI", ".*[?&]dryRun=.*")];

/**
 * Not refused by authentication or authorization. A proxied request's code is the backend's (a kubelet's 404 still
 * means the request reached it), so only 401/403 count as refused.
 */
const notDenied = nre("responseStatus_code", "40[13]");

/** A write of a pod spec: a Pod (or its ephemeral containers) or a template, by someone other than a template copier. */
function podSpecWrite(): Matcher {
    return all(
        re("verb", "create|update|patch"),
        re("objectRef_resource", oneOf(POD_SPEC_RESOURCES.map((r) => r.resource))),
        // status writes carry the whole object back (controllers, every few seconds); ephemeralcontainers is a spec write.
        re("objectRef_subresource", "(?:ephemeralcontainers)?"),
        nre("user_username", oneOf(TEMPLATE_COPIERS)),
        ...persisted,
    );
}

/** Representative pod-spec writes for the policy's blind-spot proof. */
function podSpecRequests(): RuleRequests {
    return [
        { label: "create pods", request: request("create", "", "pods") },
        { label: "patch pods/ephemeralcontainers", request: request("patch", "", "pods", { subresource: "ephemeralcontainers" }) },
        { label: "create deployments", request: request("create", "apps", "deployments") },
        { label: "patch daemonsets", request: request("patch", "apps", "daemonsets") },
        { label: "update statefulsets", request: request("update", "apps", "statefulsets") },
        { label: "create cronjobs", request: request("create", "batch", "cronjobs") },
    ];
}
type RuleRequests = DetectionRule["needs"]["requests"];

/** Fields the pod-spec rules read: the body is at Request level, GKE logs it as AuditLog.request. */
const POD_SPEC_FIELDS = ["verb", "objectRef.resource", "requestObject", "responseStatus.code"];

const JSON_PATCH_NOTE =
    "a JSON patch (kubectl patch --type=json) is a list, which no derived field reads: such a patch is not seen, " +
    "only strategic-merge, merge and apply patches and whole objects are";

/** Each letter as [xX]: Kubernetes passes capability names to the runtime, which upper-cases them (RE2 and JavaScript share no inline (?i)). */
function caseless(s: string): string {
    return s.replace(/[a-z]/gi, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);
}

/**
 * Capabilities that break out of the container or reach other workloads (capabilities(7)): SYS_ADMIN (mount,
 * namespaces: the usual escape), SYS_MODULE (load a kernel module), SYS_PTRACE (trace host processes with
 * hostPID, read other containers' memory), SYS_RAWIO and SYS_BOOT (raw I/O, kexec), DAC_READ_SEARCH (open_by_handle_at:
 * read any host file, the "shocker" escape), DAC_OVERRIDE (write any file on a mounted volume), BPF and PERFMON
 * (kernel programs, reading kernel memory), MAC_ADMIN/MAC_OVERRIDE (change or bypass AppArmor/SELinux), NET_ADMIN
 * (iptables, routes: with hostNetwork the node's; service meshes add it to pods they inject, which the pod
 * rules' controller exclusion already leaves out), SYSLOG (kernel addresses), and ALL. Left out as commonly needed
 * and not an escape alone: NET_BIND_SERVICE, NET_RAW, CHOWN, SETUID/SETGID, KILL.
 */
const DANGEROUS_CAPS = [
    "ALL",
    "SYS_ADMIN",
    "SYS_MODULE",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "SYS_BOOT",
    "DAC_READ_SEARCH",
    "DAC_OVERRIDE",
    "BPF",
    "PERFMON",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "NET_ADMIN",
    "SYSLOG",
];
/** One of the dangerous capabilities in the comma-joined list, with or without the CAP_ prefix, in any case. */
const DANGEROUS_CAP_ITEM = `(?:.*,)?(?:${caseless("CAP_")})?(?:${DANGEROUS_CAPS.map(caseless).join("|")})(?:,.*)?`;

/**
 * Host paths that give the node: the root and the ancestors of what follows (/var, /var/lib), the host's
 * configuration and credentials (/etc: kubeconfigs, static pod manifests, /etc/rancher/k3s/k3s.yaml; /root),
 * the kernel's view of every process and device (/proc, /sys, /dev, /boot), the container runtimes' sockets
 * (/run or /var/run, and what is under them: containerd, docker, cri-o, k3s: start any container), every
 * pod's volumes and tokens (/var/lib/kubelet), every container's filesystem (/var/lib/docker, /var/lib/containerd),
 * etcd's data and k3s's state (/var/lib/etcd, /var/lib/rancher: the server token, the datastore with every
 * Secret, the cluster CA key). Other host paths (/var/log for log shippers, /lib/modules) are host-path's.
 */
const SENSITIVE_HOST_PATHS = [
    "/+",
    "/var/?",
    "/var/lib/?",
    "/(?:etc|root|proc|sys|dev|boot)(?:/.*)?",
    "(?:/var)?/run(?:/.*)?",
    "/var/lib/(?:kubelet|docker|containerd|etcd|rancher)(?:/.*)?",
];
const SENSITIVE_PATH_ITEM = `(?:.*,)?(?:${SENSITIVE_HOST_PATHS.join("|")})(?:,.*)?`;

function podSpecRule(
    id: string,
    title: string,
    severity: DetectionRule["severity"],
    why: string,
    sources: DetectionRule["sources"],
    test: Matcher,
): DetectionRule {
    return {
        id,
        title,
        severity,
        why: `${why} Seen on a Pod, a pod template (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, ReplicationController, CronJob, DeploymentConfig) or an ephemeral container, when the write succeeded; ${JSON_PATCH_NOTE}.`,
        sources,
        needs: { requests: podSpecRequests(), level: "Request", fields: POD_SPEC_FIELDS },
        match: all(podSpecWrite(), test),
    };
}

function privileged(): DetectionRule {
    return podSpecRule(
        "privileged-container",
        "A privileged container was written",
        "critical",
        "A privileged container has every capability and every host device, without seccomp or AppArmor: root on the node, one mount away.",
        [
            {
                name: "SigmaHQ",
                ref: "rules/application/kubernetes/audit/kubernetes_audit_privileged_pod_creation.yml",
                note: "tests a field named capabilities that no audit Event has, and Pod create only; here the derived field audit_privileged over every container of every pod spec",
            },
            {
                name: "Elastic",
                ref: "Kubernetes Privileged Pod Created",
                note: "Pod create only: a Deployment or DaemonSet is seen here when it is written, not once per replica",
            },
            { name: "Falco", ref: "k8s_audit_rules.yaml: Create Privileged Pod", note: "Pods only, and not ephemeral containers" },
        ],
        re("audit_privileged", ".+"),
    );
}

function hostNamespaces(): DetectionRule {
    return podSpecRule(
        "host-namespaces",
        "A pod sharing the node's network, PID or IPC namespace was written",
        "high",
        "hostNetwork reaches the node's loopback services (the kubelet, etcd on a server node) and sniffs its traffic; hostPID sees and " +
            "signals every process on the node (with SYS_PTRACE: reads their memory and secrets); hostIPC reads other pods' shared memory.",
        [
            {
                name: "Elastic",
                ref: "Kubernetes Pod Created With HostNetwork / HostPID / HostIPC",
                note: "three rules on Pod create; one here, the shared namespaces named in audit_host_namespaces",
            },
            { name: "Falco", ref: "k8s_audit_rules.yaml: Create HostNetwork Pod" },
        ],
        re("audit_host_namespaces", ".+"),
    );
}

function hostPathSensitive(): DetectionRule {
    return podSpecRule(
        "host-path-sensitive",
        "A pod mounting a sensitive host path was written",
        "critical",
        "A hostPath volume on /, /etc, /root, /proc, /sys, /dev, /boot, /run or /var/run (container runtime sockets), /var/lib/kubelet " +
            "(every pod's tokens and Secrets), /var/lib/docker or /var/lib/containerd, /var/lib/etcd or /var/lib/rancher (k3s's token, " +
            "datastore and CA key), or an ancestor of these (/var, /var/lib): the node's credentials or a way to start any container on it.",
        [
            {
                name: "Elastic",
                ref: "Kubernetes Pod Created with a Sensitive hostPath Volume",
                note: "Pods only, exact paths only (/etc/kubernetes/pki/ca.key is not /etc/kubernetes/pki); here any path under a sensitive directory, and k3s's state",
            },
            {
                name: "SigmaHQ",
                ref: "rules/application/kubernetes/audit/kubernetes_audit_hostpath_mount.yml",
                note: "tests a field named hostPath that no audit Event has",
            },
            { name: "Falco", ref: "k8s_audit_rules.yaml: Create Sensitive Mount Pod" },
        ],
        re("audit_host_paths", SENSITIVE_PATH_ITEM),
    );
}

function hostPath(): DetectionRule {
    return podSpecRule(
        "host-path",
        "A pod mounting a host path was written",
        "medium",
        "Any other hostPath volume: node files outside the pod's sandbox, writable unless mounted read-only, a step to the node (logs, " +
            "kernel modules). The sensitive paths are host-path-sensitive's (critical), so one write makes one alert.",
        [
            {
                name: "SigmaHQ",
                ref: "rules/application/kubernetes/audit/kubernetes_audit_hostpath_mount.yml",
                note: "tests a field named hostPath that no audit Event has; here audit_host_paths",
            },
        ],
        all(re("audit_host_paths", ".+"), nre("audit_host_paths", SENSITIVE_PATH_ITEM)),
    );
}

function addedCapabilities(): DetectionRule {
    return podSpecRule(
        "added-capabilities",
        "A container adding a dangerous capability was written",
        "high",
        `A container that adds ${DANGEROUS_CAPS.join(", ")} (with or without CAP_, in any case, as the runtimes accept them): each ` +
            "is a known container escape or reaches other workloads (SYS_ADMIN mounts, SYS_MODULE loads kernel code, DAC_READ_SEARCH reads any " +
            "host file, SYS_PTRACE reads other processes, NET_ADMIN rewrites the node's network with hostNetwork). NET_BIND_SERVICE, NET_RAW, " +
            "CHOWN, SETUID and the like are common and not an escape alone: not alerted.",
        [
            {
                name: "Elastic",
                ref: "Kubernetes Container Created with Excessive Linux Capabilities",
                note: "Pod create only and spec.containers only (not init or ephemeral containers); no ALL, which grants all of them",
            },
        ],
        re("audit_added_caps", DANGEROUS_CAP_ITEM),
    );
}

function ephemeralContainer(): DetectionRule {
    return {
        id: "ephemeral-container",
        title: "A debug container was added to a running pod",
        severity: "high",
        why:
            "kubectl debug adds an ephemeral container to a running pod: a shell with the pod's service account, volumes and network " +
            "(and, with --target, its processes), in an image of the user's choice, without a new workload or a rollout. What runs in it " +
            "is in no audit event. privileged-container and added-capabilities also see its securityContext (Request level).",
        sources: [
            {
                name: "Elastic",
                ref: "Kubernetes Ephemeral Container Added to Pod",
                note: "excludes every kube-system service account; no built-in controller writes ephemeral containers, so none is excluded here",
            },
        ],
        needs: {
            requests: [
                { label: "patch pods/ephemeralcontainers", request: request("patch", "", "pods", { subresource: "ephemeralcontainers" }) },
                { label: "update pods/ephemeralcontainers", request: request("update", "", "pods", { subresource: "ephemeralcontainers" }) },
            ],
            level: "Metadata",
            fields: ["verb", "objectRef.resource", "objectRef.subresource", "responseStatus.code"],
        },
        match: all(eq("objectRef_resource", "pods"), eq("objectRef_subresource", "ephemeralcontainers"), re("verb", "update|patch"), ...persisted),
    };
}

/** Monitoring reads through the node proxy (Elastic's exclusion): metrics, health and the summary API, nothing that runs or reads pods. */
const NODE_PROXY_MONITORING = "/api/v1/nodes/[^/]+/proxy/(?:metrics(?:/cadvisor|/resource|/probes)?|stats/summary|healthz)/?";
/** Cloud control planes reading their nodes through the proxy (Elastic's exclusion). */
const PLATFORM_PROXY_USERS = ["eks:.+", "aksService", "system:kube-controller-manager", "system:kube-scheduler"];

function nodeProxy(): DetectionRule {
    return {
        id: "node-proxy",
        title: "The kubelet API was reached through the node proxy",
        severity: "critical",
        why:
            "nodes/proxy passes any request to the node's kubelet: /exec, /run and /attach run commands in every pod on the node, /pods " +
            "lists their specs and environment; the commands themselves are in no audit event (the API server logs the proxy request " +
            "only), and a WebSocket upgrade makes a get enough. Monitoring paths (metrics, stats/summary, healthz) are left out where " +
            "requestURI is logged: GKE does not log it, so there those reads count too.",
        sources: [
            {
                name: "Elastic",
                ref: "Kubernetes API Server Proxying Request to Kubelet",
                note: "excludes every kube-system service account and every node, and configz; here only the control planes' own users and the monitoring paths",
            },
        ],
        needs: {
            requests: [
                { label: "get nodes/proxy", request: request("get", "", "nodes", { subresource: "proxy", namespace: "", name: "node-1" }) },
                { label: "create nodes/proxy", request: request("create", "", "nodes", { subresource: "proxy", namespace: "", name: "node-1" }) },
            ],
            level: "Metadata",
            fields: ["objectRef.resource", "objectRef.subresource"],
        },
        match: all(
            eq("objectRef_resource", "nodes"),
            eq("objectRef_subresource", "proxy"),
            nre("user_username", PLATFORM_PROXY_USERS.join("|")),
            nre("requestURI", `${NODE_PROXY_MONITORING}(?:[?].*)?`),
            notDenied,
        ),
    };
}

function podServiceProxy(): DetectionRule {
    return {
        id: "pod-service-proxy",
        title: "A pod or service was reached through the API server proxy",
        severity: "medium",
        why:
            "pods/proxy and services/proxy tunnel HTTP to a pod or service through the API server: past NetworkPolicies, from anywhere the " +
            "API server is reachable, to admin endpoints never meant to be exposed; what is sent is not in the audit event.",
        sources: [{ name: "akko-audit", ref: "rules-workload.ts", note: "no public rule watches pods/proxy or services/proxy" }],
        needs: {
            requests: [
                { label: "get pods/proxy", request: request("get", "", "pods", { subresource: "proxy" }) },
                { label: "create services/proxy", request: request("create", "", "services", { subresource: "proxy", name: "web" }) },
            ],
            level: "Metadata",
            fields: ["objectRef.resource", "objectRef.subresource"],
        },
        match: all(re("objectRef_resource", "pods|services"), eq("objectRef_subresource", "proxy"), notDenied),
    };
}

function crdDeleted(): DetectionRule {
    return {
        id: "crd-deleted",
        title: "A CustomResourceDefinition was deleted",
        severity: "high",
        why:
            "Deleting a CRD deletes every object of its kind in every namespace, with no audit event per object: security policies " +
            "(Kyverno, Gatekeeper, Calico network policies), certificates, backups schedules vanish in one request.",
        sources: [
            { name: "akko-audit", ref: "rules-workload.ts", note: "no public rule; SigmaHQ's closest is kubernetes_audit_deployment_deleted.yml" },
        ],
        needs: {
            requests: [
                {
                    label: "delete customresourcedefinitions",
                    request: request("delete", "apiextensions.k8s.io", "customresourcedefinitions", { namespace: "", name: "policies.kyverno.io" }),
                },
                {
                    label: "deletecollection customresourcedefinitions",
                    request: request("deletecollection", "apiextensions.k8s.io", "customresourcedefinitions", { namespace: "", name: "" }),
                },
            ],
            level: "Metadata",
            fields: ["verb", "objectRef.apiGroup", "objectRef.resource", "responseStatus.code"],
        },
        match: all(
            eq("objectRef_resource", "customresourcedefinitions"),
            eq("objectRef_apiGroup", "apiextensions.k8s.io"),
            re("verb", "delete|deletecollection"),
            ne("objectRef_subresource", "status"),
            ...persisted,
        ),
    };
}

/**
 * The namespace controller empties a namespace being deleted collection by collection, events included
 * (k8s.io/kubernetes pkg/controller/namespace/deletion): the Namespace deletion is the act, its events going
 * with it are not covering tracks.
 */
const NAMESPACE_CLEANERS = ["system:serviceaccount:kube-system:namespace-controller", "system:kube-controller-manager"];

function eventsDeleted(): DetectionRule {
    return {
        id: "events-deleted",
        title: "Kubernetes events were deleted",
        severity: "medium",
        why:
            "Events expire on their own (the API server's --event-ttl, one hour by default); deleting them by hand removes the record " +
            "of what was scheduled, pulled, killed or failed: covering tracks. Both APIs (core v1 and events.k8s.io) and both verbs; the " +
            "namespace controller emptying a namespace being deleted is not counted.",
        sources: [
            {
                name: "SigmaHQ",
                ref: "rules/application/kubernetes/audit/kubernetes_audit_events_deleted.yml",
                note: "verb delete only: kubectl delete events --all is a deletecollection",
            },
            { name: "Elastic", ref: "Kubernetes Events Deleted" },
        ],
        needs: {
            requests: [
                { label: "delete events", request: request("delete", "", "events", { name: "web-0.17f2a" }) },
                { label: "deletecollection events", request: request("deletecollection", "", "events", { name: "" }) },
                { label: "deletecollection events.k8s.io events", request: request("deletecollection", "events.k8s.io", "events", { name: "" }) },
            ],
            level: "Metadata",
            fields: ["verb", "objectRef.resource", "responseStatus.code"],
        },
        match: all(
            eq("objectRef_resource", "events"),
            re("objectRef_apiGroup", "(?:events\\.k8s\\.io)?"),
            re("verb", "delete|deletecollection"),
            nre("user_username", oneOf(NAMESPACE_CLEANERS)),
            ...persisted,
        ),
    };
}

const ADMISSION_RESOURCES = [
    "mutatingwebhookconfigurations",
    "validatingwebhookconfigurations",
    "validatingadmissionpolicies",
    "validatingadmissionpolicybindings",
    "mutatingadmissionpolicies",
    "mutatingadmissionpolicybindings",
];

function admissionChanged(): DetectionRule {
    return {
        id: "admission-webhook-changed",
        title: "An admission webhook or policy was created, changed or deleted",
        severity: "high",
        why:
            "A mutating webhook sees and may rewrite every object it selects as it is written (Secrets included: it can copy them out, or " +
            "inject a container into every pod); a validating webhook or admission policy can block every write, and deleting one turns a " +
            "guard off. Operators that rotate their webhook's caBundle (cert-manager's cainjector, Kyverno, Istio) patch their configurations " +
            "regularly: those alerts are expected, their author names the operator.",
        sources: [
            {
                name: "SigmaHQ",
                ref: "rules/application/kubernetes/audit/kubernetes_audit_change_admission_controller.yml",
                note: "webhook configurations only, and lists a verb replace that does not exist; here admission policies and deletecollection too",
            },
            { name: "Elastic", ref: "Kubernetes Admission Webhook Created or Modified" },
        ],
        needs: {
            requests: [
                {
                    label: "create mutatingwebhookconfigurations",
                    request: request("create", "admissionregistration.k8s.io", "mutatingwebhookconfigurations", { namespace: "", name: "injector" }),
                },
                {
                    label: "patch validatingwebhookconfigurations",
                    request: request("patch", "admissionregistration.k8s.io", "validatingwebhookconfigurations", {
                        namespace: "",
                        name: "kyverno-resource",
                    }),
                },
                {
                    label: "delete validatingadmissionpolicies",
                    request: request("delete", "admissionregistration.k8s.io", "validatingadmissionpolicies", {
                        namespace: "",
                        name: "deny-privileged",
                    }),
                },
            ],
            level: "Metadata",
            fields: ["verb", "objectRef.apiGroup", "objectRef.resource", "responseStatus.code"],
        },
        match: all(
            eq("objectRef_apiGroup", "admissionregistration.k8s.io"),
            re("objectRef_resource", oneOf(ADMISSION_RESOURCES)),
            re("verb", "create|update|patch|delete|deletecollection"),
            // the API server writes a policy's type-checking status; that is not a change of what it admits
            ne("objectRef_subresource", "status"),
            ...persisted,
        ),
    };
}

/** Rules on what runs: privileged and host-sharing pods, capabilities, ephemeral containers, proxies, deletions, webhooks. */
export function workloadRules(params: DetectionParams): DetectionRule[] {
    void params;
    return [
        privileged(),
        hostNamespaces(),
        hostPathSensitive(),
        hostPath(),
        addedCapabilities(),
        ephemeralContainer(),
        nodeProxy(),
        podServiceProxy(),
        crdDeleted(),
        eventsDeleted(),
        admissionChanged(),
    ];
}
