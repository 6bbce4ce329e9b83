// The Automation API library for internal tooling: run the program against a stack and read its outputs.
export type { AuditStackInput } from "./config";
export { validateInput } from "./config";
export { AutomationError } from "./errors";
export type { Operation } from "./errors";
export { progressLine } from "./progress";
export type { Progress } from "./progress";
export { clusterStatuses, destroy, outputs, preview, up } from "./run";
export type { AuditProgram, RunOptions, RunSummary, StackOptions, StackSource } from "./run";
