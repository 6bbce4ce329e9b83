import { K3S_CLUSTER_TYPE, K3S_SERVER_TYPE } from "../k3s/describe";
import { computeSteps, destructiveReplaceProblems, Registration, Step, StepOp } from "./steps";

/** A step with what it does on the fleet, in plain words. */
export interface FleetStep extends Step {
    effect: string;
    warnings: string[];
}

export interface ChangePreview {
    stack: string;
    base: string;
    head: string;
    /** Count of custom-resource steps by operation. */
    counts: Record<StepOp, number>;
    /** Every step of a custom resource other than "same", in the engine's order (deletes last). */
    steps: FleetStep[];
    /** Engine errors (conflicting aliases) and broken safety rules; non-empty means do not deploy. */
    errors: string[];
    warnings: string[];
}

const urnName = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/** "cluster/host" for a resource under a k3s node component (0.1.0's position names said as such). */
function nodeLabel(r: Registration, byUrn: Map<string, Registration>): string | undefined {
    const node = byUrn.get(r.parent);
    if (!node || node.type !== K3S_SERVER_TYPE) return undefined;
    const cluster = byUrn.get(node.parent);
    const clusterName = cluster && cluster.type === K3S_CLUSTER_TYPE ? cluster.name : "";
    const rest = clusterName && node.name.startsWith(`${clusterName}-`) ? node.name.slice(clusterName.length + 1) : node.name;
    const legacy = /^server-(\d+)$/.exec(rest);
    return legacy ? `${clusterName}/server #${legacy[1]} (0.1.0 name; host held as a secret)` : `${clusterName}/${rest}`;
}

const RESTORE = "puts back the node's files from before akko-audit and restarts k3s (audit logging off on that node)";

/** The policy hash an apply carries: in its command ('AKKO_POLICY_HASH=<hex>'), or 0.1.0's first trigger. */
function policyHashOf(r: Registration | undefined): string | undefined {
    const inCommand = /'AKKO_POLICY_HASH=([0-9a-f]{64})'/.exec(String(r?.inputs.create ?? ""))?.[1];
    const trigger = (r?.inputs.triggers as unknown[] | undefined)?.[0];
    return inCommand ?? (typeof trigger === "string" && /^[0-9a-f]{64}$/.test(trigger) ? trigger : undefined);
}

function describe(step: Step, r: Registration, byUrn: Map<string, Registration>, policyChanged: () => boolean): string {
    const input = (k: string) => r.inputs[k];
    const label = nodeLabel(r, byUrn);
    if (r.type === "command:remote:Command" && label) {
        if (r.name.endsWith("-apply")) {
            switch (step.op) {
                case "create":
                    return `applies audit logging on ${label}: installs the policy and drop-in, restarts k3s`;
                case "update":
                    if (policyChanged()) return `updates ${label} in place: restarts k3s (the policy or drop-in changed)`;
                    return `updates ${label} in place: no restart (policy and drop-in unchanged; scripts, manifests, command or connection changed)`;
                case "replace":
                    return step.deleteBeforeReplace
                        ? `REPLACES the apply on ${label}: first runs the delete script (${RESTORE}), then applies again`
                        : `REPLACES the apply on ${label}: applies again, then runs the old one's delete script, which ${RESTORE}`;
                case "delete":
                    return `runs the delete script on ${label}: ${RESTORE}`;
                case "discard":
                    return `forgets ${label} without running its delete script (retainOnDelete)`;
                default:
                    return `${step.op} ${label}`;
            }
        }
        // 0.1.x and 0.2.x ran a separate preflight command (now part of the apply).
        if (step.op === "delete") return `forgets the preflight of ${label} (it has no delete script: nothing runs)`;
        return `${step.op === "create" ? "runs" : "runs again"} the preflight on ${label} (k3s version, sudo, stage directory)`;
    }
    if (r.type === "command:remote:CopyToRemote" && label) {
        const what = r.name.slice(r.name.lastIndexOf("-") + 1);
        if (what === "bundle") {
            if (step.op === "delete") return `forgets the bundle upload of ${label} (nothing runs; the apply's delete removes the files)`;
            return `uploads the bundle (scripts, policy, drop-in, manifests) to ${label}'s stage directory${step.op === "replace" ? " (replaced: uploads again)" : ""}`;
        }
        // The uploads of 0.1.x and 0.2.x (one per file).
        if (step.op === "delete") return `forgets the ${what} upload of ${label} (the staged file stays until the next apply; nothing runs)`;
        return `uploads the ${what} to ${label}'s stage directory${step.op === "replace" ? " (replaced: uploads again)" : ""}`;
    }
    const cluster = `${input("clusterName") ?? urnName(r.urn)}`;
    switch (r.type) {
        case "pulumi-nodejs:dynamic/akko-audit:EksClusterLogging":
            if (step.op === "delete")
                return `puts back the EKS log types found before on ${cluster} (${input("region")}): audit logging off unless it was on before`;
            if (step.op === "replace")
                return `moves EKS logging to another cluster: puts back ${cluster}'s earlier log types, then turns them on for the new one`;
            return `${step.op === "create" ? "turns on" : "changes"} EKS control-plane logs (${(input("logTypes") as string[] | undefined)?.join(", ")}) on ${cluster} (${input("region")})`;
        case "pulumi-nodejs:dynamic/akko-audit:GkeClusterLogging": {
            const components = (input("components") as string[] | undefined)?.join(", ") ?? "API_SERVER";
            if (step.op === "delete") return `turns ${components} logging off on gke ${cluster} (the components it turned on)`;
            if (step.op === "replace") return `moves GKE logging to another cluster: turns it off on the old one first`;
            return `${step.op === "create" ? "turns on" : "changes"} ${components} logging on gke ${cluster}`;
        }
        case "gcp:projects/iAMAuditConfig:IAMAuditConfig":
            if (step.op === "delete")
                return `removes the Data Access audit config of ${input("service")} in project ${input("project")} (reads stop being logged)`;
            break;
        case "pulumi-nodejs:dynamic/akko-audit:GkeDataAccessBaseline":
            if (step.op === "create")
                return `records the Data Access audit config of ${input("service")} in project ${input("project")} as it is now (put back on delete)`;
            if (step.op === "delete")
                return `puts back the Data Access audit config of ${input("service")} in project ${input("project")} recorded before akko-audit`;
            break;
        case "azure-native:monitor:DiagnosticSetting":
            if (step.op === "delete") return `deletes diagnostic setting ${input("name")}: the AKS cluster stops exporting its audit logs`;
            break;
        case "kubernetes:config.openshift.io/v1:APIServerPatch":
            if (step.op === "delete") return `removes the audit profile patch: the OpenShift cluster goes back to its earlier profile`;
            break;
    }
    const verb: Record<StepOp, string> = {
        create: "creates",
        import: "imports",
        update: "updates",
        replace: "replaces",
        delete: "deletes",
        discard: "forgets (retainOnDelete)",
        same: "keeps",
    };
    return `${verb[step.op]} ${r.type} ${r.name}`;
}

/**
 * The change preview of `pulumi up`: the engine's steps from `base` (a state's registrations) to `head`
 * (what the program registers now), each said in plain words, and the safety rules checked on `head`.
 */
export function changePreview(
    base: { label: string; resources: Registration[] },
    head: { label: string; resources: Registration[] },
    at: { project: string; stack: string },
): ChangePreview {
    const { steps, errors } = computeSteps(base.resources, head.resources, at);
    const oldByUrn = new Map(base.resources.map((r) => [r.urn, r]));
    const newByUrn = new Map(head.resources.map((r) => [r.urn, r]));
    const counts: Record<StepOp, number> = { create: 0, import: 0, update: 0, replace: 0, delete: 0, discard: 0, same: 0 };
    const warnings: string[] = [];
    // The engine stops on these: errors, not warnings.
    const blocked: string[] = [];
    const out: FleetStep[] = [];
    for (const s of steps) {
        if (!s.custom) continue;
        counts[s.op]++;
        if (s.op === "same") continue;
        const isOld = s.op === "delete" || s.op === "discard";
        const r = isOld ? oldByUrn.get(s.urn)! : newByUrn.get(s.urn)!;
        const byUrn = isOld ? oldByUrn : newByUrn;
        // An apply's update restarts k3s when the policy hash in its command changes (unknown: say it may).
        const policyChanged = () => {
            const before = policyHashOf(oldByUrn.get(s.from ?? s.urn));
            return before === undefined || before !== policyHashOf(r);
        };
        const stepWarnings: string[] = [];
        if (s.blockedByProtect) {
            stepWarnings.push(`the engine refuses this step: ${s.urn} is protected`);
            blocked.push(
                `${s.urn}: protected, the engine refuses to ${s.op === "delete" ? "delete" : "replace"} it; allowed: set allowAuditOff: true on its cluster and \`pulumi up\` first (README: What destroy keeps)`,
            );
        }
        if (s.providerUnknown) stepWarnings.push(`${r.type}'s own diff is not modelled offline: its provider may replace it`);
        if (s.from && r.type === "command:remote:Command") {
            const old = oldByUrn.get(s.from)!;
            if (JSON.stringify(old.inputs.connection) !== JSON.stringify(r.inputs.connection)) {
                stepWarnings.push(
                    `adopted through an alias from ${urnName(s.from)}, whose connection differs: if that was another host, the old host is never cleaned up (keep the order 0.1.0 last applied for the first up, then reorder)`,
                );
            }
        }
        out.push({ ...s, effect: describe(s, r, byUrn, policyChanged), warnings: stepWarnings });
        // A protected step is in the errors already.
        warnings.push(...stepWarnings.filter((w) => !s.blockedByProtect || w !== stepWarnings[0]).map((w) => `${urnName(s.urn)}: ${w}`));
    }
    return {
        stack: at.stack,
        base: base.label,
        head: head.label,
        counts,
        steps: out,
        errors: [...errors, ...destructiveReplaceProblems(head.resources), ...blocked],
        warnings,
    };
}

const SIGN: Record<StepOp, string> = { create: "+", import: "=", update: "~", replace: "+-", delete: "-", discard: "-", same: " " };

/** The change preview for a reviewer (and the fork-PR comment). */
export function changePreviewText(p: ChangePreview): string {
    const c = p.counts;
    const lines = [
        `Change preview for stack ${p.stack}: ${p.base} -> ${p.head}`,
        `(offline: the program as the Pulumi language host runs it, under the SDK's mocks; steps by the engine's rules)`,
        `${c.create} to create, ${c.import} to import, ${c.update} to update in place, ${c.replace} to replace, ${c.delete} to delete, ${c.discard} to forget, ${c.same} unchanged`,
    ];
    if (p.steps.length === 0) lines.push("", "No changes: `pulumi up` would run nothing on the fleet.");
    else
        lines.push(
            "",
            ...p.steps.map(
                (s) =>
                    `${SIGN[s.op].padEnd(2)} ${s.effect}${s.replaceBecause.length > 0 ? `  [replace because ${s.replaceBecause.join(", ")} changed]` : ""}`,
            ),
        );
    if (p.warnings.length > 0) lines.push("", "Warnings:", ...p.warnings.map((w) => `  ${w}`));
    if (p.errors.length > 0) lines.push("", "Errors (do not deploy):", ...p.errors.map((e) => `  ${e}`));
    return lines.join("\n");
}
