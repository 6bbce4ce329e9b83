import { strict as assert } from "node:assert";
import { gkeDataAccessPolicy, gkeDataAccessViolations, IAM_AUDIT_CONFIG_TYPE } from "../../../../policy/pack/rules/gke-data-access";
import { analyze } from "../analyze";

const cfg = (...types: string[]) => types.map((logType) => ({ logType }));
const msg = (name: string, got: string, missing: string) =>
    `gcp:projects/iAMAuditConfig:IAMAuditConfig "${name}": auditLogConfigs[].logType: got ${got}; allowed: log types that include DATA_READ and DATA_WRITE for container.googleapis.com (missing ${missing}: without them the Data Access log lacks the Kubernetes API operations that read or write resource data)`;

describe("policy pack: gke-data-access-logs", () => {
    it("passes container.googleapis.com with DATA_READ and DATA_WRITE (ADMIN_READ optional, exemptions allowed)", () => {
        assert.deepEqual(
            gkeDataAccessViolations("analytics-data-access", {
                service: "container.googleapis.com",
                auditLogConfigs: cfg("ADMIN_READ", "DATA_READ", "DATA_WRITE"),
            }),
            [],
        );
        assert.deepEqual(
            gkeDataAccessViolations("a", {
                service: "container.googleapis.com",
                auditLogConfigs: [
                    { logType: "DATA_WRITE" },
                    { logType: "DATA_READ", exemptedMembers: ["serviceAccount:ci@p.iam.gserviceaccount.com"] },
                ],
            }),
            [],
        );
    });

    it("fails when DATA_READ or DATA_WRITE is missing, naming what is missing", () => {
        assert.deepEqual(
            gkeDataAccessViolations("analytics-data-access", { service: "container.googleapis.com", auditLogConfigs: cfg("ADMIN_READ") }),
            [msg("analytics-data-access", '["ADMIN_READ"]', "DATA_READ, DATA_WRITE")],
        );
        assert.deepEqual(gkeDataAccessViolations("a", { service: "container.googleapis.com", auditLogConfigs: cfg("DATA_WRITE") }), [
            msg("a", '["DATA_WRITE"]', "DATA_READ"),
        ]);
        assert.deepEqual(gkeDataAccessViolations("a", { service: "container.googleapis.com" }), [msg("a", "[]", "DATA_READ, DATA_WRITE")]);
    });

    it("ignores audit configs of other services", () => {
        assert.deepEqual(gkeDataAccessViolations("storage", { service: "storage.googleapis.com", auditLogConfigs: cfg("ADMIN_READ") }), []);
        assert.deepEqual(gkeDataAccessViolations("all", { service: "allServices", auditLogConfigs: [] }), []);
    });

    it("is wired to exactly gcp:projects/iAMAuditConfig:IAMAuditConfig through the analyzer", async () => {
        assert.equal(IAM_AUDIT_CONFIG_TYPE, "gcp:projects/iAMAuditConfig:IAMAuditConfig");
        const r = await analyze(gkeDataAccessPolicy, IAM_AUDIT_CONFIG_TYPE, "analytics-data-access", {
            project: "akko-analytics-prod",
            service: "container.googleapis.com",
            auditLogConfigs: cfg("DATA_READ"),
        });
        assert.deepEqual(r.violations, [msg("analytics-data-access", '["DATA_READ"]', "DATA_WRITE")]);
        assert.equal(
            (await analyze(gkeDataAccessPolicy, "gcp:projects/iAMMember:IAMMember", "m", {})).notApplicable,
            "Policy only applies to resources of type 'gcp:projects/iAMAuditConfig:IAMAuditConfig'",
        );
    });
});
