/**
 * Regenerates the config reference block of README.md from the schemas, and the detections table from the
 * rules and the example stacks' coverage (npm run docs:config).
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { withReference } from "../components/config/reference";
import { exampleDetectionsReference, withDetectionsTable } from "../components/coverage";

const readme = path.join(__dirname, "..", "README.md");
const before = readFileSync(readme, "utf8");
const root = path.join(__dirname, "..");
const after = withDetectionsTable(withReference(before), exampleDetectionsReference(root));
writeFileSync(readme, after);
console.log(
    before === after
        ? "README.md: config reference and detections table already up to date"
        : "README.md: config reference and detections table updated",
);
