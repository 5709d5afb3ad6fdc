namespace IronCage.Http;

/// <summary>How a key pool chooses among its usable keys.</summary>
public enum PoolStrategy
{
    /// <summary>The first usable key in the order the pool lists them: the others are failovers.</summary>
    Priority = 0,

    /// <summary>Each resolve starts one key further along, spreading requests evenly.</summary>
    RoundRobin = 1,

    /// <summary>The key this process has handed out least in the current minute.</summary>
    LeastUsed = 2,

    /// <summary>The key with the most rate-limit headroom left, from the provider's own <c>x-ratelimit-remaining-*</c> (or <c>anthropic-ratelimit-*-remaining</c>) headers; keys not yet seen count as full.</summary>
    MostHeadroom = 3,
}
