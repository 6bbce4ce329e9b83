export * from "./audit-profile";
export * from "./from-config";
export * from "./render";
export * from "./spec";
export * from "./summary";
