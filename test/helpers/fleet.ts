/** Synthetic k3s fleets for the fleet-scale config tests (the bench's syntheticFleet is validated and mixed). */

/** A pinned ed25519 host key (an ssh-keyscan line). */
export const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDaK2uxZcldwAhPNpFINSmK/hddiY2L479yC9wpXjKVZ";

/**
 * `n` raw k3s cluster entries (as written in config) of `servers` nodes each, one pinned host key per node,
 * no SSH key named (the stack's sshAuth gives agent auth); `extra(i)` adds fields to cluster i.
 */
export function k3sFleet(n: number, extra: (i: number) => Record<string, unknown> = () => ({}), servers = 1): Record<string, unknown>[] {
    return Array.from({ length: n }, (_, i) => ({
        name: `edge-${String(i).padStart(4, "0")}`,
        kind: "k3s",
        servers: Array.from({ length: servers }, (_, j) => ({ host: `10.${i >> 8}.${i & 255}.${10 + j}`, hostKey: HOST_KEY })),
        ...extra(i),
    }));
}
