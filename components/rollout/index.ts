export * from "./status";
export * from "./rollout";
export * from "./program";
