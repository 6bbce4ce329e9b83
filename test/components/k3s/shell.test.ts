import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { buildRemoteCommand, shellQuote } from "../../../components/k3s/shell";

/** Runs a command line the way sshd hands it to the login shell: `sh -c <line>`. */
const sh = (line: string) => execFileSync("/bin/sh", ["-c", line], { encoding: "utf8" });
const NASTY = [
    "",
    "plain",
    "two words",
    "it's",
    "'",
    "''",
    `"double"`,
    "$(touch /tmp/akko-pwned)",
    "`id`",
    "a\\nb",
    "new\nline\n",
    "*",
    "~root",
    "$HOME",
    "; rm -rf /",
    "tab\there",
    "ünïcødé",
];

describe("shellQuote", () => {
    it("writes single quotes as '\\''", () => {
        assert.equal(shellQuote("it's"), `'it'\\''s'`);
        assert.equal(shellQuote(""), "''");
    });

    it("round-trips any text through a real /bin/sh unchanged", () => {
        for (const v of NASTY) assert.equal(sh(`printf %s ${shellQuote(v)}`), v, JSON.stringify(v));
    });
});

describe("buildRemoteCommand", () => {
    it("puts the inputs in the command as env assignments, sorted, then sh -c with the script", () => {
        assert.equal(
            buildRemoteCommand("echo hi", { AKKO_B: "2", AKKO_A: "a'b" }, { sudo: false }),
            `env 'AKKO_A=a'\\''b' 'AKKO_B=2' /bin/sh -c 'echo hi' akko-audit`,
        );
        assert.equal(buildRemoteCommand("echo hi", {}, { sudo: true }), `sudo -n env /bin/sh -c 'echo hi' akko-audit`);
    });

    it("delivers every value byte for byte to the script through a real shell", () => {
        const env = Object.fromEntries(NASTY.map((v, i) => [`AKKO_V${i}`, v]));
        const script = `for i in ${NASTY.map((_, i) => i).join(" ")}; do eval "printf '%s\\\\0' \\"\\$AKKO_V$i\\""; done`;
        const out = sh(buildRemoteCommand(script, env, { sudo: false }));
        assert.deepEqual(out.split("\0").slice(0, -1), NASTY);
    });

    it("refuses variables outside AKKO_* (PATH, LD_PRELOAD, typos)", () => {
        assert.throws(() => buildRemoteCommand("true", { PATH: "/tmp" }, { sudo: false }), {
            message: 'buildRemoteCommand: environment variable "PATH": allowed: names matching /^AKKO_[A-Z0-9_]+$/',
        });
    });
});
