export { auditProgram } from "./program";
