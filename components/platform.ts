/**
 * The platform contract: what every kind of cluster (k3s, EKS, GKE, AKS, OpenShift) tells the rest of the
 * program about itself, as pure functions of its validated config. Each kind implements it once, in
 * `<kind>/describe.ts`; `platforms.ts` holds the one table keyed by kind (exhaustive: a kind without an entry,
 * or an entry without a hook, does not compile). Status, coverage, render and the logs routing look a kind up
 * there instead of switching on it. Types only: no provider SDK, no component.
 */
import type { ClusterConfig, StackConfig } from "./config/stack";
import type { Level, PolicyEvaluator, RequestAttributes } from "../policy/engine";

export type ClusterKind = ClusterConfig["kind"];
/** The validated config of one kind of cluster. */
export type ClusterOf<K extends ClusterKind> = Extract<ClusterConfig, { kind: K }>;

/** One file `render` writes: a path relative to the output directory and its exact content. */
export interface Artifact {
    path: string;
    content: string;
    /** What it is, for the listing `render` prints. */
    description: string;
}

/** One place an audit event is kept on its way to (and in) Loki. */
export interface RetentionHop {
    hop: "node disk" | "cloud" | "Loki";
    /** Days kept, when this program sets or knows it. */
    days?: number;
    text: string;
}

/** What one request leaves in Loki for one cluster. */
export interface RequestOutcome {
    /** Level of the event stored in Loki; None when nothing arrives. */
    level: Level;
    /** Why the event is missing or below the level the product asks for. */
    why?: string;
    /** A caveat that is not a gap. */
    note?: string;
}

/** The audit policies clusters run, as evaluators: the product's, the managed platforms' reference, OpenShift's profiles. */
export interface AuditPolicies {
    product: PolicyEvaluator;
    managed: PolicyEvaluator;
    openshift: Record<string, PolicyEvaluator>;
}

/** What is turned on for one cluster, where its events go, and what the dashboard cannot show. */
export interface ClusterSummary {
    cluster: string;
    kind: ClusterKind;
    /** What is switched on, in the platform's own words. */
    enabled: string[];
    /** Where the events are kept before Loki, with retention. */
    cloudCopy: string;
    /** The path to Loki, or undefined when events do not reach it. */
    toLoki: string | undefined;
    /** Days the platform side keeps events (undefined: not set by this stack). */
    cloudRetentionDays: number | undefined;
    /** What the Audit Trail dashboard cannot show for this cluster. */
    gaps: string[];
}

/**
 * How a cluster's events reach Loki, as data the logs layer reads (it switches on the route, never on the
 * kind): an Alloy on the cluster's control-plane nodes reading a file, or a receiver of the central Alloy.
 */
export type LogsRoute =
    | { via: "node-agent"; path: string; installer: Installer }
    | { via: "firehose"; endpointUrl: string; accessKeySecret: string }
    | { via: "pubsub"; projectId: string; subscription: string }
    | {
          via: "event-hub";
          eventHub: string;
          consumerGroup: string;
          /**
           * Where Alloy's namespace and listen key come from: secret config (a hub managed elsewhere), or the
           * cluster's own component in the same deployment (`wired`: its outputs, as Outputs).
           */
          source: { from: "config"; namespace: string; connectionStringSecret: string } | { from: "component" };
      }
    | { via: "otlp"; installer: Installer }
    | { via: "none"; reason: string };

/**
 * How the logs layer puts its piece (an Alloy agent, a ClusterLogForwarder) into a cluster: as k3s
 * auto-deploy manifests the cluster's component uploads over SSH, or through the OpenShift API with the
 * cluster's kubeconfig.
 */
export type Installer = { by: "k3s-manifests" } | { by: "openshift-api"; kubeconfigSecret: string };

/** Everything the program knows about one kind of cluster, outside its component. */
export interface Platform<K extends ClusterKind> {
    kind: K;
    /** What is on, where it goes, retention, gaps: the stack status, coverage and render. */
    summary(c: ClusterOf<K>): ClusterSummary;
    /** Retention before Loki (node disk, cloud): the coverage report and the stack status. */
    retention(c: ClusterOf<K>): RetentionHop[];
    /** The audit setting in one line, as the coverage report names it. */
    setting(c: ClusterOf<K>): string;
    /** The level at which a request reaches Loki, from the policy this cluster really runs. */
    outcome(c: ClusterOf<K>, req: RequestAttributes, policies: AuditPolicies): RequestOutcome;
    /** The files `render` writes for this cluster, for review. */
    artifacts(c: ClusterOf<K>): Artifact[];
    /** How its events reach Loki under this stack's logs config. */
    logsRoute(c: ClusterOf<K>, config: StackConfig): LogsRoute;
}

/** Verbs that read (Data Access on GKE, bodies only with AllRequestBodies on OpenShift). */
export const READ_VERBS: ReadonlySet<string> = new Set(["get", "list", "watch"]);

/** The type token of the top-level component (the offline plan groups resources under its children). */
export const ROLLOUT_TYPE = "akko:audit:Rollout";

/** The tag every cloud resource of this program carries. */
export const MANAGED_BY = { "managed-by": "akko-audit" } as const;
