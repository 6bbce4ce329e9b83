export { detectionRules } from "./rules";
export { Detector, lineLabels, matches } from "./evaluate";
export type { Hit } from "./evaluate";
export { ruleAlertExpr, ruleLogQuery } from "./logql";
export { SEVERITIES } from "./model";
export type { DetectionParams, DetectionRule, Severity } from "./model";
export { missingFields } from "./formats";
export { routeFormat } from "./stored-format";
