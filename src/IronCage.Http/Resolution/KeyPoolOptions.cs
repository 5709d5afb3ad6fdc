namespace IronCage.Http;

/// <summary>A named pool of managed keys of one provider that requests can fail over between.</summary>
public sealed class KeyPoolOptions
{
    /// <summary>Gets the keys, in priority order.</summary>
    public IList<KeyReference> Keys { get; } = [];

    /// <summary>Gets or sets how the pool chooses a key.</summary>
    /// <value>The default value is <see cref="PoolStrategy.Priority"/>.</value>
    public PoolStrategy Strategy { get; set; } = PoolStrategy.Priority;
}
