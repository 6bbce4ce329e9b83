/**
 * What the node scripts print, for the SDK's mocks (the provider never runs here): preflight prints the k3s
 * version, apply prints its result line carrying the policy hash of its own command.
 */
export function k3sCommandOutputs(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
    // azure-native autonames a namespace from the resource name (plus a random suffix the mocks leave out).
    if (type === "azure-native:eventhub:Namespace") return { name: inputs.namespaceName ?? name };
    if (type !== "command:remote:Command") return {};
    if (!name.endsWith("-apply")) return { stdout: '{"k3sVersion":"v1.30.4+k3s1"}\n', stderr: "" };
    const policyHash = /'AKKO_POLICY_HASH=([0-9a-f]{64})'/.exec(String(inputs.create ?? ""))?.[1] ?? "";
    const result = {
        runId: "1-1",
        action: "apply",
        status: "ok",
        node: name,
        policyHash,
        restarted: true,
        apiServerReady: true,
        k3sVersion: "v1.30.4+k3s1",
        message: "applied",
    };
    return { stdout: `${JSON.stringify(result)}\n`, stderr: "" };
}
