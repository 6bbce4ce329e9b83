import { z } from "zod";
import { allowed, intInRange, oneOf, strictObject } from "./fields";

export const LOKI_MODES = ["SingleBinary", "SimpleScalable"] as const;
export type LokiMode = (typeof LOKI_MODES)[number];
export const DEFAULT_LOKI_MODE: LokiMode = "SingleBinary";
export const DEFAULT_LOKI_RETENTION_DAYS = 30;

const REGISTRY = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d+)?(\/[a-z0-9._-]+)*$/;
const CHART_REPO = /^(oci|https?):\/\/[^\s]+$/;

export const MirrorsSchema = strictObject({
    /** Registry that serves every image (air-gapped sites), e.g. registry.internal:5000/mirror. Default: upstream. */
    imageRegistry: z.string(allowed("a registry host[:port][/path] such as registry.internal:5000/mirror")).regex(REGISTRY, allowed("a registry host[:port][/path] such as registry.internal:5000/mirror")).optional(),
    /** Helm chart repository that serves every chart, oci:// or https://. Default: upstream. */
    chartRepository: z.string(allowed("an oci:// or https:// chart repository URL")).regex(CHART_REPO, allowed("an oci:// or https:// chart repository URL")).optional(),
});

export const LogsSchema = strictObject({
    /** Days Loki keeps audit events (compactor-enforced). Default 30. */
    retentionDays: intInRange(1, 3650, "days").default(DEFAULT_LOKI_RETENTION_DAYS),
    /** SingleBinary (filesystem, no object store) or SimpleScalable (object storage). Default SingleBinary. */
    mode: oneOf(LOKI_MODES).default(DEFAULT_LOKI_MODE),
    /** Image and chart mirrors for air-gapped sites. Default: none (upstream). */
    mirrors: MirrorsSchema.default({}),
});

export type LogsConfig = z.infer<typeof LogsSchema>;
