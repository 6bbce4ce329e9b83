// The Automation API library for internal tooling: run the program against a stack and read its outputs.
// Compiled to dist/ (npm run build) and exported as "akko-audit/automation".
export type { AuditStackInput } from "./config";
export { validateInput } from "./config";
export { AutomationError } from "./errors";
// validateInput's error (and an AutomationError's cause for bad config): one line per problem in `problems`.
export { ConfigError } from "../components/config/errors";
export type { Operation } from "./errors";
export { auditRolloutProgram } from "./program";
export type { AuditProgram } from "./program";
export { progressLine } from "./progress";
export type { Progress } from "./progress";
export { clusterStatuses, destroy, outputs, preview, refresh, up } from "./run";
export type { AutomationStack, PolicyRunOptions, RunOptions, RunSummary, StackOptions, StackSource } from "./run";
// The SDK's typed errors an AutomationError carries as `cause`: the classes of the SDK copy this package
// loads, so `instanceof` holds for a consumer whose own @pulumi/pulumi is another copy (or none).
export { CommandError, ConcurrentUpdateError, StackAlreadyExistsError, StackNotFoundError } from "@pulumi/pulumi/automation";
