/** Regenerates the config reference block of README.md from the schemas (npm run docs:config). */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { withReference } from "../components/config/reference";

const readme = path.join(__dirname, "..", "README.md");
const before = readFileSync(readme, "utf8");
const after = withReference(before);
writeFileSync(readme, after);
console.log(before === after ? "README.md: config reference already up to date" : "README.md: config reference updated");
