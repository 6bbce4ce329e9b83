/**
 * One violation line, in the same shape as the config errors (components/config/errors.ts): which
 * resource, the field, what it got and what is allowed. The pack imports nothing outside policy/pack, so
 * it can be published on its own (`pulumi policy publish`); the values shown here are log types and
 * numbers, never secrets.
 */
export function violation(type: string, name: string, field: string, got: unknown, allowed: string): string {
    return `${type} ${JSON.stringify(name)}: ${field}: got ${got === undefined ? "missing" : JSON.stringify(got)}; allowed: ${allowed}`;
}
