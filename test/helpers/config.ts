import { strict as assert } from "node:assert";
import * as path from "node:path";
import { ConfigError, RawStackConfig, readStackFile, SECRET_PLACEHOLDER, StackConfig, validateStackConfig } from "../../components/config";

/** Validates a stack made of `clusters` (+ other top-level values); `secrets` are present as secret config. */
export function validateClusters(clusters: Record<string, unknown>[], secrets: string[] = [], extra: Record<string, unknown> = {}): StackConfig {
    const values: Record<string, unknown> = { clusters, ...extra };
    for (const s of secrets) values[s] = "[secret]";
    return validateStackConfig({ stack: "t", values, secretKeys: new Set(secrets) });
}

/** The problems of the ConfigError `run` throws; fails the test when it throws none. */
export function configProblems(run: () => unknown): string[] {
    try {
        run();
    } catch (e) {
        if (e instanceof ConfigError) return e.problems;
        throw e;
    }
    return assert.fail("expected a ConfigError");
}

/** One validated cluster, checked to keep its kind (for render and summary tests). */
export function validCluster(c: Record<string, unknown>, secrets: string[] = []): any {
    const [v] = validateClusters([c], secrets).clusters;
    assert.ok(v.kind === c.kind);
    return v;
}

/**
 * An example stack of the project (Pulumi.<name>.yaml, which holds no secrets) as after `pulumi config set
 * --secret` of every secret it names: each present as secret config, its value never read.
 */
export function exampleStack(name: string): RawStackConfig {
    const raw = readStackFile(path.resolve(__dirname, "../.."), name);
    const unset = validateStackConfig(raw, { allowUnsetSecrets: true }).unsetSecrets;
    return {
        stack: raw.stack,
        values: { ...raw.values, ...Object.fromEntries(unset.map((k) => [k, SECRET_PLACEHOLDER])) },
        secretKeys: new Set([...raw.secretKeys, ...unset]),
    };
}
