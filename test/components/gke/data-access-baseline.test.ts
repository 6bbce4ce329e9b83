/**
 * GkeDataAccessBaseline: the project's Data Access config for container.googleapis.com recorded before the
 * IAMAuditConfig and written back after its delete. The HTTP client (google-auth-library's `.request()`) is
 * stubbed; every request body is asserted.
 */
import { strict as assert } from "node:assert";
import {
    type AuditConfig,
    CLOUD_RESOURCE_MANAGER_V1,
    type IamHttpClient,
    makeDataAccessBaselineProvider,
} from "../../../components/gke/data-access-provider";
import { mockInvokes } from "../../helpers/invoke-mocks";
import { MockRun, settle, setupMocks } from "../../helpers/pulumi-mocks";

const PROJECT = "akko-analytics-prod";
const SERVICE = "container.googleapis.com";
const GET = `${CLOUD_RESOURCE_MANAGER_V1}/projects/${PROJECT}:getIamPolicy`;
const SET = `${CLOUD_RESOURCE_MANAGER_V1}/projects/${PROJECT}:setIamPolicy`;
const GET_BODY = { options: { requestedPolicyVersion: 3 } };

/** Theirs, before akko-audit: ADMIN_READ only, one exempted member. */
const BEFORE: AuditConfig = { service: SERVICE, auditLogConfigs: [{ logType: "ADMIN_READ", exemptedMembers: ["user:ops@example.com"] }] };
const OURS: AuditConfig = { service: SERVICE, auditLogConfigs: [{ logType: "ADMIN_READ" }, { logType: "DATA_READ" }, { logType: "DATA_WRITE" }] };
const OTHER: AuditConfig = { service: "storage.googleapis.com", auditLogConfigs: [{ logType: "DATA_READ" }] };

interface Call {
    url: string;
    method: string;
    data: unknown;
}

/** Answers each request in turn with the next reply (an object is the response's data, an Error is thrown). */
function stubClient(replies: (object | Error)[]): IamHttpClient & { calls: Call[] } {
    const calls: Call[] = [];
    return {
        calls,
        async request<T>(opts: { url: string; method: "POST"; data: unknown }): Promise<{ data: T }> {
            calls.push({ url: opts.url, method: opts.method, data: opts.data });
            const reply = replies.shift();
            if (reply === undefined) throw new Error(`unexpected request ${opts.url}`);
            if (reply instanceof Error) throw reply;
            return { data: reply as T };
        },
    };
}

/** A gaxios error as google-auth-library throws it. */
function httpError(status: number, grpcStatus: string): Error {
    return Object.assign(new Error(`${status} ${grpcStatus}`), { response: { status, data: { error: { code: status, status: grpcStatus } } } });
}

const inputs = { project: PROJECT, service: SERVICE };

describe("GkeDataAccessBaseline provider (stubbed Cloud Resource Manager)", () => {
    it("create reads the project's IAM policy and records the service's audit config as it was", async () => {
        const client = stubClient([{ etag: "BwE1", auditConfigs: [OTHER, BEFORE] }]);
        const created = await makeDataAccessBaselineProvider(() => client).create(inputs);
        assert.deepEqual(created, { id: `${PROJECT}/${SERVICE}`, outs: { ...inputs, baseline: BEFORE } });
        assert.deepEqual(client.calls, [{ url: GET, method: "POST", data: GET_BODY }]);
    });

    it("create records null when the service had no audit config", async () => {
        const client = stubClient([{ etag: "BwE1", auditConfigs: [OTHER] }]);
        const created = await makeDataAccessBaselineProvider(() => client).create(inputs);
        assert.equal(created.outs!.baseline, null);
    });

    it("delete (after the IAMAuditConfig removed ours) writes the recorded config back: etag, updateMask auditConfigs, other services as read", async () => {
        const client = stubClient([{ etag: "BwE2", version: 1, auditConfigs: [OTHER] }, {}]);
        await makeDataAccessBaselineProvider(() => client).delete!(`${PROJECT}/${SERVICE}`, { ...inputs, baseline: BEFORE });
        assert.deepEqual(client.calls, [
            { url: GET, method: "POST", data: GET_BODY },
            { url: SET, method: "POST", data: { policy: { auditConfigs: [OTHER, BEFORE], etag: "BwE2" }, updateMask: "auditConfigs" } },
        ]);
    });

    it("delete with nothing recorded removes the service's entry if one is there, and leaves the others", async () => {
        const client = stubClient([{ etag: "BwE3", auditConfigs: [OURS, OTHER] }, {}]);
        await makeDataAccessBaselineProvider(() => client).delete!(`${PROJECT}/${SERVICE}`, { ...inputs, baseline: null });
        assert.deepEqual(client.calls[1], {
            url: SET,
            method: "POST",
            data: { policy: { auditConfigs: [OTHER], etag: "BwE3" }, updateMask: "auditConfigs" },
        });
    });

    it("delete writes nothing when the project already has the recorded config (order of log types aside)", async () => {
        const recorded: AuditConfig = {
            service: SERVICE,
            auditLogConfigs: [{ logType: "DATA_WRITE" }, { logType: "ADMIN_READ" }, { logType: "DATA_READ" }],
        };
        const client = stubClient([{ etag: "BwE4", auditConfigs: [OURS] }]);
        await makeDataAccessBaselineProvider(() => client).delete!(`${PROJECT}/${SERVICE}`, { ...inputs, baseline: recorded });
        assert.deepEqual(client.calls, [{ url: GET, method: "POST", data: GET_BODY }]);
    });

    it("a conflicting write (409 ABORTED: the etag changed) reads again and writes once more with the new etag", async () => {
        const client = stubClient([{ etag: "old", auditConfigs: [] }, httpError(409, "ABORTED"), { etag: "new", auditConfigs: [OTHER] }, {}]);
        await makeDataAccessBaselineProvider(() => client).delete!(`${PROJECT}/${SERVICE}`, { ...inputs, baseline: BEFORE });
        assert.deepEqual(
            client.calls.map((c) => [c.url, c.data]),
            [
                [GET, GET_BODY],
                [SET, { policy: { auditConfigs: [BEFORE], etag: "old" }, updateMask: "auditConfigs" }],
                [GET, GET_BODY],
                [SET, { policy: { auditConfigs: [OTHER, BEFORE], etag: "new" }, updateMask: "auditConfigs" }],
            ],
        );
    });

    it("a second conflict fails the delete with the API's error (retried once only)", async () => {
        const client = stubClient([{ etag: "a" }, httpError(409, "ABORTED"), { etag: "b" }, httpError(409, "ABORTED")]);
        await assert.rejects(
            makeDataAccessBaselineProvider(() => client).delete!(`${PROJECT}/${SERVICE}`, { ...inputs, baseline: BEFORE }),
            /409 ABORTED/,
        );
        assert.equal(client.calls.length, 4);
    });

    it("a project that is gone: read says so (empty id), delete succeeds without writing", async () => {
        const client = stubClient([httpError(404, "NOT_FOUND"), httpError(404, "NOT_FOUND")]);
        const provider = makeDataAccessBaselineProvider(() => client);
        assert.deepEqual(await provider.read!(`${PROJECT}/${SERVICE}`, { ...inputs, baseline: BEFORE }), { id: "", props: {} });
        await provider.delete!(`${PROJECT}/${SERVICE}`, { ...inputs, baseline: BEFORE });
        assert.deepEqual(
            client.calls.map((c) => c.url),
            [GET, GET],
        );
    });

    it("read never re-records (refresh keeps the config from before akko-audit); other errors fail", async () => {
        const client = stubClient([{ etag: "x", auditConfigs: [OURS] }, httpError(403, "PERMISSION_DENIED")]);
        const provider = makeDataAccessBaselineProvider(() => client);
        const props = { ...inputs, baseline: BEFORE };
        assert.deepEqual(await provider.read!(`${PROJECT}/${SERVICE}`, props), { id: `${PROJECT}/${SERVICE}`, props });
        await assert.rejects(provider.read!(`${PROJECT}/${SERVICE}`, props), /403 PERMISSION_DENIED/);
    });

    it("diff: another project or service replaces (no delete-before-replace); a new identity is an update that keeps the record", async () => {
        const provider = makeDataAccessBaselineProvider(() => stubClient([]));
        const olds = { ...inputs, baseline: BEFORE };
        assert.deepEqual(await provider.diff!("id", olds, { ...inputs, project: "akko-other-prod" }), { changes: true, replaces: ["project"] });
        assert.deepEqual(await provider.diff!("id", olds, inputs), { changes: false, replaces: [] });
        const identity = { impersonateServiceAccount: "deployer@akko-analytics-prod.iam.gserviceaccount.com" };
        assert.deepEqual(await provider.diff!("id", olds, { ...inputs, identity }), { changes: true, replaces: [] });
        assert.deepEqual(await provider.update!("id", olds, { ...inputs, identity }), { outs: { ...inputs, identity, baseline: BEFORE } });
    });
});

describe("GkeAuditLogging: Data Access baseline and protect (Pulumi mocks)", () => {
    let run: MockRun;
    let invokes: ReturnType<typeof mockInvokes>;
    let mod: typeof import("../../../components/gke");
    const args = { project: PROJECT, location: "europe-west1", clusterName: "analytics-prod" };

    before(async () => {
        mod = await import("../../../components/gke/index.js");
    });
    beforeEach(async () => {
        run = await setupMocks();
        invokes = mockInvokes({ "gcp:organizations/getProject:getProject": (i) => ({ projectId: i.projectId, number: "424242424242" }) });
    });
    afterEach(() => invokes.restore());

    it("the baseline is registered before the IAMAuditConfig, which depends on it; both and API_SERVER logging are protected, nothing else", async () => {
        new mod.GkeAuditLogging("analytics", args);
        await settle();
        const baseline = run.one("pulumi-nodejs:dynamic/akko-audit:GkeDataAccessBaseline", "analytics-data-access-baseline");
        const audit = run.one("gcp:projects/iAMAuditConfig:IAMAuditConfig", "analytics-data-access");
        assert.ok(run.resources.indexOf(baseline) < run.resources.indexOf(audit));
        assert.deepEqual(audit.dependencies, [baseline.urn]);
        assert.deepEqual({ project: baseline.inputs.project, service: baseline.inputs.service }, { project: PROJECT, service: SERVICE });
        assert.deepEqual(
            run.resources
                .filter((r) => r.protect)
                .map((r) => `${r.type} ${r.name}`)
                .sort(),
            [
                "gcp:projects/iAMAuditConfig:IAMAuditConfig analytics-data-access",
                "pulumi-nodejs:dynamic/akko-audit:GkeClusterLogging analytics-apiserver-logs",
                "pulumi-nodejs:dynamic/akko-audit:GkeDataAccessBaseline analytics-data-access-baseline",
            ],
        );
        assert.equal(run.one("akko:audit:GkeAuditLogging", "analytics").protect, false);
    });

    it("allowAuditOff: true protects nothing", async () => {
        new mod.GkeAuditLogging("analytics", { ...args, allowAuditOff: true });
        await settle();
        assert.deepEqual(
            run.resources.filter((r) => r.protect).map((r) => r.name),
            [],
        );
        assert.equal(run.byType("pulumi-nodejs:dynamic/akko-audit:GkeDataAccessBaseline").length, 1);
    });

    it("no Data Access config (another cluster of the project owns it, or no types): no baseline either", async () => {
        new mod.GkeAuditLogging("analytics", { ...args, manageDataAccessLogs: false });
        new mod.GkeAuditLogging("other", { ...args, clusterName: "other-prod", dataAccessLogTypes: [] });
        await settle();
        assert.deepEqual(run.byType("pulumi-nodejs:dynamic/akko-audit:GkeDataAccessBaseline"), []);
        assert.deepEqual(run.byType("gcp:projects/iAMAuditConfig:IAMAuditConfig"), []);
    });

    it("the serialized provider (the code the engine runs) is self-contained and acts through google-auth-library's client", async () => {
        new mod.GkeAuditLogging("analytics", args);
        await settle();
        const text: string = run.one("pulumi-nodejs:dynamic/akko-audit:GkeDataAccessBaseline", "analytics-data-access-baseline").inputs.__provider;
        const exported: { handler?: () => any } = {};
        new Function("exports", "require", text)(exported, require);
        const provider = exported.handler!();
        // Application Default Credentials cannot run here: the auth library's client is the stub.
        const proto = require("google-auth-library").GoogleAuth.prototype;
        const saved = proto.getClient;
        const client = stubClient([{ etag: "BwE1", auditConfigs: [BEFORE] }]);
        proto.getClient = async () => client;
        try {
            const created = await provider.create({ project: PROJECT, service: SERVICE });
            assert.deepEqual(created.outs.baseline, BEFORE);
            assert.deepEqual(client.calls, [{ url: GET, method: "POST", data: GET_BODY }]);
        } finally {
            proto.getClient = saved;
        }
    });
});
