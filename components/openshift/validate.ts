import { OPENSHIFT_GROUP, OPENSHIFT_PROFILES } from "../config/openshift";
import type { OpenShiftAuditProfileArgs } from "./audit-profile";

const PROFILES_TEXT = OPENSHIFT_PROFILES.join(" | ");

/** Problems with the args, one line each (config is validated before; this guards direct use). */
export function openShiftAuditProfileProblems(name: string, args: OpenShiftAuditProfileArgs): string[] {
    const where = `OpenShiftAuditProfile ${JSON.stringify(name)}`;
    const problems: string[] = [];
    const confirmed = args.confirmAuditingOff === true;
    if (args.profile !== undefined) {
        if (!(OPENSHIFT_PROFILES as readonly string[]).includes(args.profile))
            problems.push(`${where}: field profile: got ${JSON.stringify(args.profile)}; allowed: ${PROFILES_TEXT}`);
        else if (args.profile === "None" && !confirmed) {
            problems.push(
                `${where}: field profile: got "None"; allowed: Default | WriteRequestBodies | AllRequestBodies, or None with confirmAuditingOff: true (None turns API-server auditing off)`,
            );
        }
    }
    const seen = new Set<string>();
    (args.customRules ?? []).forEach((r, j) => {
        if (!OPENSHIFT_GROUP.test(r.group))
            problems.push(
                `${where}: field customRules[${j}].group: got ${JSON.stringify(r.group)}; allowed: a group name such as system:authenticated:oauth`,
            );
        else if (seen.has(r.group))
            problems.push(`${where}: field customRules[${j}].group: got ${JSON.stringify(r.group)}; allowed: a group not already listed`);
        seen.add(r.group);
        if (!(OPENSHIFT_PROFILES as readonly string[]).includes(r.profile))
            problems.push(`${where}: field customRules[${j}].profile: got ${JSON.stringify(r.profile)}; allowed: ${PROFILES_TEXT}`);
        else if (r.profile === "None" && !confirmed) {
            problems.push(
                `${where}: field customRules[${j}].profile: got "None"; allowed: Default | WriteRequestBodies | AllRequestBodies, or None with confirmAuditingOff: true (None turns auditing off for group ${JSON.stringify(r.group)})`,
            );
        }
    });
    return problems;
}

export function checkOpenShiftAuditProfileArgs(name: string, args: OpenShiftAuditProfileArgs): void {
    const problems = openShiftAuditProfileProblems(name, args);
    if (problems.length > 0) throw new Error(problems.join("\n"));
}
