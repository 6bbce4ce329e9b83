import * as path from "node:path";

/**
 * The evidence job as one CommonJS file for Node 22 (what the CronJob runs), built from this project's
 * source with esbuild. Deterministic: no sourcemap, no minification, paths relative to the repository root,
 * so the same source gives the same bytes (and the same ConfigMap, so no needless rollout).
 */
export function bundleEvidenceJob(): string {
    // Loaded here, not at the top: only the deploy path bundles, and the CLI's other commands need not load esbuild.
    const esbuild = require("esbuild") as typeof import("esbuild");
    const root = path.resolve(__dirname, "../../..");
    const result = esbuild.buildSync({
        absWorkingDir: root,
        entryPoints: [path.relative(root, path.join(__dirname, "job-entry.ts"))],
        bundle: true,
        platform: "node",
        target: "node22",
        format: "cjs",
        minify: false,
        sourcemap: false,
        legalComments: "none",
        charset: "utf8",
        write: false,
        logLevel: "silent",
    });
    if (result.outputFiles.length !== 1) throw new Error(`bundling the evidence job gave ${result.outputFiles.length} files, not 1`);
    return result.outputFiles[0].text;
}
