/** Milliseconds per unit of the durations the config, the rules and the tools read (Prometheus's units). */
export const DURATION_UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export type DurationUnit = keyof typeof DURATION_UNIT_MS;

const ALL_UNITS = Object.keys(DURATION_UNIT_MS) as DurationUnit[];

/** "<digits><unit>" in milliseconds when its unit is one of `units`; undefined when the text is not one. */
export function parseDuration(text: string, units: readonly DurationUnit[] = ALL_UNITS): number | undefined {
    const m = /^(\d+)(ms|s|m|h|d)$/.exec(text);
    if (!m || !units.includes(m[2] as DurationUnit)) return undefined;
    return Number(m[1]) * DURATION_UNIT_MS[m[2] as DurationUnit];
}
