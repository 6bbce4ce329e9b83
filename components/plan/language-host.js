// Runs a Pulumi program the way the nodejs language host does, with the SDK's mock monitor in place of the
// engine's gRPC resource monitor, and writes every registration the engine would receive.
//
// Usage (see host.ts, which builds the exact command line and environment of the host's execRuntime):
//   PULUMI_CONFIG=... PULUMI_CONFIG_SECRET_KEYS=... [PULUMI_NODEJS_TYPESCRIPT=true] \
//     node [nodeargs from Pulumi.yaml] language-host.js REQUEST.json
// REQUEST.json: { projectDir, project, stack, entryPoint, out }
//
// What is real: the program's own @pulumi/pulumi `cmd/run/run.js` `run()` (the function cmd/run/index.js
// calls after connecting to the engine), so the TypeScript registration (ts-node and its options, or none
// with `typescript: false`), the entry point lookup and the root Stack are the host's. What is stubbed: the
// gRPC monitor (the SDK's MockMonitor, answering with engine URNs) and the cloud reads (labelled placeholders).
// Plain CommonJS: a TypeScript loader registered here would hide how the host loads the program.
"use strict";

const fs = require("node:fs");
const { onRegistration, planMocks, registrationOf, sdkModule } = require("./monitor");

function main() {
    const request = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
    const { projectDir, project, stack, entryPoint, out } = request;
    const resources = [];
    const invokes = [];
    onRegistration((req, urn) => resources.push(registrationOf(req, urn, projectDir)), projectDir);
    sdkModule("runtime/mocks", projectDir).setMocks(planMocks(invokes), project, stack, true);
    // The mock monitor lacks the shutdown handshake cmd/run sends when the program is done.
    sdkModule("runtime/settings", projectDir).getMonitor().signalAndWaitForShutdown = (_req, callback) => callback(null, {});

    // The host's command line (pulumi-language-nodejs constructArguments), with "mock" as the monitor.
    const runPath = require.resolve("@pulumi/pulumi/cmd/run", { paths: [projectDir] });
    process.argv = [
        process.execPath,
        runPath,
        "--monitor",
        "mock",
        "--project",
        project,
        "--stack",
        stack,
        "--pwd",
        projectDir,
        "--dry-run",
        "--parallel",
        "16",
        entryPoint,
    ];
    require(runPath);
    // After cmd/run's own exit handler, which turns an exit with uncaught errors into a failure.
    process.on("exit", (code) => {
        if ((process.exitCode ?? code) === 0)
            fs.writeFileSync(out, JSON.stringify({ project, stack, resources, invokes: [...new Set(invokes)].sort() }));
    });
}

main();
