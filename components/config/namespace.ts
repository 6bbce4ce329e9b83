/** The Pulumi config namespace (the project name). Its own module so any validator can use it without cycles. */
export const CONFIG_NAMESPACE = "akko-audit";
