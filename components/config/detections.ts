import { z } from "zod";
import { allowed, intInRange, strictObject } from "./fields";

/** A Prometheus/Loki duration the ruler reads: a number and one unit (s, m, h). */
const DURATION = /^[1-9][0-9]{0,4}(s|m|h)$/;

/**
 * A principal pattern: a regular expression over the user name, fully anchored as LogQL's `=~` is, in the
 * subset RE2 (Loki) and JavaScript (`akko-audit detect`) read the same way: no lookaround, no
 * backreferences, no named groups; no backtick (the rule files quote patterns with backticks).
 */
const principalPattern = z
    .string(allowed("a regular expression over user names, such as system:serviceaccount:kube-system:.*"))
    .min(1, allowed("a regular expression over user names, such as system:serviceaccount:kube-system:.*"))
    .refine((p) => {
        if (/`|\(\?[=!<]|\\[1-9]|\(\?P?</.test(p)) return false;
        try {
            new RegExp(p);
            return true;
        } catch {
            return false;
        }
    }, allowed("a regular expression in the RE2/JavaScript common subset: no backtick, lookaround, backreference or named group"));

const duration = (example: string) =>
    z
        .string(allowed(`a duration such as ${example} (a number and s, m or h)`))
        .regex(DURATION, allowed(`a duration such as ${example} (a number and s, m or h)`));

/** Users that change RBAC as part of running the cluster (controllers, the API server's bootstrap). */
export const DEFAULT_RBAC_WRITERS = ["system:apiserver", "system:kube-controller-manager", "system:serviceaccount:kube-system:.+"];
/** Users that read Secrets as part of running the cluster. */
export const DEFAULT_SECRET_READERS = [
    "system:apiserver",
    "system:kube-controller-manager",
    "system:kube-scheduler",
    "system:serviceaccount:kube-system:.+",
    "system:node:.+",
];
export const DEFAULT_ENUMERATION = { threshold: 20, window: "5m" } as const;
export const DEFAULT_SILENCE_AFTER = "15m";

export const DetectionsSchema = strictObject({
    /** Users allowed to change RBAC without an alert (regular expressions, fully anchored). Default: the API server, the controller manager, kube-system service accounts. */
    rbacWriters: z.array(principalPattern, allowed("a list of user-name patterns")).default([...DEFAULT_RBAC_WRITERS]),
    /** Users whose Secret reads are expected (regular expressions, fully anchored). Default: the control plane, kube-system service accounts, nodes. */
    secretReaders: z.array(principalPattern, allowed("a list of user-name patterns")).default([...DEFAULT_SECRET_READERS]),
    /** Denied answers (401/403) from one user or source IP within window that make an enumeration alert. Default 20 in 5m. */
    enumeration: strictObject({
        /** Denied answers that make an alert. Default 20. */
        threshold: intInRange(2, 100000, "denied requests").default(DEFAULT_ENUMERATION.threshold),
        /** The window they are counted in. Default 5m. */
        window: duration("5m").default(DEFAULT_ENUMERATION.window),
    }).prefault({}),
    /** How long a cluster (or k3s server) may send no audit event before the audit-silence alert fires. Default 15m. */
    silenceAfter: duration("15m").default(DEFAULT_SILENCE_AFTER),
    /** Rule ids not to deploy (see `akko-audit detect --list`). Default none. */
    disabled: z.array(z.string(allowed("a detection rule id")), allowed("a list of detection rule ids")).default([]),
});

export type DetectionsConfig = z.infer<typeof DetectionsSchema>;
