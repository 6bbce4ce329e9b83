import { strict as assert } from "node:assert";
import { configProblems, validateClusters } from "../../helpers/config";
import { gkeArgsFromConfig } from "../../../components/gke";
import { gkeSummary } from "../../../components/gke/summary";

const BASE = { name: "ana", kind: "gke", project: "akko-analytics-prod", location: "europe-west1", clusterName: "analytics-prod" };
const W = 'akko-audit:clusters[0] (cluster "ana", kind gke)';

function validate(cluster: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    return validateClusters([cluster], [], extra);
}
function problems(cluster: Record<string, unknown>, extra: Record<string, unknown> = {}): string[] {
    return configProblems(() => validate(cluster, extra));
}

describe("GKE config (subscription, API_SERVER)", () => {
    it("identity: a service account to impersonate, checked like one", () => {
        assert.deepEqual(problems({ ...BASE, impersonateServiceAccount: "deployer@gmail.com" }), [
            `${W}: field impersonateServiceAccount: got "deployer@gmail.com"; allowed: a service account email such as akko-audit-deployer@my-project.iam.gserviceaccount.com`,
        ]);
    });

    it("defaults: API_SERVER on, 7 days of subscription retention, 10 delivery attempts", () => {
        const [c] = validate(BASE).clusters;
        assert.ok(c.kind === "gke");
        assert.deepEqual(gkeArgsFromConfig(c), {
            manageDataAccessLogs: true,
            project: "akko-analytics-prod",
            location: "europe-west1",
            clusterName: "analytics-prod",
            dataAccessLogTypes: ["ADMIN_READ", "DATA_READ", "DATA_WRITE"],
            apiServerComponentLogs: true,
            subscriptionRetentionDays: 7,
            maxDeliveryAttempts: 10,
            alloyServiceAccountEmail: undefined,
            allowAuditOff: false,
            pubsubName: "akko-audit-ana",
            serviceAccountId: "alloy-ana",
        });
    });

    it("a renamed cluster keeps its topic, subscription and reader account (named after its first name)", () => {
        const [c] = validate({ ...BASE, name: "analytics-eu", previousNames: ["analytics", "ana"] }).clusters;
        assert.ok(c.kind === "gke");
        const args = gkeArgsFromConfig(c);
        assert.deepEqual([args.pubsubName, args.serviceAccountId], ["akko-audit-ana", "alloy-ana"]);
    });

    it("refuses a bad cluster name, location, retention beyond Pub/Sub's 31 days or beyond Loki's", () => {
        assert.deepEqual(
            problems({ ...BASE, clusterName: "Analytics_Prod", location: "eu", subscriptionRetentionDays: 40, maxDeliveryAttempts: 3 }),
            [
                `${W}: field location: got "eu"; allowed: a GCP region or zone such as europe-west1 or europe-west1-b`,
                `${W}: field clusterName: got "Analytics_Prod"; allowed: a GKE cluster name: lowercase letters, digits and '-', at most 40 characters`,
                `${W}: field subscriptionRetentionDays: got 40; allowed: a whole number of days from 1 to 31`,
                `${W}: field maxDeliveryAttempts: got 3; allowed: a whole number of attempts from 5 to 100`,
            ],
        );
        assert.deepEqual(problems({ ...BASE, alloyServiceAccountEmail: "alloy@gmail.com" }), [
            `${W}: field alloyServiceAccountEmail: got "alloy@gmail.com"; allowed: a service account email such as alloy-audit@my-project.iam.gserviceaccount.com`,
        ]);
        assert.deepEqual(problems({ ...BASE, subscriptionRetentionDays: 14 }, { logs: { retentionDays: 10 } }), [
            `${W}: field subscriptionRetentionDays: got 14; allowed: at most akko-audit:logs.retentionDays (10): the buffer must not outlive Loki, the record`,
        ]);
    });

    it("Data Access logs are per project: clusters of one project must agree, and only the first owns the setting", () => {
        const other = { ...BASE, name: "ana2", clusterName: "analytics-2" };
        assert.deepEqual(
            problems({ ...BASE, dataAccessLogTypes: ["ADMIN_READ"] }, { clusters: [{ ...BASE, dataAccessLogTypes: ["ADMIN_READ"] }, other] }),
            [
                `akko-audit:clusters[1] (cluster "ana2", kind gke): field dataAccessLogTypes: got ["ADMIN_READ","DATA_READ","DATA_WRITE"]; allowed: ["ADMIN_READ"] as on clusters[0] (Data Access logs are set per project, akko-analytics-prod)`,
            ],
        );
        const fleet = validate(BASE, { clusters: [BASE, other, { ...other, name: "ml", project: "akko-ml-prod" }] }).clusters;
        assert.deepEqual(
            fleet.map((c) => (c.kind === "gke" ? gkeArgsFromConfig(c, fleet).manageDataAccessLogs : undefined)),
            [true, false, true],
        );
    });

    it("summarizes, naming the Secret-read gap without DATA_READ", () => {
        const [c] = validate({ ...BASE, dataAccessLogTypes: ["ADMIN_READ"], apiServerComponentLogs: false }).clusters;
        assert.ok(c.kind === "gke");
        assert.deepEqual(gkeSummary(c), {
            cluster: "ana",
            kind: "gke",
            enabled: ["Admin Activity audit logs (always on)", "Data Access audit logs ADMIN_READ for container.googleapis.com (whole project)"],
            cloudCopy: "Cloud Logging in akko-analytics-prod (the _Required and _Default buckets' own retention)",
            toLoki: "Log Router sink -> Pub/Sub topic -> pull subscription projects/akko-analytics-prod/subscriptions/akko-audit-ana (7 days, dead-letter after 10 attempts) -> Alloy loki.source.gcplog",
            cloudRetentionDays: 7,
            gaps: [
                "no reads: without DATA_READ Data Access logs, Secret gets and lists are not recorded",
                "GKE's audit policy is fixed by Google and cannot be changed; lease renewals are filtered out",
            ],
        });
    });
});
