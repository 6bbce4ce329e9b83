export { buildCoverage, coverageMarkdown } from "./report";
export { retentionHops } from "./retention";
export type { RetentionHop } from "./retention";
export type { ClusterCoverage } from "./report";
