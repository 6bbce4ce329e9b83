import { parseArgs } from "node:util";
import {
    attributesFromEvent,
    EventShapeError,
    lintPolicy,
    parsePolicy,
    Policy,
    PolicyError,
    PolicyEvaluator,
    PolicySyntaxError,
    simulate,
} from "../policy/engine";
import { readAuditEvents } from "../components/logs/normalize/reader";
import { CliError } from "./errors";
import { openInput, readInputFile, SHIPPED_POLICY } from "./io";
import { Output } from "./output";

export const POLICY_HELP = `Usage: akko-audit policy <check|explain|simulate> [options]

  check     Validate a policy as kube-apiserver would, then lint it. Exit 0 clean, 1 findings.
  explain   Show which rule and level apply to one request.
  simulate  Replay an audit log (JSON lines) through the policy and report what would be written.

Each takes --policy FILE (default: the shipped policy/audit-policy.yaml). See 'akko-audit policy <command> --help'.`;

const CHECK_HELP = `Usage: akko-audit policy check [--policy FILE]

Validates the policy exactly as kube-apiserver loads it (audit.k8s.io/v1 only), then checks the product's
invariants: no rule logs bodies of Secrets, ConfigMaps, serviceaccounts/token or token/access reviews;
pods/exec, attach and portforward are never at level None; no rule is shadowed by earlier ones; no field is
silently ignored. Prints one line per finding, naming the rule index.
Exit: 0 clean, 1 findings, 2 unreadable input.`;

const EXPLAIN_HELP = `Usage: akko-audit policy explain [--policy FILE] --request JSON

JSON is an audit Event (or the part the policy reads): user{username,groups}, verb,
objectRef{apiGroup,resource,subresource,namespace,name}, or requestURI for a non-resource request; leave
out user for an unauthenticated request. Use --request @FILE to read it from a file.
Prints {"level", "rule" (0-based index or null), "omitStages", "omitManagedFields"}.`;

const SIMULATE_HELP = `Usage: akko-audit policy simulate [--policy FILE] --log FILE

Replays an audit log (FILE '-' reads stdin) through the policy, streaming. It reads what 'akko-audit
normalize' reads (see normalize --help): JSON lines or one JSON document, in every export format listed there.
Prints JSON: events read, decisions and kept events per level, hits per rule, invalid lines (counted, a
few quoted), bytes of the input and bytes kube-apiserver would write under this policy.`;

/** Loads a policy file for a command: unreadable or non-YAML input is a CliError (exit 2). */
export function loadPolicyFile(file: string): { policy?: Policy; problems?: string[] } {
    const text = readInputFile(file, "--policy");
    try {
        return { policy: parsePolicy(text) };
    } catch (e) {
        if (e instanceof PolicySyntaxError) throw new CliError(`--policy ${file}: ${e.message}`);
        if (e instanceof PolicyError) return { problems: e.problems };
        throw e;
    }
}

function requirePolicy(file: string): Policy {
    const { policy, problems } = loadPolicyFile(file);
    if (!policy) throw new CliError(`--policy ${file}: kube-apiserver would refuse it: ${problems!.join("; ")}`);
    return policy;
}

export async function policyCommand(args: string[], out: Output): Promise<number> {
    const [sub, ...rest] = args;
    switch (sub) {
        case "check":
            return check(rest, out);
        case "explain":
            return explain(rest, out);
        case "simulate":
            return simulateCommand(rest, out);
        case undefined:
        case "help":
        case "--help":
        case "-h":
            out.stdout(POLICY_HELP);
            return sub === undefined ? 2 : 0;
        default:
            throw new CliError(`policy ${sub}: unknown command; allowed: check, explain, simulate`);
    }
}

export function parseOptions<T extends Record<string, { type: "string" | "boolean" }>>(command: string, args: string[], options: T) {
    try {
        return parseArgs({ args, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: false, strict: true }).values as {
            [K in keyof T]?: T[K]["type"] extends "string" ? string : boolean;
        } & { help?: boolean };
    } catch (e) {
        throw new CliError(`${command}: ${(e as Error).message.split("\n")[0]} (see ${command} --help)`);
    }
}

function check(args: string[], out: Output): number {
    const opts = parseOptions("policy check", args, { policy: { type: "string" } });
    if (opts.help) return (out.stdout(CHECK_HELP), 0);
    const file = opts.policy ?? SHIPPED_POLICY;
    const { policy, problems } = loadPolicyFile(file);
    if (!policy) {
        for (const p of problems!) out.stdout(`${file}: invalid: ${p}`);
        out.stderr(`${problems!.length} problem(s): kube-apiserver would refuse to start with this policy`);
        return 1;
    }
    const findings = lintPolicy(policy);
    for (const f of findings) out.stdout(`${file}: ${f.check}: ${f.message}`);
    if (findings.length > 0) {
        out.stderr(`${findings.length} finding(s)`);
        return 1;
    }
    out.stdout(`${file}: ok (${policy.rules.length} rules)`);
    return 0;
}

function explain(args: string[], out: Output): number {
    const opts = parseOptions("policy explain", args, { policy: { type: "string" }, request: { type: "string" } });
    if (opts.help) return (out.stdout(EXPLAIN_HELP), 0);
    if (opts.request === undefined) throw new CliError("policy explain: --request JSON is required (see policy explain --help)");
    const policy = requirePolicy(opts.policy ?? SHIPPED_POLICY);
    const text = opts.request.startsWith("@") ? readInputFile(opts.request.slice(1), "--request") : opts.request;
    let event: unknown;
    try {
        event = JSON.parse(text);
    } catch (e) {
        throw new CliError(`--request: not valid JSON: ${(e as Error).message}`);
    }
    let attrs;
    try {
        attrs = attributesFromEvent(event);
    } catch (e) {
        if (e instanceof EventShapeError) throw new CliError(`--request: ${e.message}`);
        throw e;
    }
    out.stdout(JSON.stringify(new PolicyEvaluator(policy).evaluate(attrs)));
    return 0;
}

async function simulateCommand(args: string[], out: Output): Promise<number> {
    const opts = parseOptions("policy simulate", args, { policy: { type: "string" }, log: { type: "string" } });
    if (opts.help) return (out.stdout(SIMULATE_HELP), 0);
    if (opts.log === undefined) throw new CliError("policy simulate: --log FILE is required ('-' for stdin; see policy simulate --help)");
    const policyFile = opts.policy ?? SHIPPED_POLICY;
    const policy = requirePolicy(policyFile);
    const input = openInput(opts.log, "--log");
    let report;
    try {
        report = await simulate(policy, input, { read: readAuditEvents });
    } catch (e) {
        throw new CliError(`--log ${opts.log}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    out.stdout(JSON.stringify({ policy: policyFile, log: opts.log, ...report }, null, 2));
    return 0;
}
