export * from "./classes";
export * from "./platforms";
export * from "./retention";
export * from "./compliance";
export * from "./report";
