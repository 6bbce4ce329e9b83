/**
 * Explicit mocks for function invokes (e.g. azure-native listEventHubKeys, gcp getProject) on top of
 * setupMocks, whose call() throws for anything unmocked. Only the given tokens answer; every other invoke
 * still throws. Records each mocked invoke's inputs.
 */
import * as pulumi from "@pulumi/pulumi";

export interface InvokeRecord {
    token: string;
    inputs: Record<string, any>;
}

type Handler = (inputs: Record<string, any>) => Record<string, any>;

/** Installs the handlers; returns the recording and a restore function (call it in after/afterEach). */
export function mockInvokes(handlers: Record<string, Handler>): { calls: InvokeRecord[]; restore(): void } {
    const proto = require("@pulumi/pulumi/runtime/mocks").MockMonitor.prototype;
    const original = proto.invoke;
    const calls: InvokeRecord[] = [];
    proto.invoke = async function (req: any, callback: any) {
        const token = req.getTok();
        const handler = handlers[token];
        if (!handler) return original.call(this, req, callback);
        try {
            const inputs = pulumi.runtime.deserializeProperties(req.getArgs());
            calls.push({ token, inputs });
            const structproto = require("google-protobuf/google/protobuf/struct_pb");
            const resproto = require("@pulumi/pulumi/proto/resource_pb");
            const response = new resproto.ResourceInvokeResponse();
            response.setReturn(structproto.Struct.fromJavaScript(await pulumi.runtime.serializeProperties("", handler(inputs))));
            callback(null, response);
        } catch (err) {
            callback(err, undefined);
        }
    };
    return { calls, restore: () => void (proto.invoke = original) };
}
