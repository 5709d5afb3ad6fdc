namespace IronCage.Providers;

/// <summary>Where a provider expects the key on a request.</summary>
public enum AuthSchemeKind
{
    /// <summary><c>Authorization: Bearer &lt;key&gt;</c>.</summary>
    Bearer = 0,

    /// <summary>A provider-specific header holding the key (<c>x-api-key</c>, <c>api-key</c>, <c>x-goog-api-key</c>).</summary>
    Header = 1,

    /// <summary>A query parameter holding the key (<c>?key=</c>).</summary>
    QueryParameter = 2,
}
