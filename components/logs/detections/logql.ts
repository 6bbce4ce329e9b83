import { DetectionRule, FieldMatch, Matcher } from "./model";

/** Every audit stream: each cluster's lines carry job="<kind>-audit" (components/logs/labels.ts). */
export const AUDIT_SELECTOR = '{job=~".+-audit"}';

/** Labels every single-event alert is grouped by, so one alert names who did what to which object. */
export const HIT_LABELS = [
    "cluster",
    "user_username",
    "verb",
    "objectRef_namespace",
    "objectRef_resource",
    "objectRef_subresource",
    "objectRef_name",
];

/** How long a single-event rule looks back at each evaluation (the ruler evaluates every minute). */
export const HIT_WINDOW = "5m";

/** A LogQL string literal: a raw backtick string unless the value holds a backtick. */
export function logqlString(value: string): string {
    return value.includes("`") ? JSON.stringify(value) : `\`${value}\``;
}

function fieldFilter(m: FieldMatch): string {
    return `${m.field}${m.op}${logqlString(m.value)}`;
}

function expression(m: Matcher, top: boolean): string {
    if ("field" in m) return fieldFilter(m);
    if ("all" in m) {
        const parts = m.all.map((x) => expression(x, false));
        return top ? parts.join(" | ") : `(${parts.join(" and ")})`;
    }
    const parts = m.any.map((x) => expression(x, false));
    return top ? parts.join(" or ") : `(${parts.join(" or ")})`;
}

/** The rule's logic as LogQL label-filter stages, after `| json`. */
export function labelFilters(m: Matcher): string {
    return expression(m, true);
}

/** The log query that selects a rule's events (the Explore link of an alert, the dashboard panels). */
export function ruleLogQuery(rule: DetectionRule, selector = AUDIT_SELECTOR): string {
    return `${selector} | json | __error__="" | ${labelFilters(rule.match)}`;
}

/**
 * The alert expression: a metric query over the log query. Single-event rules count matches per actor and
 * object over HIT_WINDOW (> 0 fires); counted rules compare the count per `by` within their window.
 */
export function ruleAlertExpr(rule: DetectionRule, selector = AUDIT_SELECTOR): string {
    const t = rule.threshold;
    const by = t ? ["cluster", ...t.by] : HIT_LABELS;
    const window = t ? t.window : HIT_WINDOW;
    const cmp = t ? `>= ${t.count}` : "> 0";
    return `sum by (${by.join(", ")}) (count_over_time(${ruleLogQuery(rule, selector)} [${window}])) ${cmp}`;
}
