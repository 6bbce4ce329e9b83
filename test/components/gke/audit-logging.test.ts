/**
 * GkeAuditLogging under the real Pulumi SDK with mocked engine and providers. The getProject invoke
 * (project number for the Pub/Sub service agent) is mocked explicitly; any other invoke would throw.
 */
import { strict as assert } from "node:assert";
import { mockInvokes } from "../../helpers/invoke-mocks";
import { MockRun, resolve, settle, setupMocks } from "../../helpers/pulumi-mocks";
import { alloyServiceAccountId } from "../../../components/gke/filter";

const PROJECT = "akko-analytics-prod";
const WRITER = "serviceAccount:service-424242424242@gcp-sa-logging.iam.gserviceaccount.com";
const AGENT = "serviceAccount:service-424242424242@gcp-sa-pubsub.iam.gserviceaccount.com";

function outputs(type: string, _name: string, inputs: Record<string, any>): Record<string, any> {
    switch (type) {
        case "gcp:logging/projectSink:ProjectSink":
            return { writerIdentity: WRITER };
        case "gcp:serviceaccount/account:Account":
            return { email: `${inputs.accountId}@${PROJECT}.iam.gserviceaccount.com` };
        default:
            return {};
    }
}

const args = { project: PROJECT, location: "europe-west1", clusterName: "analytics-prod" };

describe("GkeAuditLogging (Pulumi mocks)", () => {
    let run: MockRun;
    let invokes: ReturnType<typeof mockInvokes>;
    let mod: typeof import("../../../components/gke");

    before(async () => {
        mod = await import("../../../components/gke/index.js");
    });
    beforeEach(async () => {
        run = await setupMocks({ outputs });
        invokes = mockInvokes({ "gcp:organizations/getProject:getProject": (i) => ({ projectId: i.projectId, number: "424242424242" }) });
    });
    afterEach(() => invokes.restore());

    it("registers Data Access logs, the sink -> topic -> subscription path, Alloy's account, and API_SERVER logging", async () => {
        new mod.GkeAuditLogging("analytics", args);
        await settle();
        assert.deepEqual(run.resources.map((r) => `${r.type} ${r.name}`).sort(), [
            "akko:audit:GkeAuditLogging analytics",
            "gcp:logging/projectSink:ProjectSink analytics-audit",
            "gcp:projects/iAMAuditConfig:IAMAuditConfig analytics-data-access",
            "gcp:pubsub/subscription:Subscription analytics-audit",
            "gcp:pubsub/subscription:Subscription analytics-audit-dead-letter",
            "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember analytics-alloy-subscriber",
            "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember analytics-dead-letter-subscriber",
            "gcp:pubsub/topic:Topic analytics-audit",
            "gcp:pubsub/topic:Topic analytics-audit-dead-letter",
            "gcp:pubsub/topicIAMMember:TopicIAMMember analytics-dead-letter-publisher",
            "gcp:pubsub/topicIAMMember:TopicIAMMember analytics-sink-publisher",
            "gcp:serviceaccount/account:Account analytics-alloy",
            "pulumi-nodejs:dynamic/akko-audit:GkeClusterLogging analytics-apiserver-logs",
            "pulumi-nodejs:dynamic/akko-audit:GkeDataAccessBaseline analytics-data-access-baseline",
        ]);
        const audit = run.one("gcp:projects/iAMAuditConfig:IAMAuditConfig", "analytics-data-access");
        assert.deepEqual(audit.inputs, {
            project: PROJECT,
            service: "container.googleapis.com",
            auditLogConfigs: [{ logType: "ADMIN_READ" }, { logType: "DATA_READ" }, { logType: "DATA_WRITE" }],
        });
        const logging = run.one("pulumi-nodejs:dynamic/akko-audit:GkeClusterLogging", "analytics-apiserver-logs");
        assert.deepEqual(
            {
                project: logging.inputs.project,
                location: logging.inputs.location,
                cluster: logging.inputs.clusterName,
                components: logging.inputs.components,
            },
            { project: PROJECT, location: "europe-west1", cluster: "analytics-prod", components: ["APISERVER"] },
        );
        assert.match(logging.inputs.__provider, /require\("@google-cloud\/container"\)/);
        const component = run.one("akko:audit:GkeAuditLogging", "analytics");
        for (const r of run.resources) if (r !== component) assert.equal(r.parent, component.urn);
    });

    it("the serialized provider (the code the engine runs) is self-contained and works against a stubbed ClusterManagerClient", async () => {
        new mod.GkeAuditLogging("analytics", args);
        await settle();
        const text: string = run.one("pulumi-nodejs:dynamic/akko-audit:GkeClusterLogging", "analytics-apiserver-logs").inputs.__provider;
        const exported: { handler?: () => any } = {};
        new Function("exports", "require", text)(exported, require);
        const provider = exported.handler!();
        // Stub the client's three RPCs on its prototype (GKE cannot run here); the constructor makes no call.
        const proto = require("@google-cloud/container").ClusterManagerClient.prototype;
        const saved = { getCluster: proto.getCluster, updateCluster: proto.updateCluster, getOperation: proto.getOperation, close: proto.close };
        const calls: string[] = [];
        Object.assign(proto, {
            getCluster: async (req: any) => (
                calls.push(`get ${req.name}`),
                [{ loggingConfig: { componentConfig: { enableComponents: ["SYSTEM_COMPONENTS"] } } }]
            ),
            updateCluster: async (req: any) => (
                calls.push(`update ${req.update.desiredLoggingConfig.componentConfig.enableComponents.join(",")}`),
                [{ name: "op-1" }]
            ),
            getOperation: async (req: any) => (calls.push(`poll ${req.name}`), [{ status: "DONE" }]),
            close: async () => undefined,
        });
        try {
            const created = await provider.create({ ...args, components: ["APISERVER"], pollIntervalSeconds: 0 });
            assert.deepEqual(created.outs.addedComponents, ["APISERVER"]);
            assert.deepEqual(calls, [
                `get projects/${PROJECT}/locations/europe-west1/clusters/analytics-prod`,
                "update APISERVER,SYSTEM_COMPONENTS",
                `poll projects/${PROJECT}/locations/europe-west1/operations/op-1`,
            ]);
        } finally {
            Object.assign(proto, saved);
        }
    });

    it("the sink takes the cluster's k8s.io activity and data_access entries without lease renewals, with its own writer identity", async () => {
        const c = new mod.GkeAuditLogging("analytics", args);
        await settle();
        const sink = run.one("gcp:logging/projectSink:ProjectSink", "analytics-audit");
        assert.equal(sink.inputs.destination, `pubsub.googleapis.com/projects/${PROJECT}/topics/akko-audit-analytics`);
        assert.equal(sink.inputs.uniqueWriterIdentity, true);
        assert.equal(
            sink.inputs.filter,
            [
                `logName=("projects/${PROJECT}/logs/cloudaudit.googleapis.com%2Factivity" OR "projects/${PROJECT}/logs/cloudaudit.googleapis.com%2Fdata_access")`,
                'AND protoPayload.serviceName="k8s.io"',
                'AND resource.type="k8s_cluster"',
                `AND resource.labels.project_id="${PROJECT}"`,
                'AND resource.labels.location="europe-west1"',
                'AND resource.labels.cluster_name="analytics-prod"',
                'AND NOT protoPayload.methodName="io.k8s.coordination.v1.leases.update"',
            ].join("\n"),
        );
        assert.equal((await resolve(c.sinkFilter)).value, sink.inputs.filter);
    });

    it("pull subscription with retention and dead-lettering; IAM: sink publishes, Alloy's account subscribes, the Pub/Sub agent dead-letters", async () => {
        const c = new mod.GkeAuditLogging("analytics", { ...args, subscriptionRetentionDays: 3, maxDeliveryAttempts: 20 });
        await settle();
        const sub = run.one("gcp:pubsub/subscription:Subscription", "analytics-audit");
        assert.deepEqual(
            {
                topic: sub.inputs.topic,
                retention: sub.inputs.messageRetentionDuration,
                dl: sub.inputs.deadLetterPolicy,
                ack: sub.inputs.ackDeadlineSeconds,
                expiry: sub.inputs.expirationPolicy,
                push: sub.inputs.pushConfig,
            },
            {
                topic: "analytics-audit-id",
                retention: "259200s",
                dl: { deadLetterTopic: "analytics-audit-dead-letter-id", maxDeliveryAttempts: 20 },
                ack: 60,
                expiry: { ttl: "" },
                push: undefined,
            },
        );
        assert.equal(run.one("gcp:pubsub/subscription:Subscription", "analytics-audit-dead-letter").inputs.topic, "analytics-audit-dead-letter-id");

        const members = [
            ...run.byType("gcp:pubsub/topicIAMMember:TopicIAMMember"),
            ...run.byType("gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember"),
        ]
            .map((m) => `${m.name}: ${m.inputs.role} on ${m.inputs.topic ?? m.inputs.subscription} for ${m.inputs.member}`)
            .sort();
        assert.deepEqual(members, [
            "analytics-alloy-subscriber: roles/pubsub.subscriber on akko-audit-analytics for serviceAccount:alloy-analytics@akko-analytics-prod.iam.gserviceaccount.com",
            `analytics-dead-letter-publisher: roles/pubsub.publisher on akko-audit-analytics-dead-letter for ${AGENT}`,
            `analytics-dead-letter-subscriber: roles/pubsub.subscriber on akko-audit-analytics for ${AGENT}`,
            `analytics-sink-publisher: roles/pubsub.publisher on akko-audit-analytics for ${WRITER}`,
        ]);
        assert.deepEqual(invokes.calls, [{ token: "gcp:organizations/getProject:getProject", inputs: { projectId: PROJECT } }]);
        assert.equal(run.one("gcp:serviceaccount/account:Account", "analytics-alloy").inputs.accountId, "alloy-analytics");
        assert.deepEqual(
            [...run.byType("gcp:pubsub/topic:Topic"), ...run.byType("gcp:pubsub/subscription:Subscription")]
                .map((r) => `${r.type.split(":").pop()} ${r.inputs.name}`)
                .sort(),
            [
                "Subscription akko-audit-analytics",
                "Subscription akko-audit-analytics-dead-letter",
                "Topic akko-audit-analytics",
                "Topic akko-audit-analytics-dead-letter",
            ],
        );
        assert.equal((await resolve(c.subscriptionPath)).value, `projects/${PROJECT}/subscriptions/akko-audit-analytics`);
        assert.equal((await resolve(c.serviceAccountEmail)).value, `alloy-analytics@${PROJECT}.iam.gserviceaccount.com`);
    });

    it("with an existing Alloy service account: no account created, that account subscribes", async () => {
        const c = new mod.GkeAuditLogging("analytics", {
            ...args,
            alloyServiceAccountEmail: "alloy-fleet@akko-logs-prod.iam.gserviceaccount.com",
        });
        await settle();
        assert.deepEqual(run.byType("gcp:serviceaccount/account:Account"), []);
        assert.equal(
            run.one("gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember", "analytics-alloy-subscriber").inputs.member,
            "serviceAccount:alloy-fleet@akko-logs-prod.iam.gserviceaccount.com",
        );
        assert.equal((await resolve(c.serviceAccountEmail)).value, "alloy-fleet@akko-logs-prod.iam.gserviceaccount.com");
    });

    it("a second cluster of the same project leaves the project's Data Access config to the first", async () => {
        new mod.GkeAuditLogging("second", { ...args, clusterName: "analytics-2", manageDataAccessLogs: false });
        await settle();
        assert.deepEqual(run.byType("gcp:projects/iAMAuditConfig:IAMAuditConfig"), []);
        assert.equal(run.byType("gcp:logging/projectSink:ProjectSink").length, 1);
    });

    it("no Data Access config for [], no API_SERVER logging when turned off", async () => {
        new mod.GkeAuditLogging("min", { ...args, dataAccessLogTypes: [], apiServerComponentLogs: false });
        await settle();
        assert.deepEqual(run.byType("gcp:projects/iAMAuditConfig:IAMAuditConfig"), []);
        assert.deepEqual(run.byType("pulumi-nodejs:dynamic/akko-audit:GkeClusterLogging"), []);
    });

    it("refuses a bad project, location, cluster name and log type — one line each, nothing registered", async () => {
        assert.throws(
            () =>
                new mod.GkeAuditLogging("x", {
                    project: "Akko",
                    location: "europe",
                    clusterName: "Analytics_Prod",
                    dataAccessLogTypes: ["ADMIN_WRITE"],
                    subscriptionRetentionDays: 45,
                }),
            {
                // The config's schemas and messages (ConfigError), under the component's name.
                name: "ConfigError",
                message: [
                    "5 config problems:",
                    `  - GkeAuditLogging "x": field project: got "Akko"; allowed: a GCP project id: 6-30 lowercase letters, digits and '-'`,
                    '  - GkeAuditLogging "x": field location: got "europe"; allowed: a GCP region or zone such as europe-west1 or europe-west1-b',
                    `  - GkeAuditLogging "x": field clusterName: got "Analytics_Prod"; allowed: a GKE cluster name: lowercase letters, digits and '-', at most 40 characters`,
                    '  - GkeAuditLogging "x": field dataAccessLogTypes[0]: got "ADMIN_WRITE"; allowed: ADMIN_READ | DATA_READ | DATA_WRITE',
                    '  - GkeAuditLogging "x": field subscriptionRetentionDays: got 45; allowed: a whole number of days from 1 to 31',
                ].join("\n"),
            },
        );
        await settle();
        assert.deepEqual(run.resources, []);
    });

    it("derives a valid service account id from any component name", () => {
        assert.equal(alloyServiceAccountId("a"), "alloy-a-audit");
        assert.equal(alloyServiceAccountId("a-very-long-cluster-name-of-forty-chars"), "alloy-a-very-long-cluster-name");
        assert.equal(alloyServiceAccountId("abcdefghijklmnopqrstuvw-xyz"), "alloy-abcdefghijklmnopqrstuvw");
    });
});
