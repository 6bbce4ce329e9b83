import { strict as assert } from "node:assert";
import { LOG_GROUP_TYPE, logGroupRetentionPolicy, logGroupRetentionViolations } from "../../../../policy/pack/rules/log-group-retention";
import { analyze } from "../analyze";

const ALLOWED = "allowed: a number of days greater than 0 (unset or 0 keeps events forever)";

describe("policy pack: log-group-retention-set", () => {
    it("passes a log group with a retention in days", () => {
        assert.deepEqual(logGroupRetentionViolations("payments-eu-log-group", { retentionInDays: 30 }), []);
        assert.deepEqual(logGroupRetentionViolations("x", { retentionInDays: 1 }), []);
    });

    it("fails unset, 0 (never expire), negative and fractional retention, with the exact message", () => {
        assert.deepEqual(logGroupRetentionViolations("payments-eu-log-group", {}), [
            `aws:cloudwatch/logGroup:LogGroup "payments-eu-log-group": retentionInDays: got missing; ${ALLOWED}`,
        ]);
        assert.deepEqual(logGroupRetentionViolations("g", { retentionInDays: 0 }), [
            `aws:cloudwatch/logGroup:LogGroup "g": retentionInDays: got 0; ${ALLOWED}`,
        ]);
        assert.deepEqual(logGroupRetentionViolations("g", { retentionInDays: -7 }), [
            `aws:cloudwatch/logGroup:LogGroup "g": retentionInDays: got -7; ${ALLOWED}`,
        ]);
        assert.deepEqual(logGroupRetentionViolations("g", { retentionInDays: 1.5 }), [
            `aws:cloudwatch/logGroup:LogGroup "g": retentionInDays: got 1.5; ${ALLOWED}`,
        ]);
    });

    it("passes DELIVERY-class groups, whose retention AWS fixes at 2 days", () => {
        assert.deepEqual(logGroupRetentionViolations("vended", { logGroupClass: "DELIVERY" }), []);
        assert.equal(logGroupRetentionViolations("std", { logGroupClass: "STANDARD" }).length, 1);
    });

    it("is wired to exactly aws:cloudwatch/logGroup:LogGroup through the analyzer", async () => {
        assert.equal(LOG_GROUP_TYPE, "aws:cloudwatch/logGroup:LogGroup");
        assert.deepEqual((await analyze(logGroupRetentionPolicy, LOG_GROUP_TYPE, "lg", { name: "/aws/eks/x/cluster" })).violations, [
            `aws:cloudwatch/logGroup:LogGroup "lg": retentionInDays: got missing; ${ALLOWED}`,
        ]);
        assert.deepEqual(await analyze(logGroupRetentionPolicy, LOG_GROUP_TYPE, "lg", { retentionInDays: 90 }), { violations: [] });
        assert.equal(
            (await analyze(logGroupRetentionPolicy, "aws:s3/bucket:Bucket", "b", {})).notApplicable,
            "Policy only applies to resources of type 'aws:cloudwatch/logGroup:LogGroup'",
        );
    });
});
