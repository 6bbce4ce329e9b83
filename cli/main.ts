import { coverageCommand } from "./coverage-command";
import { detectCommand } from "./detect-command";
import { CliError } from "./errors";
import { exitQuietlyOnClosedPipe, Output, processOutput } from "./output";
import { normalizeCommand } from "./normalize-command";
import { planCommand } from "./plan-command";
import { policyCommand } from "./policy-commands";
import { renderCommand } from "./render-command";
import { secretsCommand } from "./secrets-command";
import { verifyCommand } from "./verify-command";

export const MAIN_HELP = `Usage: akko-audit <command> [options]

Commands:
  render --stack NAME --out DIR     validate a stack's config offline and write every artifact it would push
  policy check|explain|simulate     validate, query and replay the audit policy
  normalize --in FILE               turn audit exports (AKS, GKE, CloudWatch, OTLP, ViaQ...) into native Events (as stored in Loki)
  detect --in FILE [--json]         run the detection rules over audit events (any normalize format); exit 1 on a hit
  detect --list                     the detection rules: id, severity, title, what each needs
  plan --stack NAME [--json]        every resource the program would register, offline (under the SDK's mocks)
  plan --stack NAME --base REF      the change preview: what 'pulumi up' would do on the fleet, step by step
  secrets --stack NAME              which secrets are set, and the 'pulumi config set --secret' lines for the rest
  coverage --stack NAME             what reaches Loki from each cluster, and the compliance mapping
  verify --stack NAME [--json]      read-only check of every k3s node over SSH: audit flags, policy hash, modes, log age
  verify --stack NAME --from T --to T
                                    tamper evidence: the signed digest chain against what Loki holds now, per window
  verify --digests DIR --events FILE --from T --to T
                                    the same offline, from a copy of the digests and an export of the events
  preview|up|refresh|destroy --stack NAME
                                    run the program on a stack (Automation API; needs the Pulumi CLI and credentials)

Run 'akko-audit <command> --help' for a command's options.`;

/** Runs the CLI; returns the exit code. Expected failures print one line, never a stack trace. */
export async function main(args: string[], out: Output = processOutput): Promise<number> {
    const [command, ...rest] = args;
    if (out === processOutput) exitQuietlyOnClosedPipe();
    try {
        switch (command) {
            case "policy":
                return await policyCommand(rest, out);
            case "normalize":
                return await normalizeCommand(rest, out);
            case "detect":
                return await detectCommand(rest, out);
            case "render":
                return await renderCommand(rest, out);
            case "plan":
                return await planCommand(rest, out);
            case "coverage":
                return coverageCommand(rest, out);
            case "secrets":
                return secretsCommand(rest, out);
            case "verify":
                return await verifyCommand(rest, out);
            case "preview":
            case "up":
            case "refresh":
            case "destroy": {
                // Loaded on demand: the Automation API is only needed by these commands.
                // require, not import(): the launcher registers tsx for CommonJS only.
                const { automationCommand } = require("./automation-commands") as typeof import("./automation-commands");
                return await automationCommand(command, rest, out);
            }
            case undefined:
                out.stderr(MAIN_HELP);
                return 2;
            case "help":
            case "--help":
            case "-h":
                out.stdout(MAIN_HELP);
                return 0;
            default:
                throw new CliError(
                    `unknown command ${JSON.stringify(command)}; allowed: render, policy, normalize, detect, plan, secrets, coverage, verify, preview, up, refresh, destroy (see akko-audit --help)`,
                );
        }
    } catch (e) {
        if (e instanceof CliError) {
            out.stderr(`akko-audit: ${e.message}`);
            return e.exitCode;
        }
        out.stderr(`akko-audit: internal error: ${(e as Error).message} (please report it)`);
        return 3;
    }
}
