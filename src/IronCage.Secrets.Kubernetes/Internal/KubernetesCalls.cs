using k8s.Autorest;

namespace IronCage.Secrets.Kubernetes;

/// <summary>One API server call, with its failures turned into a <see cref="SecretStoreException"/> that says which RBAC rule or setting to fix.</summary>
internal static class KubernetesCalls
{
    /// <param name="call">The call.</param>
    /// <param name="store">The store's name for messages (<c>Kubernetes https://…</c>).</param>
    /// <param name="ns">The namespace.</param>
    /// <param name="verb">The verb, as RBAC names it (<c>get</c>, <c>patch</c>).</param>
    /// <param name="resource">The resource (<c>secrets</c>).</param>
    /// <param name="group">The API group (empty for the core group).</param>
    /// <param name="name">The object's name.</param>
    /// <param name="verbs">The verbs the Role must grant on it.</param>
    /// <param name="notFound">What to do when the object does not exist.</param>
    public static async Task<T> CallAsync<T>(Func<Task<T>> call, string store, string ns, string verb, string resource, string group, string name, string verbs, string notFound)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (HttpOperationException failed)
        {
            var status = (int)failed.Response.StatusCode;
            var kind = status switch
            {
                401 => SecretStoreErrorKind.Unauthenticated,
                403 => SecretStoreErrorKind.Forbidden,
                404 => SecretStoreErrorKind.NotFound,
                409 => SecretStoreErrorKind.Conflict,
                429 => SecretStoreErrorKind.Throttled,
                >= 500 => SecretStoreErrorKind.Transient,
                _ => SecretStoreErrorKind.Unknown,
            };
            var fix = kind switch
            {
                SecretStoreErrorKind.Unauthenticated => "The API server rejected the token: check the service account token (in cluster) or the kubeconfig's credentials.",
                SecretStoreErrorKind.Forbidden => $"Give the service account a Role in namespace {ns} with verbs [{verbs}] on resource \"{resource}\" in API group \"{group}\" (resourceNames: [\"{name}\"]) and bind it with a RoleBinding.",
                SecretStoreErrorKind.NotFound => notFound,
                _ => "Retry later.",
            };
            throw new SecretStoreException(store, kind, $"{store}: {verb} {resource} {ns}/{name} failed with {status}. {fix}", failed) { StatusCode = status };
        }
        catch (HttpRequestException exception)
        {
            throw new SecretStoreException(store, SecretStoreErrorKind.Transient, $"{store}: {verb} {resource} {ns}/{name} could not reach the API server ({exception.HttpRequestError}). Check the cluster address and this host's network path to it.", exception);
        }
    }
}
