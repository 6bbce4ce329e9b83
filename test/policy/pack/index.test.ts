/**
 * The pack as the Pulumi CLI runs it: policy/pack/index.ts started in its own directory (PolicyPack reads
 * the version from there), serving the analyzer gRPC protocol on a loopback port it prints. The test plays
 * the engine's side with the SDK's own analyzer client and messages; only the engine itself is absent.
 */
import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { onlyRegistration } from "./program-plan";

const grpc = require("@grpc/grpc-js");
const rpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const pb = require("@pulumi/pulumi/proto/analyzer_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");

const PACK = path.resolve(__dirname, "../../../policy/pack");
const AKS =
    "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg-hds-prod/providers/Microsoft.ContainerService/managedClusters/aks-hds-prod";

function call<T>(client: any, method: string, req: unknown): Promise<T> {
    return new Promise((resolve, reject) => client[method](req, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))));
}

function analyzeRequest(type: string, name: string, props: Record<string, unknown>) {
    return new pb.AnalyzeRequest()
        .setType(type)
        .setName(name)
        .setUrn(`urn:pulumi:prod::akko-audit::${type}::${name}`)
        .setProperties(Struct.fromJavaScript(props))
        .setOptions(new pb.AnalyzerResourceOptions());
}

describe("policy pack: served over the analyzer protocol (policy/pack/index.ts)", function () {
    this.timeout(60_000);
    let child: ChildProcess;
    let client: any;

    before(async () => {
        child = spawn(process.execPath, ["--import", "tsx", "index.ts"], { cwd: PACK, stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        child.stderr!.on("data", (d) => (stderr += d));
        const port = await new Promise<string>((resolve, reject) => {
            let out = "";
            child.stdout!.on("data", (d) => {
                out += d;
                const m = /^(\d+)\n/.exec(out);
                if (m) resolve(m[1]);
            });
            child.on("exit", (code) => reject(new Error(`policy pack exited ${code}: ${stderr}`)));
        });
        client = new rpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    });

    after(() => {
        client?.close();
        child?.kill();
    });

    it("describes itself: name, version from its package.json, the five policies", async () => {
        const info = await call<any>(client, "getAnalyzerInfo", new (require("google-protobuf/google/protobuf/empty_pb").Empty)());
        assert.equal(info.getName(), "akko-audit-guardrails");
        assert.equal(info.getVersion(), "0.1.0");
        assert.deepEqual(
            info.getPoliciesList().map((p: any) => p.getName()),
            ["eks-cluster-logging-audit", "eks-audit-log-enabled", "aks-single-audit-category", "gke-data-access-logs", "log-group-retention-set"],
        );
    });

    it("passes the program's own EksClusterLogging registration as the engine sends it; a mandatory violation once audit is dropped", async () => {
        const reg = await onlyRegistration("pulumi-nodejs:dynamic/akko-audit:EksClusterLogging", "payments-eu-control-plane-logging");
        const good = await call<any>(client, "analyze", analyzeRequest(reg.type, reg.name, reg.inputs));
        assert.equal(good.getDiagnosticsList().length, 0);
        const bad = await call<any>(client, "analyze", analyzeRequest(reg.type, reg.name, { ...reg.inputs, logTypes: ["api", "authenticator"] }));
        const ds = bad.getDiagnosticsList();
        assert.equal(ds.length, 1);
        assert.equal(ds[0].getPolicyname(), "eks-cluster-logging-audit");
        assert.equal(ds[0].getEnforcementlevel(), pb.EnforcementLevel.MANDATORY);
        assert.equal(
            ds[0].getMessage(),
            "akko-audit's EKS control-plane logging (EksClusterLogging) keeps the audit log type on.\n" +
                'pulumi-nodejs:dynamic/akko-audit:EksClusterLogging "payments-eu-control-plane-logging": logTypes: got ["api","authenticator"]; ' +
                'allowed: a list that includes "audit" (the resource turns off every log type it does not list: without it EKS writes no API-server audit events)',
        );
    });

    it("reports a mandatory violation for an EKS cluster without the audit log, none with it", async () => {
        const bad = await call<any>(client, "analyze", analyzeRequest("aws:eks/cluster:Cluster", "payments", { enabledClusterLogTypes: ["api"] }));
        const ds = bad.getDiagnosticsList();
        assert.equal(ds.length, 1);
        assert.equal(ds[0].getPolicyname(), "eks-audit-log-enabled");
        assert.equal(ds[0].getEnforcementlevel(), pb.EnforcementLevel.MANDATORY);
        assert.equal(
            ds[0].getMessage(),
            'Every EKS cluster the stack owns enables the audit control-plane log type.\naws:eks/cluster:Cluster "payments": enabledClusterLogTypes: got ["api"]; allowed: a list that includes "audit" (without it EKS writes no API-server audit events)',
        );
        const good = await call<any>(client, "analyze", analyzeRequest("aws:eks/cluster:Cluster", "payments", { enabledClusterLogTypes: ["audit"] }));
        assert.equal(good.getDiagnosticsList().length, 0);
    });

    it("honours the AKS opt-in sent as policy config (what --policy-pack-config carries)", async () => {
        const both = analyzeRequest("azure-native:monitor:DiagnosticSetting", "hds-sante-audit", {
            resourceUri: AKS,
            logs: [
                { category: "kube-audit", enabled: true },
                { category: "kube-audit-admin", enabled: true },
            ],
        });
        assert.deepEqual(
            (await call<any>(client, "analyze", both)).getDiagnosticsList().map((d: any) => d.getPolicyname()),
            ["aks-single-audit-category"],
        );

        const configure = new pb.ConfigureAnalyzerRequest();
        configure
            .getPolicyconfigMap()
            .set(
                "aks-single-audit-category",
                new pb.PolicyConfig()
                    .setEnforcementlevel(pb.EnforcementLevel.MANDATORY)
                    .setProperties(Struct.fromJavaScript({ allowBothFor: [AKS] })),
            );
        await call(client, "configure", configure);
        assert.deepEqual((await call<any>(client, "analyze", both)).getDiagnosticsList().length, 0);
    });
});
