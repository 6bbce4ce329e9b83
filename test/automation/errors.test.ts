import { strict as assert } from "node:assert";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CommandError, ConcurrentUpdateError, PulumiCommand, StackAlreadyExistsError, StackNotFoundError } from "@pulumi/pulumi/automation";
import { commandErrorParts, describeError, firstErrorLine } from "../../automation/errors";
import { ConfigError } from "../../components/config/errors";

// The SDK's own constructors: errors are built from a CLI result exactly as the SDK does after a failed command.
const { createCommandError } = require("@pulumi/pulumi/automation/errors") as { createCommandError(r: unknown): CommandError };
const { CommandResult } = require("@pulumi/pulumi/automation/cmd") as {
    CommandResult: new (stdout: string, stderr: string, code: number, err?: Error) => unknown;
};
const cliError = (stderr: string, code = 255) => createCommandError(new CommandResult("", stderr, code));

describe("automation: error mapping", () => {
    it("the SDK classifies CLI failures into its typed errors (the inputs of the mapping)", () => {
        assert.ok(cliError("error: no stack named 'prod' found") instanceof StackNotFoundError);
        assert.ok(cliError("error: stack 'prod' already exists") instanceof StackAlreadyExistsError);
        assert.ok(cliError("error: [409] Conflict: Another update is currently in progress.") instanceof ConcurrentUpdateError);
        assert.ok(cliError("error: the stack is currently locked by 1 lock(s)") instanceof ConcurrentUpdateError);
    });

    it("maps each typed error to one line that says what to do", () => {
        assert.equal(
            describeError(cliError("error: [409] Conflict: Another update is currently in progress."), "prod", "up"),
            "stack prod: another update is running (the stack is locked); wait for it, or if none is running clear the stale lock with 'pulumi cancel --stack prod'",
        );
        assert.equal(
            describeError(cliError("error: no stack named 'prod' found"), "prod", "outputs"),
            "stack prod: no such stack in the backend; create it with 'akko-audit up --stack prod' (or 'pulumi stack init prod')",
        );
        assert.equal(
            describeError(cliError("error: stack 'prod' already exists"), "prod", "up"),
            "stack prod: already exists in the backend (created concurrently?); run again to select it",
        );
        assert.equal(describeError(new ConfigError(["a", "b"]), "prod", "preview"), "stack prod: 2 config problem(s); nothing was changed");
    });

    it("a missing Pulumi CLI (the real SDK looking for it) says a live run needs the CLI and credentials", async () => {
        // An empty install root: what LocalWorkspace meets on a machine without the CLI.
        const root = mkdtempSync(path.join(tmpdir(), "no-pulumi-"));
        const err = await PulumiCommand.get({ root }).then(
            () => assert.fail("expected no Pulumi CLI under an empty root"),
            (e: unknown) => e,
        );
        assert.ok(err instanceof CommandError);
        assert.equal(
            describeError(err, "prod", "up"),
            "the Pulumi CLI is not installed or not on PATH: a live preview/up/destroy needs it and cloud credentials (https://www.pulumi.com/docs/install/); 'akko-audit plan' works offline",
        );
    });

    it("a Pulumi CLI that cannot run (the npm launcher without internet) says so, with its own reason", async () => {
        // A stand-in for node_modules/.bin/pulumi offline: it fails exactly as the launcher does here.
        const root = mkdtempSync(path.join(tmpdir(), "offline-pulumi-"));
        require("node:fs").mkdirSync(path.join(root, "bin"));
        require("node:fs").writeFileSync(
            path.join(root, "bin", "pulumi"),
            "#!/bin/sh\necho 'Downloading pulumi v3.265.0...' >&2\necho 'pulumi: fetch failed' >&2\nexit 1\n",
            { mode: 0o755 },
        );
        const err = await PulumiCommand.get({ root }).then(
            () => assert.fail("expected the stand-in CLI to fail"),
            (e: unknown) => e,
        );
        assert.ok(err instanceof CommandError);
        assert.equal(
            describeError(err, "prod", "up"),
            "the Pulumi CLI could not run (pulumi: fetch failed): a live preview/up/destroy needs it and cloud credentials (https://www.pulumi.com/docs/install/); 'akko-audit plan' works offline",
        );
    });

    it("names a missing passphrase and a missing login", () => {
        assert.equal(
            describeError(
                cliError(
                    "error: getting secrets manager: passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables",
                ),
                "prod",
                "preview",
            ),
            "stack prod: cannot decrypt its secrets: set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) to the stack's passphrase",
        );
        assert.equal(
            describeError(cliError("error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions"), "prod", "up"),
            "not logged in to a Pulumi backend: run 'pulumi login' (or set PULUMI_BACKEND_URL / PULUMI_ACCESS_TOKEN)",
        );
    });

    it("a failed update names the first engine error, else the CLI's first error line, with the exit code", () => {
        const failed = cliError("Updating (prod):\nerror: update failed\n");
        assert.equal(
            describeError(failed, "prod", "up", ["edge-server-0-policy: ssh: handshake failed: host key mismatch"]),
            "pulumi up of stack prod failed (exit 255): edge-server-0-policy: ssh: handshake failed: host key mismatch",
        );
        assert.equal(describeError(failed, "prod", "up"), "pulumi up of stack prod failed (exit 255): update failed");
    });

    it("never echoes secret-looking CLI output", () => {
        const leaky = cliError(
            "-----BEGIN OPENSSH PRIVATE KEY-----\nerror: -----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaA==\nerror: resource failed\n",
            1,
        );
        assert.equal(describeError(leaky, "prod", "destroy"), "pulumi destroy of stack prod failed (exit 1): resource failed");
        assert.equal(describeError(new Error("-----BEGIN RSA PRIVATE KEY----- abc"), "prod", "up"), "pulumi up of stack prod failed: [redacted]");
        assert.equal(firstErrorLine("warning: x\nAccountKey=abc\n"), "warning: x");
    });

    it("commandErrorParts reads the code and stderr out of the SDK's message format", () => {
        assert.deepEqual(commandErrorParts(cliError("line 1\nline 2", 3)), { code: 3, stderr: "line 1\nline 2" });
    });

    it("other errors: one line, the first of the message", () => {
        assert.equal(
            describeError(new Error("program failed\n    at x.ts:1"), "dev", "preview"),
            "pulumi preview of stack dev failed: program failed",
        );
        assert.equal(describeError("weird", "dev", "preview"), "pulumi preview of stack dev failed: weird");
    });
});
