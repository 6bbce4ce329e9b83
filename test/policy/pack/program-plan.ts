/**
 * The registrations of the real program for the example `prod` stack, as the engine receives them (the offline
 * plan: the program under the SDK's mocks). The policy tests run the pack on these, not on hand-written inputs.
 */
import { validateDeployableStack } from "../../../components/deployable";
import { buildPlan, Registration } from "../../../components/plan";
import { auditProgram } from "../../../components/rollout";
import { exampleStack } from "../../helpers/config";

let cached: Promise<Registration[]> | undefined;

export function prodRegistrations(): Promise<Registration[]> {
    cached ??= buildPlan(validateDeployableStack(exampleStack("prod")), auditProgram).then((p) => p.registrations);
    return cached;
}

/** The one registration of `type` named `name`; fails when there are none or several. */
export async function onlyRegistration(type: string, name: string): Promise<Registration> {
    const found = (await prodRegistrations()).filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) throw new Error(`expected one ${type} ${name} in the prod plan, found ${found.length}`);
    return found[0];
}
