namespace IronCage.Secrets.Kubernetes;

/// <summary>Names of the Kubernetes Secret target.</summary>
public static class KubernetesConstants
{
    /// <summary>The pod template annotation <c>kubectl rollout restart</c> sets; changing it rolls the Deployment.</summary>
    public const string RestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt";

    /// <summary>The pod template annotation naming the IronCage key version a restart was for, so a resumed rotation restarts once.</summary>
    public const string RestartedForAnnotation = "ironcage.io/restarted-for";
}
