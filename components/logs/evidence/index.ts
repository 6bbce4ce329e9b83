export { closedWindows, nextDigest, verifyChain } from "./chain";
export type { ChainReport, StoredDigest, WindowReport, WindowStatus } from "./chain";
export { diffLeaves } from "./diff";
export type { LeafDiff } from "./diff";
export { canonicalJson, digestHash, keyIdOf, signatureValid, signingKey } from "./digest";
export type { Digest, SigningKey } from "./digest";
export { canonicalEntry, isoToNs, leafHash, leavesOf, nsToIso, parseLeaves } from "./entries";
export type { Leaf, LokiEntry } from "./entries";
