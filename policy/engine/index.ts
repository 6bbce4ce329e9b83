export * from "./types";
export * from "./load";
export * from "./evaluate";
export * from "./event";
export * from "./lint";
export * from "./lines";
export * from "./simulate";
