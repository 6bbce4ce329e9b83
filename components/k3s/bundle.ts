import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { K3sCluster } from "../config/k3s";
import { dropInArgs, K3S_DROPIN_PATH, K3S_MANIFESTS_DIR, K3S_POLICY_PATH, renderDropIn } from "./render";
import { BUNDLED_SCRIPTS } from "./scripts";
import { shellQuote } from "./shell";

/** Seconds to wait for the marked audit event once the API server is ready again. */
export const DEFAULT_AUDIT_EVENT_TIMEOUT_SECONDS = 30;
/** File names in a bundle (launch.sh and converge.sh read these). */
export const BUNDLE_POLICY = "audit-policy.yaml";
export const BUNDLE_DROPIN = "90-akko-audit.yaml";
export const BUNDLE_SETTINGS = "settings.env";
export const BUNDLE_SUMS = "SHA256SUMS";
export const bundledManifest = (fileName: string) => `manifest-${fileName}`;

/** Knobs the integration tests and the bench turn (short timeouts, a detach mode); production never sets them. */
export interface BundleTestSettings {
    /** AKKO_DETACH: auto | systemd-run | setsid | nohup. */
    detach?: string;
    /** AKKO_POLL_INTERVAL in seconds (fractions allowed). */
    pollInterval?: string;
    /** AKKO_EVENT_TIMEOUT in seconds. */
    eventTimeoutSeconds?: number;
    /** AKKO_REQUEST_TIMEOUT: seconds one readiness request may take. */
    requestTimeoutSeconds?: number;
}

export interface BundleInput {
    cluster: K3sCluster;
    /** The audit policy text. */
    policy: string;
    /** Manifests shipped in the bundle (not secret), in order. */
    manifests: readonly { fileName: string; content: string }[];
    /** Names of secret manifests: they come over the apply command's stdin, never in the bundle. */
    stdinManifestNames: readonly string[];
    settings?: BundleTestSettings;
}

/**
 * Everything a k3s server node needs, as files: the scripts, the policy, the drop-in, the plain manifests,
 * the cluster's settings and SHA256SUMS over all of them. Its id is the sha256 of SHA256SUMS, so the id
 * names the content: uploaded once per content, and the node refuses a bundle that does not hash to it.
 */
export interface NodeBundle {
    id: string;
    /** File name -> content, SHA256SUMS included. */
    files: ReadonlyMap<string, string>;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** The cluster's settings as shell assignments (settings.env, sourced by the scripts once verified). */
export function bundleSettings(input: BundleInput): string {
    const { cluster, settings = {} } = input;
    const vars: [string, string | undefined][] = [
        ["AKKO_SERVICE", cluster.serviceName],
        ["AKKO_POLICY_PATH", K3S_POLICY_PATH],
        ["AKKO_DROPIN_PATH", K3S_DROPIN_PATH],
        ["AKKO_AUDIT_LOG_PATH", cluster.auditLogPath],
        ["AKKO_MANIFESTS_DIR", K3S_MANIFESTS_DIR],
        ["AKKO_READY_TIMEOUT", String(cluster.readyTimeoutSeconds)],
        ["AKKO_EVENT_TIMEOUT", String(settings.eventTimeoutSeconds ?? DEFAULT_AUDIT_EVENT_TIMEOUT_SECONDS)],
        // The flags the drop-in sets: preflight and the post-restart check prove k3s really runs with them.
        ["AKKO_EXPECT_ARGS", dropInArgs(cluster).join("\n")],
        ["AKKO_MANIFESTS", input.manifests.map((m) => m.fileName).join(" ")],
        ["AKKO_STDIN_MANIFESTS", input.stdinManifestNames.join(" ")],
        ["AKKO_DETACH", settings.detach],
        ["AKKO_POLL_INTERVAL", settings.pollInterval],
        ["AKKO_REQUEST_TIMEOUT", settings.requestTimeoutSeconds === undefined ? undefined : String(settings.requestTimeoutSeconds)],
    ];
    return [
        "# akko-audit: this cluster's settings, sourced by run.sh and launch.sh after SHA256SUMS is verified.",
        ...vars.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${shellQuote(v as string)}; export ${k}`),
        "",
    ].join("\n");
}

/** Builds the bundle of one cluster (pure: same input, same id). */
export function buildBundle(input: BundleInput): NodeBundle {
    const files = new Map<string, string>();
    for (const [name, text] of BUNDLED_SCRIPTS) files.set(name, text);
    files.set(BUNDLE_POLICY, input.policy);
    files.set(BUNDLE_DROPIN, renderDropIn(input.cluster));
    for (const m of input.manifests) files.set(bundledManifest(m.fileName), m.content);
    files.set(BUNDLE_SETTINGS, bundleSettings(input));
    // sha256sum -c format (GNU and busybox), names sorted: the same content always gives the same id.
    const sums = [...files.keys()]
        .sort()
        .map((name) => `${sha256(files.get(name) as string)}  ${name}\n`)
        .join("");
    files.set(BUNDLE_SUMS, sums);
    return { id: sha256(sums), files };
}

/** Where bundles are written on the machine running Pulumi: $XDG_CACHE_HOME/akko-audit/bundles (default ~/.cache). */
export function bundleCacheDir(env: NodeJS.ProcessEnv = process.env): string {
    const cache = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), ".cache");
    return path.join(cache, "akko-audit", "bundles");
}

/** Whether `dir` holds exactly the bundle's files with their content. */
function holds(dir: string, bundle: NodeBundle): boolean {
    for (const [name, content] of bundle.files) {
        const file = path.join(dir, name);
        if (!existsSync(file) || readFileSync(file, "utf8") !== content) return false;
    }
    return true;
}

/**
 * Writes the bundle to `<cacheDir>/<id>` (once: an existing, intact copy is kept) and returns that path, the
 * FileArchive the upload sends. Written under a temporary name and renamed, so a reader never sees half a
 * bundle; the node checks SHA256SUMS and the id anyway, so a copy altered here is refused there.
 */
export function writeBundle(bundle: NodeBundle, cacheDir: string = bundleCacheDir()): string {
    const dir = path.join(cacheDir, bundle.id);
    if (existsSync(dir) && holds(dir, bundle)) return dir;
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    const tmp = path.join(cacheDir, `.${bundle.id}.${process.pid}.tmp`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { mode: 0o700 });
    for (const [name, content] of bundle.files) writeFileSync(path.join(tmp, name), content, { mode: 0o600 });
    rmSync(dir, { recursive: true, force: true });
    try {
        renameSync(tmp, dir);
    } catch (e) {
        // Another process (a parallel preview) renamed the same content first.
        rmSync(tmp, { recursive: true, force: true });
        if (!holds(dir, bundle)) throw e;
    }
    return dir;
}
