export { withReference } from "./reference";
export { configReference } from "./reference";
