/** An inline Pulumi program: registers resources, returns the stack outputs. */
export type AuditProgram = () => Promise<Record<string, unknown>>;

/**
 * The inline program: the same one `pulumi up` runs from index.ts (the AuditRollout for the stack's
 * validated config), returning the stack outputs. The default `program` of preview/up/refresh/destroy.
 *
 * Loaded lazily: it pulls in every provider SDK, which reading outputs or validating config does not need.
 * The paths carry no extension, so the same line loads the TypeScript sources under tsx (the CLI, the
 * tests) and the compiled JavaScript next to this file in dist/ (the library: no tsx at run time).
 */
export const auditRolloutProgram: AuditProgram = async () => auditRolloutProgramIn(undefined)();

/**
 * The same program for the project in `projectDir` (the workspace's workDir), where akko-audit:clustersFile
 * is read from: an inline program runs in its caller's process, whose working directory may be elsewhere.
 * Undefined: the working directory. The default program of run() with a workDir.
 */
export function auditRolloutProgramIn(projectDir: string | undefined): AuditProgram {
    return async () => {
        // require, not import(): the launcher registers tsx for CommonJS only.
        const { loadStackConfig } = require("../components/deployable") as typeof import("../components/deployable");
        const { auditProgram } = require("../components/rollout/program") as typeof import("../components/rollout/program");
        return auditProgram(loadStackConfig(projectDir));
    };
}
