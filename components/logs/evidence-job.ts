import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config/stack";
import {
    EVIDENCE_BUNDLE_FILE,
    EVIDENCE_CONFIGMAP,
    EVIDENCE_SECRET,
    evidenceCronJob,
    evidenceSecretKeys,
    type EvidenceSecretEnv,
} from "./evidence-deploy";

export const EVIDENCE_JOB_TYPE = "akko:audit:EvidenceJob";

export interface EvidenceJobArgs {
    /** The validated stack config (logs.evidence.enabled). */
    config: StackConfig;
    /** Namespace in the logs cluster (Loki's). */
    namespace: pulumi.Input<string>;
    /** The bundled job (one file, bundleEvidenceJob()). */
    bundle: pulumi.Input<string>;
    /** The gateway's in-cluster URLs: Loki's base (reads) and its push path (status lines). */
    urls: { lokiUrl: string; pushUrl: string };
    /** The job's secret environment by name (signing keys, the read and push passwords, the store's credentials). */
    secrets: pulumi.Input<Partial<Record<EvidenceSecretEnv, pulumi.Input<string>>>>;
    provider?: k8s.Provider;
}

/** The evidence job in the logs cluster: the bundle in a ConfigMap, its secrets in a Secret, a CronJob (evidenceCronJob). */
export class EvidenceJob extends pulumi.ComponentResource {
    readonly cronJob: k8s.batch.v1.CronJob;

    constructor(name: string, args: EvidenceJobArgs, opts?: pulumi.ComponentResourceOptions) {
        super(EVIDENCE_JOB_TYPE, name, {}, opts);
        const child = { parent: this, provider: args.provider };
        const needed = evidenceSecretKeys(args.config.logs);
        const stringData = pulumi.secret(
            pulumi.output(args.secrets).apply((all) => {
                const missing = needed.filter((k) => all[k] === undefined);
                // A Secret without a key the CronJob names would leave every run failing to start: refuse here.
                if (missing.length > 0) throw new Error(`EvidenceJob "${name}": no value for ${missing.join(", ")}`);
                return Object.fromEntries(needed.map((k) => [k, all[k] as string]));
            }),
        );
        const secret = new k8s.core.v1.Secret(
            `${name}-secret`,
            { metadata: { name: EVIDENCE_SECRET, namespace: args.namespace }, stringData },
            child,
        );
        const code = new k8s.core.v1.ConfigMap(
            `${name}-code`,
            { metadata: { name: EVIDENCE_CONFIGMAP, namespace: args.namespace }, data: { [EVIDENCE_BUNDLE_FILE]: args.bundle } },
            child,
        );
        const spec = pulumi.output(args.namespace).apply((ns) => evidenceCronJob(args.config, args.urls, ns));
        this.cronJob = new k8s.batch.v1.CronJob(
            `${name}-cronjob`,
            { metadata: spec.apply((s) => s.metadata), spec: spec.apply((s) => s.spec) },
            { ...child, dependsOn: [secret, code] },
        );
        this.registerOutputs({ cronJob: this.cronJob.metadata.name });
    }
}
