export * from "./recorder";
export * from "./plan";
