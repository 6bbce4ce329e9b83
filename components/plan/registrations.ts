import * as pulumi from "@pulumi/pulumi";
import { SECRET_SIG } from "./monitor";

export { dependencyUrns, onRegistration, settleRegistrations } from "./monitor";

/** Whether a deserialized property value is a secret wrapper (`{ [specialSigKey]: SECRET_SIG, value }`). */
export function isSecretValue(v: unknown): v is { value: unknown } {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[pulumi.runtime.specialSigKey] === SECRET_SIG;
}

/** A registration request as the mock monitor receives it (the SDK's RegisterResourceRequest). */
export interface RegistrationRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getImportid(): string;
    getObject(): unknown;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(f: (d: { getUrnsList(): string[] }) => void): void };
    getAdditionalsecretoutputsList(): string[];
    getProvider(): string;
    getRetainondelete(): boolean;
}
