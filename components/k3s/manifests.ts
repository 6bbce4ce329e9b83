import * as pulumi from "@pulumi/pulumi";

/** A manifest k3s deploys from its server manifests directory (e.g. an Alloy HelmChart). */
export interface K3sManifest {
    /** File name in /var/lib/rancher/k3s/server/manifests: letters, digits, '.', '_', '-', ending .yaml/.yml/.json. */
    fileName: string;
    /** The manifest. Plain ones travel in the node's bundle (written to local disk, uploaded over SFTP). */
    content: pulumi.Input<string>;
    /**
     * A secret (e.g. a password Secret): sent over the apply command's stdin, kept secret in state, installed
     * mode 0600, never written to local disk. Default false; a secret Output content without it is refused.
     */
    secret?: boolean;
}

/** Rejects, one line, when a manifest not marked `secret` has secret content (it would be written to local disk). */
export async function refuseSecretContent(component: string, plainManifests: readonly K3sManifest[]): Promise<void> {
    for (const m of plainManifests) {
        if (await pulumi.isSecret(pulumi.output(m.content)))
            throw new pulumi.RunError(
                `${component}: extraManifests ${m.fileName}: content is a secret; allowed: secret: true on that manifest (sent over SSH stdin, never written to disk)`,
            );
    }
}

/** The apply command's stdin for the secret manifests: one "<fileName> <base64>" line each (launch.sh reads it). */
export function stdinManifests(manifests: readonly K3sManifest[]): pulumi.Output<string> {
    return pulumi.secret(
        pulumi
            .all(manifests.map((m) => m.content))
            .apply((contents) => manifests.map((m, i) => `${m.fileName} ${Buffer.from(contents[i], "utf8").toString("base64")}\n`).join("")),
    );
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
