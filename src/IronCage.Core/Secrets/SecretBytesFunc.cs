namespace IronCage;

/// <summary>A function over a secret's UTF-8 bytes (see <see cref="SecretValue.UseBytes{TState, TResult}"/>). It must not keep the span.</summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <typeparam name="TResult">The result type.</typeparam>
/// <param name="secret">The secret's bytes, valid only during the call.</param>
/// <param name="state">The caller's state.</param>
/// <returns>The result.</returns>
public delegate TResult SecretBytesFunc<in TState, out TResult>(ReadOnlySpan<byte> secret, TState state);
