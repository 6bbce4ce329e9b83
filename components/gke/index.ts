export * from "./audit-logging";
export * from "./cluster-logging";
export * from "./filter";
export * from "./from-config";
export * from "./logging-provider";
export * from "./render";
export * from "./summary";
