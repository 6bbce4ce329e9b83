// Entry point of the CrossGuard policy pack: `pulumi preview --policy-pack policy/pack`. Constructing the
// PolicyPack starts the analyzer's gRPC server for the Pulumi engine, so nothing else imports this file
// (tests import ./policies and ./rules).
import { PolicyPack } from "@pulumi/policy";
import { POLICY_PACK_NAME, policies } from "./policies";

new PolicyPack(POLICY_PACK_NAME, { policies, enforcementLevel: "mandatory" });
