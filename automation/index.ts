export * from "./config";
export * from "./errors";
export * from "./progress";
export * from "./run";
