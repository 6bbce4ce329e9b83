import { DigestStore, DirStore } from "../store";
import { azureStore, AzureStoreOptions } from "./azure";
import { gcsStore, GcsStoreOptions } from "./gcs";
import { s3Store, S3StoreOptions } from "./s3";

/** Where a stack's digests live, as the job (from its environment) and the CLI (from the stack) describe it. */
export type EvidenceStoreConfig =
    | ({ type: "s3" } & Omit<S3StoreOptions, "now">)
    | ({ type: "gcs" } & Omit<GcsStoreOptions, "now">)
    | ({ type: "azure" } & AzureStoreOptions)
    | { type: "dir"; dir: string };

export const STORE_TYPES = ["s3", "gcs", "azure", "dir"] as const;

export function storeFromConfig(c: EvidenceStoreConfig): DigestStore {
    switch (c.type) {
        case "s3":
            return s3Store(c);
        case "gcs":
            return gcsStore(c);
        case "azure":
            return azureStore(c);
        case "dir":
            return new DirStore(c.dir);
    }
}

/** Where the store is, for logs and messages (no credential). */
export function storeLocation(c: EvidenceStoreConfig): string {
    switch (c.type) {
        case "s3":
            return `s3://${c.bucket}/${c.prefix ?? ""}`;
        case "gcs":
            return `gs://${c.bucket}/${c.prefix ?? ""}`;
        case "azure":
            return `azure://${c.account}/${c.container}/${c.prefix ?? ""}`;
        case "dir":
            return c.dir;
    }
}
