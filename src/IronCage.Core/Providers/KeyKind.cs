namespace IronCage.Providers;

/// <summary>What a key is for.</summary>
public enum KeyKind
{
    /// <summary>A key that calls the provider's models (chat, embeddings, ...). What a host's HTTP clients use.</summary>
    Inference = 0,

    /// <summary>
    /// An administrative or management key that manages other keys (OpenAI <c>sk-admin-…</c>, Anthropic
    /// <c>sk-ant-admin01-…</c>, OpenRouter management keys). Never used for inference.
    /// </summary>
    Admin = 1,
}
