export { buildCoverage, coverageMarkdown, detectionsTable } from "./report";
export { detectionCoverage, detectionGaps, ruleCoverage } from "./detections";
export type { RuleCoverage, RuleStatus } from "./detections";
export { retentionHops } from "./retention";
export type { RetentionHop } from "./retention";
export type { ClusterCoverage, CoverageReport } from "./report";
export { DETECTIONS_END, DETECTIONS_START, detectionsReference, exampleDetectionsReference, withDetectionsTable } from "./readme-table";
