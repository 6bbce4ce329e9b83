/** Types of k3s-config-merge.js (plain CommonJS: the stub systemctl runs it with node, without tsx). */
/** The kube-apiserver flags a k3s server under `root` starts with, as k3s merges them (sorted --name=value). */
export function apiServerArgs(root: string): string[];
/** The value the API server uses for a flag (the last one), or undefined. */
export function effectiveValue(args: string[], name: string): string | undefined;
/** k3s pkg/util/args.go GetArgs without defaults. */
export function getArgs(extra: string[]): string[];
