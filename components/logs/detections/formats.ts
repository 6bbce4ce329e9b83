import { GKE_FIELDS, SourceFormat } from "../normalize/table";
import { DetectionRule } from "./model";

/**
 * Event fields each stored format can carry. native, aks and otlp carry the apiserver's Event whole; a GKE
 * LogEntry is mapped field by field (normalize/table.ts GKE_FIELDS), so what the table does not fill is never
 * in a GKE cluster's events (user.groups, impersonatedUser, requestURI, level...).
 */
function carries(format: SourceFormat, field: string): boolean {
    if (format !== "gke") return true;
    return GKE_FIELDS.some((m) => {
        const t = m.target.join(".");
        return field === t || field.startsWith(`${t}.`);
    });
}

/** The fields a rule cannot fire without that events stored from `format` never have (none: it can fire). */
export function missingFields(rule: DetectionRule, format: SourceFormat): string[] {
    return rule.needs.fields.filter((f) => !carries(format, f));
}
