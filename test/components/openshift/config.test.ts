import { strict as assert } from "node:assert";
import { configProblems, validateClusters } from "../../helpers/config";
import { openShiftSummary } from "../../../components/openshift/summary";

const BASE = { name: "ocp", kind: "openshift", kubeconfigSecret: "kc" };
const W = 'akko-audit:clusters[0] (cluster "ocp", kind openshift)';

function validate(cluster: Record<string, unknown>) {
    return validateClusters([cluster], ["kc"]);
}
function problems(cluster: Record<string, unknown>): string[] {
    return configProblems(() => validate(cluster));
}

describe("OpenShift config (customRules)", () => {
    it("defaults to WriteRequestBodies and no custom rules", () => {
        const [c] = validate(BASE).clusters;
        assert.ok(c.kind === "openshift");
        assert.deepEqual({ profile: c.profile, rules: c.customRules }, { profile: "WriteRequestBodies", rules: [] });
    });

    it("refuses an unknown rule profile, a repeated group, and None for a group without confirmation", () => {
        assert.deepEqual(problems({ ...BASE, customRules: [{ group: "dev", profile: "Loud" }] }), [
            `${W}: field customRules[0].profile: got "Loud"; allowed: Default | WriteRequestBodies | AllRequestBodies | None`,
        ]);
        assert.deepEqual(
            problems({
                ...BASE,
                customRules: [
                    { group: "dev", profile: "Default" },
                    { group: "dev", profile: "AllRequestBodies" },
                ],
            }),
            [`${W}: field customRules[1].group: got "dev"; allowed: a group not already listed (customRules[0] has it)`],
        );
        assert.deepEqual(problems({ ...BASE, customRules: [{ group: "system:serviceaccounts:batch", profile: "None" }] }), [
            `${W}: field customRules[0].profile: got "None"; allowed: Default | WriteRequestBodies | AllRequestBodies, or None with confirmAuditingOff: true (None turns auditing off for group "system:serviceaccounts:batch")`,
        ]);
        assert.equal(
            validate({ ...BASE, customRules: [{ group: "system:serviceaccounts:batch", profile: "None" }], confirmAuditingOff: true }).clusters
                .length,
            1,
        );
    });

    it("summarizes", () => {
        const [c] = validate({
            ...BASE,
            profile: "Default",
            customRules: [{ group: "system:authenticated:oauth", profile: "AllRequestBodies" }],
        }).clusters;
        assert.ok(c.kind === "openshift");
        assert.deepEqual(openShiftSummary(c), {
            cluster: "ocp",
            kind: "openshift",
            enabled: [
                "APIServer audit profile Default: metadata only for every request (no bodies)",
                "group system:authenticated:oauth: profile AllRequestBodies",
            ],
            cloudCopy: "the control-plane nodes' audit log files (rotated by OpenShift)",
            toLoki: "in-cluster Alloy reading the API servers' audit logs on the control-plane nodes",
            cloudRetentionDays: undefined,
            gaps: ["no request bodies: the dashboard shows who and what, not the changed content"],
        });
    });
});
