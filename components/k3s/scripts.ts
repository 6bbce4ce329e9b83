import { readFileSync } from "node:fs";
import * as path from "node:path";

/** Where the node scripts live: real files a person can read, review and run alone. */
export const SCRIPTS_DIR = path.join(__dirname, "scripts");

/** The text of one script in components/k3s/scripts (read once, at load). */
function script(name: string): string {
    return readFileSync(path.join(SCRIPTS_DIR, name), "utf8");
}

/**
 * The scripts every bundle carries, by file name: run.sh (the entry point: checks the bundle, runs
 * preflight.sh, then launch.sh as root), preflight.sh (refusals before anything is touched),
 * effective-args.sh (the kube-apiserver args k3s will really use), launch.sh (starts converge.sh detached and
 * polls for its result) and converge.sh (the apply/remove run itself, with backup and rollback).
 */
export const BUNDLED_SCRIPTS: ReadonlyMap<string, string> = new Map(
    ["run.sh", "preflight.sh", "effective-args.sh", "launch.sh", "converge.sh"].map((name) => [name, script(name)]),
);
