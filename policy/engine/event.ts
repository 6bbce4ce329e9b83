import { RequestAttributes } from "./types";

/**
 * Thrown when a JSON value is not usable as an audit Event. The message says which field is wrong.
 */
export class EventShapeError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "EventShapeError";
    }
}

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(o: Obj, key: string, where: string): string {
    const v = o[key];
    if (v === undefined || v === null) return "";
    if (typeof v !== "string") throw new EventShapeError(`${where}${key} must be a string, got ${JSON.stringify(v)}`);
    return v;
}

/**
 * What the policy sees of a recorded audit Event (audit.k8s.io/v1, or the older shapes that share its fields).
 * `user` is the authenticated user: kube-apiserver evaluates the policy before impersonation, so
 * `impersonatedUser` is deliberately ignored. An absent `objectRef` (or one without `resource`) is a
 * non-resource request whose path is `requestURI` without its query string.
 */
export function attributesFromEvent(event: unknown): RequestAttributes {
    if (!isObject(event)) throw new EventShapeError("an audit Event must be a JSON object");
    if (event.kind !== undefined && event.kind !== "Event") {
        throw new EventShapeError(`kind must be "Event", got ${JSON.stringify(event.kind)}`);
    }
    const verb = event.verb;
    if (typeof verb !== "string" || verb === "") throw new EventShapeError('verb is required (a string such as "get")');
    const out: RequestAttributes = { verb, path: "" };

    const user = event.user;
    if (user !== undefined && user !== null) {
        if (!isObject(user)) throw new EventShapeError("user must be an object {username, groups}");
        const groups = user.groups ?? [];
        if (!Array.isArray(groups) || groups.some((g) => typeof g !== "string")) {
            throw new EventShapeError("user.groups must be a list of strings");
        }
        out.user = { username: str(user, "username", "user."), groups: groups as string[] };
    }

    const uri = event.requestURI;
    if (uri !== undefined && uri !== null && typeof uri !== "string") {
        throw new EventShapeError("requestURI must be a string");
    }
    const q = typeof uri === "string" ? uri.indexOf("?") : -1;
    out.path = typeof uri === "string" ? (q >= 0 ? uri.slice(0, q) : uri) : "";

    const ref = event.objectRef;
    if (ref !== undefined && ref !== null) {
        if (!isObject(ref)) throw new EventShapeError("objectRef must be an object");
        const resource = str(ref, "resource", "objectRef.");
        if (resource !== "") {
            out.resource = {
                // The real serializer omits apiGroup for the core group; absent and "" are the same.
                apiGroup: str(ref, "apiGroup", "objectRef."),
                resource,
                subresource: str(ref, "subresource", "objectRef."),
                namespace: str(ref, "namespace", "objectRef."),
                name: str(ref, "name", "objectRef."),
            };
        }
    }
    if (out.resource === undefined && out.path === "") {
        throw new EventShapeError("a non-resource request needs requestURI (and a resource request objectRef.resource)");
    }
    return out;
}
