import { readFileSync } from "node:fs";
import * as path from "node:path";

/** Where the node scripts live: real files a person can read, review and run alone. */
export const SCRIPTS_DIR = path.join(__dirname, "scripts");

/** The text of one script in components/k3s/scripts (read once, at load). */
function script(name: string): string {
    return readFileSync(path.join(SCRIPTS_DIR, name), "utf8");
}

/** Refusals before anything is touched (runs as the login user). */
export const PREFLIGHT_SH = script("preflight.sh");
/** The kube-apiserver args k3s will really use; refuses audit flags it would override or ignore (run by preflight). */
export const EFFECTIVE_ARGS_SH = script("effective-args.sh");
/** Starts converge.sh detached and polls for its result (runs as root). */
export const LAUNCH_SH = script("launch.sh");
/** The apply/remove run itself, with backup and rollback (runs detached, as root). */
export const CONVERGE_SH = script("converge.sh");
