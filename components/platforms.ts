/**
 * The one table keyed by kind. Its type lists every kind of the config's union: a new kind without an entry
 * does not compile, and neither does an entry missing a hook of the contract (platform.ts).
 */
import { aksPlatform } from "./aks/describe";
import { eksPlatform } from "./eks/describe";
import { gkePlatform } from "./gke/describe";
import { k3sPlatform } from "./k3s/describe";
import { openShiftPlatform } from "./openshift/describe";
import type { ClusterKind, ClusterOf, Platform } from "./platform";

export const PLATFORMS: { [K in ClusterKind]: Platform<K> } = {
    k3s: k3sPlatform,
    eks: eksPlatform,
    gke: gkePlatform,
    aks: aksPlatform,
    openshift: openShiftPlatform,
};

/** The platform of one cluster, typed for that cluster. */
export function platformOf<K extends ClusterKind>(c: ClusterOf<K>): Platform<K> {
    // TypeScript cannot correlate PLATFORMS[c.kind] with c's kind on its own: the mapped type guarantees it.
    return PLATFORMS[c.kind as K] as Platform<K>;
}
