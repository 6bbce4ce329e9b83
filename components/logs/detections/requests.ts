import type { RequestAttributes } from "../../../policy/engine";

/** The person a rule's sample requests come from. */
export const HUMAN = { username: "mallory@example.com", groups: ["developers", "system:authenticated"] };
export const ANONYMOUS = { username: "system:anonymous", groups: ["system:unauthenticated"] };

/** A resource request, as the policy sees it, for a rule's needs. */
export function request(
    verb: string,
    apiGroup: string,
    resource: string,
    opts: { subresource?: string; namespace?: string; name?: string; user?: RequestAttributes["user"] } = {},
): RequestAttributes {
    return {
        verb,
        user: opts.user ?? HUMAN,
        path: "",
        resource: { apiGroup, resource, subresource: opts.subresource ?? "", namespace: opts.namespace ?? "shop", name: opts.name ?? "web-0" },
    };
}
