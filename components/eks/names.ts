/** The log group EKS writes to. Its name is fixed by EKS; pre-creating it is the only way to set retention. */
export function eksLogGroupName(clusterName: string): string {
    return `/aws/eks/${clusterName}/cluster`;
}

/** Only Kubernetes audit events (JSON, kind Event) go to Loki; authenticator and other logs stay in CloudWatch. */
export const AUDIT_FILTER_PATTERN = '{ ($.kind = "Event") && ($.apiVersion = "audit.k8s.io/v1") }';
