// Types of monitor.js (plain CommonJS: see its header).
import type { Registration } from "./steps";
import type { RegistrationRequest } from "./registrations";

export const ROOT_STACK_TYPE: string;
export const SECRET_SIG: string;
export const PLACEHOLDER_INVOKES: Record<string, (inputs: Record<string, any>) => Record<string, unknown>>;
export function planMocks(invokes: string[]): {
    newResource(args: any): { id: string | undefined; state: any };
    call(args: any): Record<string, unknown>;
};
export function secretMark(value: unknown): string;
export function engineUrn(stack: string, project: string, parentUrn: string, type: string, name: string): string;
export function sdkModule(subpath: string, fromDir?: string): any;
export function onRegistration(listener: (req: RegistrationRequest, urn: string) => void, fromDir?: string): () => void;
export function dependencyUrns(req: RegistrationRequest): string[];
export function registrationOf(req: RegistrationRequest, urn: string, fromDir?: string): Registration;
export function settleRegistrations(progress: () => string, fromDir?: string): Promise<void>;
