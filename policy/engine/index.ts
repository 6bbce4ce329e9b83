export { PolicyEvaluator, evaluate } from "./evaluate";
export { EventShapeError, attributesFromEvent } from "./event";
export { forEachLine } from "./lines";
export { lintPolicy } from "./lint";
export { PolicyError, PolicySyntaxError, parsePolicy, validatePolicy } from "./load";
export { simulate } from "./simulate";
export type { EventReader } from "./simulate";
export { levelRank } from "./types";
export type { Level, Policy, RequestAttributes } from "./types";
