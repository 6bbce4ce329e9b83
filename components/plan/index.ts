export * from "./recorder";
export * from "./plan";
export * from "./registrations";
