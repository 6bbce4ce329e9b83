import { EventClass } from "./classes";

/** A control of a compliance framework and what the audit trail can give it. */
export interface Control {
    id: string;
    framework: string;
    title: string;
    /** Event classes the control relies on; its status is the weakest of them across the fleet. */
    needs: EventClass["id"][];
    gets: string[];
    /** What this product does not provide for the control, whatever the config. */
    doesNotGet: string[];
    /** The control relies on the detection rules: a rule blind or partial on a cluster is a gap. */
    alerts?: true;
    /** Where the control's tamper-evidence line goes: a gap without logs.evidence, a "gets" with it (and its limits as gaps). */
    tamperEvidence?: "gap" | "see-a815";
}

/** Not delivered: Loki alone. */
export const TAMPER_EVIDENCE_GAP =
    "tamper-evidence: Loki alone is not write-once; an administrator of the logs cluster can delete or rewrite data. Add object-lock (WORM) storage or an external signed copy";

/** Delivered with logs.evidence.enabled. */
export const TAMPER_EVIDENCE_GETS =
    "tamper-evidence: every closed hour of every cluster's events has an Ed25519-signed digest (count and SHA-256 of each entry), chained to the previous one, kept in a retention-locked bucket; `akko-audit verify --from --to` (or offline with --digests/--events) reports modified, deleted and inserted entries, missing digests, gaps and chain breaks";

/** What the digests do not protect, shown with them. */
export const TAMPER_EVIDENCE_LIMITS: readonly string[] = [
    "tamper-evidence limits: events lost or altered before they reach Loki (on the node, in transit, in a cloud buffer) are never in a digest",
    "tamper-evidence limits: a signing key stolen before its rotation can sign a rewritten chain from then on; only digests already verified or copied elsewhere show it",
    "tamper-evidence limits: an administrator of the logs cluster can stop the digest job (the silence alert then fires) and rewrite what Loki holds for windows not yet digested",
    "tamper-evidence limits: the bucket's retention lock is the provider's guarantee (S3 Object Lock compliance mode, GCS bucket lock, Azure immutable blobs); emulators accept the settings without enforcing them",
];

/** The control's tamper-evidence lines for the stack: what it gets and what it does not. */
export function tamperEvidenceLines(control: Control, enabled: boolean): { gets: string[]; doesNotGet: string[] } {
    if (!control.tamperEvidence) return { gets: [], doesNotGet: [] };
    if (!enabled) return { gets: [], doesNotGet: [control.tamperEvidence === "gap" ? TAMPER_EVIDENCE_GAP : "tamper-evidence (see A.8.15)"] };
    return {
        gets: [control.tamperEvidence === "gap" ? TAMPER_EVIDENCE_GETS : "tamper-evidence: signed, chained hourly digests and verify (see A.8.15)"],
        doesNotGet: control.tamperEvidence === "gap" ? [...TAMPER_EVIDENCE_LIMITS] : ["tamper-evidence limits (see A.8.15)"],
    };
}

export const CONTROLS: readonly Control[] = [
    {
        id: "SOC2-CC6.1",
        framework: "SOC 2 (2017 TSC, rev. 2022)",
        title: "CC6.1 Logical access security",
        needs: ["interactive", "sensitive-reads", "writes"],
        gets: ["who opened a shell or port-forward into which pod, and when", "who read which Secret", "every RBAC change with its full body"],
        doesNotGet: ["evidence of access provisioning and periodic access reviews (an IAM process, not a log)"],
    },
    {
        id: "ISO27001-A.8.15",
        framework: "ISO/IEC 27001:2022 (A.8.15 replaced 2013's A.12.4.1)",
        title: "A.8.15 Logging",
        needs: ["writes", "interactive", "sensitive-reads", "reviews", "other-reads"],
        gets: [
            "API-server activity produced on every cluster and stored centrally",
            "retention enforced on every hop",
            "logs readable only with credentials (Loki gateway basic auth, TLS when exposed)",
        ],
        doesNotGet: ["evidence of clock synchronisation (A.8.17) on the nodes"],
        tamperEvidence: "gap",
    },
    {
        id: "ISO27001-A.8.16",
        framework: "ISO/IEC 27001:2022",
        title: "A.8.16 Monitoring activities",
        needs: ["interactive", "sensitive-reads", "writes"],
        gets: [
            "the Audit Trail dashboard: privileged operations, sensitive reads, top users, creations and deletions",
            "alerts from the detection rules, evaluated by Loki's ruler on every cluster's events (where each rule is blind: the detections table of each cluster)",
        ],
        doesNotGet: ["on-call response: who answers an alert, and how fast, is a process, not a log", "a baseline of normal behaviour"],
        alerts: true,
    },
    {
        id: "SOC2-CC7.2",
        framework: "SOC 2 (2017 TSC, rev. 2022)",
        title: "CC7.2 Monitoring of system components for anomalies",
        needs: ["interactive", "sensitive-reads", "writes"],
        gets: [
            "alerts on the attacker's usual steps (exec into pods, privileged pods, RBAC grants, Secret reads, enumeration, anonymous access)",
            "the evidence behind each alert: the audit event, by auditID, in Loki",
        ],
        doesNotGet: [
            "analysis and triage of the alerts (CC7.3): a process, not a log",
            "anomalies inside workloads: the API server sees Kubernetes objects only",
        ],
        alerts: true,
    },
    {
        id: "GDPR-Art.32",
        framework: "GDPR",
        title: "Art. 32 Security of processing",
        needs: ["sensitive-reads", "interactive", "writes"],
        gets: [
            "traceability of access to credentials and configuration that protect personal data",
            "no Secret body is ever stored (data minimisation)",
            "bounded retention (storage limitation, Art. 5(1)(e))",
        ],
        doesNotGet: ["records of access to personal data inside applications and databases: the API server sees Kubernetes objects only"],
        tamperEvidence: "see-a815",
    },
    {
        id: "HDS-v2",
        framework: "HDS v2 (French health-data hosting, built on ISO/IEC 27001:2022)",
        title: "Traceability of administrative access to the hosting infrastructure",
        needs: ["writes", "interactive", "sensitive-reads", "reviews"],
        gets: ["every administrative action on the clusters, attributed to an authenticated identity", "retention on each hop as configured"],
        doesNotGet: ["proof that the logs cluster itself is hosted in an HDS-certified location"],
        tamperEvidence: "see-a815",
    },
];
