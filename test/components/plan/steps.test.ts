/**
 * The engine's step rules as computeSteps applies them, on registrations made by hand. Each case names the
 * rule of pulumi/pulumi (pkg/resource/deploy/step_generator.go, sdk/go/common/resource/properties_path.go)
 * or of the provider (pulumi-command 1.2.1, cmd/dynamic-provider) it follows.
 */
import { strict as assert } from "node:assert";
import {
    applyIgnoreChanges,
    computeSteps,
    destructiveReplaceProblems,
    diffPaths,
    parsePath,
    pathContains,
    Registration,
} from "../../../components/plan/steps";

const AT = { project: "p", stack: "s" };
const STACK = "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s";
const CMD = "command:remote:Command";

function urnOf(parent: Registration | undefined, type: string, name: string): string {
    if (!parent || parent.type === "pulumi:pulumi:Stack") return `urn:pulumi:s::p::${type}::${name}`;
    return `urn:pulumi:s::p::${parent.urn.split("::")[2]}$${type}::${name}`;
}

function reg(type: string, name: string, parent?: Registration, extra: Partial<Registration> = {}): Registration {
    return {
        urn: urnOf(parent, type, name),
        type,
        name,
        parent: parent?.urn ?? STACK,
        custom: !type.startsWith("akko:"),
        inputs: {},
        dependencies: [],
        protect: false,
        retainOnDelete: false,
        replaceOnChanges: [],
        ignoreChanges: [],
        aliases: [],
        additionalSecretOutputs: [],
        importId: "",
        provider: "",
        deletedWith: "",
        ...extra,
    };
}

/** A k3s node as 0.1.0 registered it (index name, triggers) and as now (host name, ignoreChanges). */
function node(
    cluster: string,
    nodeName: string,
    opts: { triggers?: unknown[]; ignore?: boolean; aliases?: Registration["aliases"]; clusterAliases?: Registration["aliases"]; del?: string } = {},
) {
    const c = reg("akko:audit:K3sAuditLogging", cluster, undefined, { aliases: opts.clusterAliases ?? [] });
    const n = reg("akko:audit:K3sServerAuditLogging", `${cluster}-${nodeName}`, c, { aliases: opts.aliases ?? [] });
    const apply = reg(CMD, `${cluster}-${nodeName}-apply`, n, {
        inputs: {
            create: "apply",
            update: "apply",
            delete: opts.del ?? "remove",
            connection: "[secret aaaaaaaaaaaa]",
            ...(opts.triggers ? { triggers: opts.triggers } : {}),
        },
        replaceOnChanges: ["triggers[*]"],
        ignoreChanges: opts.ignore ? ["triggers"] : [],
    });
    return [c, n, apply];
}

const ops = (r: ReturnType<typeof computeSteps>) => r.steps.filter((s) => s.custom).map((s) => `${s.op} ${s.name}`);

describe("engine step rules (computeSteps)", () => {
    it("another provider: the new provider's DiffConfig decides (aws replaces on a region change; azure-native never; a default provider is unknown offline)", () => {
        const provider = (type: string, name: string, inputs: Record<string, unknown>) =>
            reg(`pulumi:providers:${type}`, name, undefined, { inputs });
        const ref = (p: Registration) => `${p.urn}::${p.name}-id`;
        const awsEu = provider("aws", "aws-eu", { region: "eu-west-3" });
        const awsUs = provider("aws", "aws-us", { region: "us-east-1" });
        const awsEu2 = provider("aws", "aws-eu-role", { region: "eu-west-3", assumeRoles: "[]" });
        const azure = provider("azure-native", "azure-sub", { subscriptionId: "s" });
        const group = (p: Registration | undefined) => reg("aws:cloudwatch/logGroup:LogGroup", "group", undefined, { provider: p ? ref(p) : "" });
        const diag = (p: Registration | undefined) => reg("azure-native:monitor:DiagnosticSetting", "diag", undefined, { provider: p ? ref(p) : "" });

        // Explicit -> explicit in another region: pulumi-aws's ForcesProviderReplace on region (pulumi-aws#4000).
        const moved = computeSteps([awsEu, group(awsEu)], [awsUs, group(awsUs)], AT).steps.find((x) => x.name === "group")!;
        assert.deepEqual([moved.op, moved.replaceBecause], ["replace", ["provider"]]);
        // Same region, another role: no replace key changed.
        assert.equal(computeSteps([awsEu, group(awsEu)], [awsEu2, group(awsEu2)], AT).steps.find((x) => x.name === "group")!.op, "same");
        // Default -> explicit: the default provider's config is the engine's (stack config): not knowable here.
        const fromDefault = computeSteps([group(undefined)], [awsEu, group(awsEu)], AT).steps.find((x) => x.name === "group")!;
        assert.deepEqual([fromDefault.op, fromDefault.providerUnknown, fromDefault.changed], ["update", true, ["provider"]]);
        // azure-native's DiffConfig never replaces (pulumi/ci-mgmt#1113).
        assert.equal(computeSteps([diag(undefined)], [azure, diag(azure)], AT).steps.find((x) => x.name === "diag")!.op, "same");
    });

    it("same inputs: no step; a changed command is an update in place (the provider's Update runs `update`)", () => {
        const before = node("edge", "10.0.0.1", { ignore: true });
        assert.deepEqual(ops(computeSteps(before, before, AT)), ["same edge-10.0.0.1-apply"]);
        const after = node("edge", "10.0.0.1", { ignore: true });
        after[2].inputs.update = "apply v2";
        const r = computeSteps(before, after, AT);
        assert.deepEqual(ops(r), ["update edge-10.0.0.1-apply"]);
        assert.deepEqual(r.steps[2].changed, ["update"]);
        assert.equal(r.steps[2].runsDelete, false);
    });

    it("a changed trigger is a replace: the provider's replace key and the SDK-merged replaceOnChanges; the old delete runs", () => {
        const r = computeSteps(node("edge", "10.0.0.1", { triggers: ["h1"] }), node("edge", "10.0.0.1", { triggers: ["h2"] }), AT);
        assert.deepEqual(ops(r), ["replace edge-10.0.0.1-apply"]);
        assert.deepEqual(r.steps[2].replaceBecause, ["triggers", "triggers[0]"]);
        assert.deepEqual([r.steps[2].deleteBeforeReplace, r.steps[2].runsDelete], [false, true]);
    });

    it("removing `triggers` replaces too (the provider's key), though `triggers[*]` does not contain `triggers` (PropertyPath.Contains)", () => {
        const r = computeSteps(node("edge", "10.0.0.1", { triggers: ["h1"] }), node("edge", "10.0.0.1"), AT);
        assert.deepEqual(r.steps[2].replaceBecause, ["triggers"]);
        assert.equal(pathContains(parsePath("triggers[*]"), parsePath("triggers")), false);
        assert.equal(pathContains(parsePath("triggers[*]"), parsePath("triggers[3]")), true);
        // A type whose provider has no replace key: only the option counts, and it does not match the removal.
        const other = (inputs: Record<string, unknown>) => [reg("x:index:Thing", "t", undefined, { inputs, replaceOnChanges: ["triggers[*]"] })];
        assert.deepEqual(ops(computeSteps(other({ triggers: ["a"] }), other({}), AT)), ["update t"]);
        assert.deepEqual(ops(computeSteps(other({ triggers: ["a"] }), other({ triggers: ["b"] }), AT)), ["replace t"]);
    });

    it("ignoreChanges puts the old value back before the diff: 0.1.0's triggers stay in state, nothing is replaced", () => {
        assert.deepEqual(applyIgnoreChanges({ triggers: ["h"], a: 1 }, { a: 2 }, ["triggers"]), { triggers: ["h"], a: 2 });
        assert.deepEqual(applyIgnoreChanges({ a: 1 }, { a: 2, triggers: ["x"] }, ["triggers"]), { a: 2 });
        assert.deepEqual(ops(computeSteps(node("edge", "10.0.0.1", { triggers: ["h1"] }), node("edge", "10.0.0.1", { ignore: true }), AT)), [
            "same edge-10.0.0.1-apply",
        ]);
    });

    it("aliases: a node renamed from its index finds its old state; its children follow by the parent-name prefix rule", () => {
        const before = node("edge", "server-0", { triggers: ["h"] });
        const after = node("edge", "10.0.0.1", { ignore: true, aliases: [{ name: "edge-server-0" }] });
        const r = computeSteps(before, after, AT);
        assert.deepEqual(ops(r), ["same edge-10.0.0.1-apply"]);
        assert.equal(r.steps[2].from, before[2].urn);
        assert.equal(r.steps[1].from, before[1].urn);
        // Without the alias: the new node is created and the old one deleted, running its delete script.
        const bare = computeSteps(before, node("edge", "10.0.0.1", { ignore: true }), AT);
        assert.deepEqual(ops(bare), ["create edge-10.0.0.1-apply", "delete edge-server-0-apply"]);
        assert.equal(bare.steps.find((s) => s.op === "delete" && s.custom)!.runsDelete, true);
    });

    it("a cluster rename with an alias carries the node's own alias through (aliases multiply down the tree)", () => {
        const before = node("edge", "server-0", { triggers: ["h"] });
        const after = node("edge-1", "10.0.0.1", { ignore: true, clusterAliases: [{ name: "edge" }], aliases: [{ name: "edge-1-server-0" }] });
        const r = computeSteps(before, after, AT);
        assert.deepEqual(
            r.steps.map((s) => `${s.op} ${s.name} <- ${s.from?.split("::").pop()}`),
            ["same edge-1 <- edge", "same edge-1-10.0.0.1 <- edge-server-0", "same edge-1-10.0.0.1-apply <- edge-server-0-apply"],
        );
    });

    it("two resources claiming one old resource through aliases is an engine error", () => {
        const before = node("edge", "server-0");
        const a = node("edge", "10.0.0.1", { aliases: [{ name: "edge-server-0" }] });
        const b = reg("akko:audit:K3sServerAuditLogging", "edge-10.0.0.2", a[0], { aliases: [{ name: "edge-server-0" }] });
        const r = computeSteps(before, [...a, b], AT);
        assert.deepEqual(r.errors, [`${b.urn} and ${a[1].urn} both claim ${before[1].urn} through aliases (the engine refuses the update)`]);
    });

    it("deletes run dependents first; retainOnDelete forgets without running the delete; protect blocks", () => {
        const [c, n, apply] = node("edge", "10.0.0.1");
        const kept = reg("aws:cloudwatch/logGroup:LogGroup", "group", undefined, { retainOnDelete: true });
        const guarded = reg("aws:s3/bucket:Bucket", "bucket", undefined, { protect: true });
        const r = computeSteps([c, n, apply, kept, guarded], [], AT);
        assert.deepEqual(
            r.steps.map((s) => `${s.op} ${s.name}${s.runsDelete ? " (runs delete)" : ""}${s.blockedByProtect ? " (protected)" : ""}`),
            [
                "delete bucket (runs delete) (protected)",
                "discard group",
                "delete edge-10.0.0.1-apply (runs delete)",
                "delete edge-10.0.0.1",
                "delete edge",
            ],
        );
    });

    it("protect blocks a replace only when both the state and the program protect it (unprotect and replace in one update)", () => {
        const diag = (protect: boolean, clusterResourceId: string) =>
            reg("azure-native:monitor:DiagnosticSetting", "aks-audit", undefined, {
                protect,
                inputs: { name: "akko-audit", resourceUri: clusterResourceId },
            });
        const blocked = (was: boolean, now: boolean) =>
            computeSteps([diag(was, "/a")], [diag(now, "/b")], AT).steps.map((s) => [s.op, s.blockedByProtect ?? false]);
        assert.deepEqual(blocked(true, true), [["replace", true]]);
        assert.deepEqual(blocked(true, false), [["replace", false]]);
        assert.deepEqual(blocked(false, true), [["replace", false]]);
    });

    it("the GKE Data Access baseline: replaced on another project (its target), its own diff compares project and service only", () => {
        const type = "pulumi-nodejs:dynamic/akko-audit:GkeDataAccessBaseline";
        const b = (project: string, extra: Record<string, unknown> = {}) =>
            reg(type, "analytics-data-access-baseline", undefined, { inputs: { project, service: "container.googleapis.com", ...extra } });
        const step = (olds: Registration, news: Registration) => computeSteps([olds], [news], AT).steps[0];
        assert.deepEqual(
            [step(b("p1"), b("p2")).op, step(b("p1"), b("p2")).replaceBecause, step(b("p1"), b("p2")).deleteBeforeReplace],
            ["replace", ["project"], false],
        );
        assert.equal(step(b("p1"), b("p1", { __provider: "other code" })).op, "same");
        assert.deepEqual(destructiveReplaceProblems([b("p1")]), []);
    });

    it("deleteBeforeReplace: from the option, or from the provider's diff (the EKS and GKE logging providers ask for it)", () => {
        const eks = (cluster: string) => [
            reg("pulumi-nodejs:dynamic/akko-audit:EksClusterLogging", "logging", undefined, {
                inputs: { clusterName: cluster, region: "eu-west-1", logTypes: ["audit"] },
            }),
        ];
        const r = computeSteps(eks("a"), eks("b"), AT);
        assert.deepEqual([r.steps[0].op, r.steps[0].replaceBecause, r.steps[0].deleteBeforeReplace], ["replace", ["clusterName"], true]);
        const opt = (v: string) => [reg("x:index:Thing", "t", undefined, { inputs: { v }, replaceOnChanges: ["v"], deleteBeforeReplace: true })];
        assert.equal(computeSteps(opt("1"), opt("2"), AT).steps[0].deleteBeforeReplace, true);
    });

    it("a dynamic provider's diff decides alone: new provider code (`__provider`) is no step", () => {
        const gke = (code: string, components: string[]) => [
            reg("pulumi-nodejs:dynamic/akko-audit:GkeClusterLogging", "logging", undefined, {
                inputs: { __provider: code, project: "p", location: "l", clusterName: "c", components },
            }),
        ];
        assert.deepEqual(ops(computeSteps(gke("v1", ["APISERVER"]), gke("v2", ["APISERVER"]), AT)), ["same logging"]);
        assert.deepEqual(ops(computeSteps(gke("v1", ["APISERVER"]), gke("v2", ["APISERVER", "SCHEDULER"]), AT)), ["update logging"]);
    });

    it("an input computed from a resource being replaced is unknown, so it counts as changed (a replace on a replace key)", () => {
        const topic = (name: string) => reg("gcp:pubsub/topic:Topic", "topic", undefined, { inputs: { name } });
        const sub = (t: Registration) =>
            reg("gcp:pubsub/subscription:Subscription", "sub", undefined, { inputs: { name: "s", topic: "[unknown]" }, dependencies: [t.urn] });
        const r = computeSteps([topic("a"), sub(topic("a"))], [topic("b"), sub(topic("b"))], AT);
        assert.deepEqual(ops(r), ["replace topic", "replace sub"]);
        assert.deepEqual(r.steps[1].replaceBecause, ["topic"]);
        // Same topic: the unknown id is the same known id at deploy time.
        assert.deepEqual(ops(computeSteps([topic("a"), sub(topic("a"))], [topic("a"), sub(topic("a"))], AT)), ["same topic", "same sub"]);
    });

    it("a replaced provider replaces every resource it manages (a new clusterIdentifier is a new cluster)", () => {
        const provider = (id: string) => reg("pulumi:providers:kubernetes", "k8s", undefined, { inputs: { clusterIdentifier: id } });
        const patch = (p: Registration) =>
            reg("kubernetes:config.openshift.io/v1:APIServerPatch", "audit", undefined, {
                inputs: { metadata: { name: "cluster" } },
                provider: `${p.urn}::04da6b54-80e4-46f7-96ec-b56ff0331ba9`,
            });
        const r = computeSteps([provider("a"), patch(provider("a"))], [provider("b"), patch(provider("b"))], AT);
        assert.deepEqual(ops(r), ["replace k8s", "replace audit"]);
        assert.deepEqual(r.steps[1].replaceBecause, ["(its provider is replaced)"]);
    });

    it("diffPaths: leaf paths, an added or removed key is its own path", () => {
        assert.deepEqual(
            diffPaths({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { b: 2, c: [1] }, e: 1 }).map((p) => p.join(".")),
            ["a.b", "a.c.1", "d", "e"],
        );
    });
});

describe("the rule: nothing whose delete turns audit logging off is replaced by an input change", () => {
    it("holds for a command without triggers that ignores them; 0.1.0's commands break it", () => {
        assert.deepEqual(destructiveReplaceProblems(node("edge", "10.0.0.1", { ignore: true })), []);
        const old = node("edge", "server-0", { triggers: ["h"] });
        assert.deepEqual(destructiveReplaceProblems(old), [
            `${old[2].urn}: its delete turns audit logging off, yet a change of triggers, triggers[*] would replace it (create, then run the old one's delete); allowed: no replace at all (drop the key, or list it in ignoreChanges)`,
        ]);
    });

    it("a command without a delete script, and the logging providers whose replace keys name their cluster, are fine", () => {
        assert.deepEqual(destructiveReplaceProblems(node("edge", "10.0.0.1", { del: "" })), []);
        assert.deepEqual(
            destructiveReplaceProblems([reg("pulumi-nodejs:dynamic/akko-audit:EksClusterLogging", "l", undefined, { inputs: { clusterName: "c" } })]),
            [],
        );
        const patch = reg("kubernetes:config.openshift.io/v1:APIServerPatch", "audit", undefined, { replaceOnChanges: ["spec"] });
        assert.deepEqual(destructiveReplaceProblems([patch]), [
            `${patch.urn}: its delete turns audit logging off, yet a change of spec would replace it (create, then run the old one's delete); allowed: a replace only when metadata.name/metadata.namespace changes`,
        ]);
    });
});
