export * from "./comments";
export * from "./reference";
