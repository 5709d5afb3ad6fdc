namespace IronCage;

/// <summary>A function over a secret's characters (see <see cref="SecretValue.UseChars{TState, TResult}"/>). It must not keep the span.</summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <typeparam name="TResult">The result type.</typeparam>
/// <param name="secret">The secret's characters, valid only during the call.</param>
/// <param name="state">The caller's state.</param>
/// <returns>The result.</returns>
public delegate TResult SecretCharsFunc<in TState, out TResult>(ReadOnlySpan<char> secret, TState state);
