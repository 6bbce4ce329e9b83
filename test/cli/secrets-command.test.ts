import { strict as assert } from "node:assert";
import { rmSync } from "node:fs";
import { main } from "../../cli/main";
import { copyProject, editStack, ROOT, setSecrets } from "../helpers/project";

async function cli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(args, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
    return { code, out, err };
}

describe("akko-audit secrets: which secrets a stack still needs, and the exact commands", function () {
    this.timeout(60_000);

    it("the example dev stack (no secrets in the file): all three missing, exit 1, one runnable command each", async () => {
        const r = await cli(["secrets", "--stack", "dev", "--project-dir", ROOT]);
        assert.equal(r.code, 1);
        assert.deepEqual(r.out, [
            "Stack dev: 3 secret(s) referenced, 3 not set yet.",
            "  MISSING akko-audit:devLogsKubeconfig  (logs kubeconfigSecret)",
            "  MISSING akko-audit:devLokiPassword  (logs gatewayPasswordSecret)",
            "  MISSING akko-audit:devSshKey  (clusters[0] dev sshPrivateKeySecret)",
            "",
            "Set them before `pulumi up`:",
            "  pulumi config set --stack dev --secret akko-audit:devLogsKubeconfig < path/to/kubeconfig   # kubeconfig",
            "  pulumi config set --stack dev --secret akko-audit:devLokiPassword   # prompts for the Loki gateway password",
            "  pulumi config set --stack dev --secret akko-audit:devSshKey < path/to/ssh-private-key   # SSH private key",
        ]);
        assert.deepEqual(r.err, []);
    });

    it("once set (secure: values in the stack file), everything is listed as set and it exits 0; --json says the same", async () => {
        const dir = copyProject();
        try {
            setSecrets(dir, "prod");
            const r = await cli(["secrets", "--stack", "prod", "--project-dir", dir]);
            assert.equal(r.code, 0);
            assert.equal(r.out[0], "Stack prod: 8 secret(s) referenced, 0 not set yet.");
            assert.ok(
                r.out.slice(1).every((l) => l.startsWith("  set     akko-audit:")),
                r.out.join("\n"),
            );
            const j = await cli(["secrets", "--stack", "prod", "--json", "--project-dir", dir]);
            const doc = JSON.parse(j.out.join("\n"));
            assert.deepEqual(
                doc.secrets.find((s: { key: string }) => s.key === "paymentsUsFirehoseKey"),
                {
                    key: "paymentsUsFirehoseKey",
                    set: true,
                    usedBy: ["clusters[3] payments-us firehoseAccessKeySecret"],
                    command:
                        "pulumi config set --stack prod --secret akko-audit:paymentsUsFirehoseKey   # prompts for the Firehose HTTP endpoint access key",
                },
            );
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("an Event Hub managed elsewhere (logs.receivers.eventHubs) asks for its listen connection string", async () => {
        const dir = copyProject();
        try {
            editStack(dir, "prod", (config) => {
                config["akko-audit:logs"].receivers.eventHubs = {
                    "clinic-lyon": {
                        eventHubNamespace: "evhns-clinic.servicebus.windows.net",
                        eventHub: "kube-audit",
                        connectionStringSecret: "clinicHub",
                    },
                };
            });
            const doc = JSON.parse((await cli(["secrets", "--stack", "prod", "--json", "--project-dir", dir])).out.join("\n"));
            assert.deepEqual(
                doc.secrets.find((s: { key: string }) => s.key === "clinicHub"),
                {
                    key: "clinicHub",
                    set: false,
                    usedBy: ["logs receivers.eventHubs.clinic-lyon.connectionStringSecret"],
                    command: "pulumi config set --stack prod --secret akko-audit:clinicHub   # prompts for the Event Hub listen connection string",
                },
            );
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("an unknown stack is one line, exit 2", async () => {
        const r = await cli(["secrets", "--stack", "nope", "--project-dir", ROOT]);
        assert.equal(r.code, 2);
        assert.match(r.err[0], /^akko-audit: unknown stack "nope": no /);
    });
});
