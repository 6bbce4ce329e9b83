import * as pulumi from "@pulumi/pulumi";

/** A manifest k3s deploys from its server manifests directory (e.g. an Alloy HelmChart). */
export interface K3sManifest {
    /** File name in /var/lib/rancher/k3s/server/manifests: letters, digits, '.', '_', '-', ending .yaml/.yml/.json. */
    fileName: string;
    /** The manifest; may be a secret Output (it is then staged and installed mode 0600, never logged). */
    content: pulumi.Input<string>;
}

export const MANIFEST_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.(yaml|yml|json)$/;

/** One-line errors for bad extra manifests, before anything is registered. Empty when all is well. */
export function validateManifests(component: string, manifests: readonly { fileName: string }[]): string[] {
    const problems: string[] = [];
    const seen = new Map<string, number>();
    manifests.forEach((m, i) => {
        const where = `${component}: extraManifests[${i}].fileName`;
        if (typeof m.fileName !== "string" || !MANIFEST_FILE_NAME.test(m.fileName)) {
            problems.push(
                `${where}: got ${JSON.stringify(m.fileName)}; allowed: a file name of letters, digits, '.', '_', '-' ending in .yaml, .yml or .json`,
            );
            return;
        }
        const first = seen.get(m.fileName);
        if (first !== undefined)
            problems.push(`${where}: got ${JSON.stringify(m.fileName)}; allowed: a name no other manifest uses (extraManifests[${first}] has it)`);
        else seen.set(m.fileName, i);
    });
    return problems;
}
