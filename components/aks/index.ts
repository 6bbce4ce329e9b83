export * from "./audit-logging";
export * from "./from-config";
export * from "./ids";
export * from "./render";
export * from "./summary";
