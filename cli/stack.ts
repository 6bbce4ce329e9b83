import * as path from "node:path";
import { ConfigError } from "../components/config/errors";
import { readStackFile, StackFileError } from "../components/config/source";
import { validateDeployableStack } from "../components/deployable";
import { logsWarnings } from "../components/logs/requirements";
import { pulumiConfigSizeProblem } from "../components/plan/config-size";
import { StackConfig } from "../components/config/stack";
import { CliError } from "./errors";
import { Output } from "./output";

/**
 * Reads and validates Pulumi.<stack>.yaml for a command. An unreadable stack is a CliError (exit 2); bad
 * config prints every problem on its own line and returns the exit code 1 instead of a config.
 */
export function loadStackForCli(
    stack: string | undefined,
    projectDir: string | undefined,
    command: string,
    out: Output,
    opts: { allowUnsetSecrets?: boolean } = { allowUnsetSecrets: true },
): StackConfig | number {
    if (!stack) throw new CliError(`${command}: --stack NAME is required (see ${command} --help)`);
    try {
        // Offline: the secrets need not be set yet (`akko-audit secrets` lists them; `pulumi up` refuses without).
        const dir = path.resolve(projectDir ?? process.cwd());
        const config = validateDeployableStack(readStackFile(dir, stack), opts);
        for (const w of logsWarnings(config)) out.stderr(`warning: ${w}`);
        // The language host passes the whole config in one environment string: past Linux's limit `pulumi up`
        // cannot even start the program. Refused before a deployment; a warning for the offline commands.
        const size = pulumiConfigSizeProblem(dir, stack);
        if (size !== undefined) {
            if (opts.allowUnsetSecrets === false) {
                out.stderr(size);
                return 1;
            }
            out.stderr(`warning: ${size}`);
        }
        return config;
    } catch (e) {
        if (e instanceof StackFileError) throw new CliError(e.message);
        if (e instanceof ConfigError) {
            for (const p of e.problems) out.stderr(p);
            out.stderr(`stack ${stack}: ${e.problems.length} config problem(s); nothing was written`);
            return 1;
        }
        throw e;
    }
}
