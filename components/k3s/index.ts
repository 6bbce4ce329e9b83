export * from "./shell";
export * from "./scripts";
export * from "./render";
export * from "./manifests";
export * from "./commands";
export * from "./node";
export * from "./cluster";
