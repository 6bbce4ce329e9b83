import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { LogsConfig } from "../config/logs";
import { chartSource, ChartName } from "./charts";

/** The repository credentials "USER:PASSWORD" split; refuses (without echoing the value) one with no colon. */
export function splitRepoAuth(auth: string): { username: string; password: string } {
    const i = auth.indexOf(":");
    if (i <= 0) throw new Error("logs.mirrors.chartRepositoryAuthSecret: the secret's value is not USER:PASSWORD");
    return { username: auth.slice(0, i), password: auth.slice(i + 1) };
}

/**
 * helm.v3.Release takes the repository CA as a file path on the machine running Pulumi: the PEM is written
 * under the temp directory in a file named by its hash, so the path (kept in state) changes only with the CA
 * and a second `pulumi up` sees no diff.
 */
export function caFileOf(pem: string): string {
    const dir = path.join(os.tmpdir(), "akko-audit-chart-ca");
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, `${createHash("sha256").update(pem).digest("hex").slice(0, 16)}.pem`);
    writeFileSync(file, pem, { mode: 0o600 });
    return file;
}

/**
 * chart, version and repositoryOpts of a helm.v3.Release from the logs config: the repository, its private
 * CA (plain config or secret) and its basic-auth credentials (secret). helm.v3.Release has no plain-HTTP
 * switch for OCI registries (the config refuses that combination for Releases, see logsProblems).
 */
export function releaseChart(
    logs: LogsConfig,
    name: ChartName,
    secret: (key: string) => pulumi.Output<string>,
): { chart: string; version: string; repositoryOpts?: pulumi.Input<Record<string, pulumi.Input<string>>> } {
    const src = chartSource(logs, name);
    const m = logs.mirrors;
    const opts: Record<string, pulumi.Input<string>> = {};
    if (src.repo) opts.repo = src.repo;
    if (m.chartRepositoryCa) opts.caFile = caFileOf(m.chartRepositoryCa);
    if (m.chartRepositoryCaSecret) opts.caFile = secret(m.chartRepositoryCaSecret).apply(caFileOf);
    if (m.chartRepositoryAuthSecret) {
        const auth = secret(m.chartRepositoryAuthSecret).apply(splitRepoAuth);
        opts.username = auth.apply((a) => a.username);
        opts.password = pulumi.secret(auth.apply((a) => a.password));
    }
    return { chart: src.chart, version: src.version, ...(Object.keys(opts).length > 0 ? { repositoryOpts: opts } : {}) };
}
