/**
 * npm run build [-- --out-dir DIR]: compiles the library entry (tsconfig.build.json) to dist/ (or DIR), then
 * copies next to the compiled code the files the program reads relative to its own module (__dirname): the
 * k3s node scripts and the shipped audit policy. The output then runs without the TypeScript sources or tsx.
 */
import { cpSync, rmSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { spawnSync } from "node:child_process";

const ROOT = path.resolve(__dirname, "..");

/** Read at run time by the compiled program, relative to the reading module (see components/k3s/scripts.ts, cluster.ts). */
const BUILD_ASSETS: readonly string[] = ["components/k3s/scripts", "policy/audit-policy.yaml"];

const { values } = parseArgs({ options: { "out-dir": { type: "string" } }, strict: true });
const out = path.resolve(values["out-dir"] ?? path.join(ROOT, "dist"));

// A clean output: a module deleted from the sources must not linger in the package.
rmSync(out, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(ROOT, "tsconfig.build.json"), "--outDir", out], {
    stdio: "inherit",
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
for (const asset of BUILD_ASSETS) cpSync(path.join(ROOT, asset), path.join(out, asset), { recursive: true });
console.log(`built ${path.relative(process.cwd(), out) || "."}: akko-audit/automation (${BUILD_ASSETS.length} assets copied)`);
