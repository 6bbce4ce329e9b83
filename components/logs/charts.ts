import { DEFAULT_ALLOY_CHART, DEFAULT_GRAFANA_CHART, DEFAULT_LOKI_CHART, LogsConfig } from "../config/logs";

export type ChartName = "loki" | "alloy" | "grafana";
const DEFAULTS = { loki: DEFAULT_LOKI_CHART, alloy: DEFAULT_ALLOY_CHART, grafana: DEFAULT_GRAFANA_CHART } as const;

/**
 * Where a chart comes from: its own config, else the air-gapped mirror, else upstream. For an oci://
 * repository the chart reference is the full OCI URL (Helm has no index there); for https:// it is the
 * chart name plus the repository.
 */
export function chartSource(logs: LogsConfig, name: ChartName): { chart: string; repo?: string; version: string } {
    const repository = logs.charts?.[name]?.repository ?? logs.mirrors.chartRepository ?? DEFAULTS[name].repository;
    const version = logs.charts?.[name]?.version ?? DEFAULTS[name].version;
    return repository.startsWith("oci://")
        ? { chart: `${repository.replace(/\/$/, "")}/${name}`, version }
        : { chart: name, repo: repository, version };
}
