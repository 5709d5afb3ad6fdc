using System.Text;
using IronCage.Rotation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronCage.Secrets;

/// <summary>
/// Writes a rotated key to one entry of a <c>.env</c> file, replaced atomically (a temporary file in the same
/// directory, flushed, renamed over the old one) with mode 0600 on Unix. Every other line, comment and blank line stays
/// as it was; the entry keeps its <c>export </c> prefix; a missing entry is appended. An entry that already holds the
/// value is left alone (<see cref="KeyDistributionReceipt.AlreadyCurrent"/>).
/// </summary>
/// <remarks>
/// A value of letters, digits and <c>-_.:/+=~</c> (every provider's key) is written unquoted; any other value is
/// double-quoted with <c>\\</c>, <c>\"</c>, <c>\$</c> and line breaks escaped. When the variable appears more than once,
/// the last entry (the one dotenv readers use) is replaced.
/// </remarks>
public sealed class DotEnvKeyTarget : IKeyDistributionTarget
{
    private readonly DotEnvKeyTargetOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates the target.</summary>
    /// <param name="options">The file, the variable and the key it holds.</param>
    /// <param name="logger">The logger; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException">The path, the variable or the key is missing.</exception>
    public DotEnvKeyTarget(DotEnvKeyTargetOptions options, ILogger<DotEnvKeyTarget>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Path, nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.VariableName, nameof(options));
        if (options.Key.Provider.IsEmpty)
        {
            throw new ArgumentException("DotEnvKeyTargetOptions.Key must name the managed key the entry holds, for example openai/prod.", nameof(options));
        }

        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Name = options.Name ?? $"dotenv:{options.Path}#{options.VariableName}";
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public bool AppliesTo(ManagedKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Reference == _options.Key;
    }

    /// <inheritdoc />
    public async Task<KeyDistributionReceipt> DistributeAsync(KeyDistribution distribution, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        var written = await WriteAsync(distribution.Secret, cancellationToken).ConfigureAwait(false);
        Log.TargetWritten(_logger, Name, distribution.Key.Reference, distribution.Version.VersionId, distribution.Version.DisplayHint, written ? string.Empty : " (already current)");
        return new KeyDistributionReceipt { AlreadyCurrent = !written };
    }

    /// <inheritdoc />
    public async Task RestoreAsync(KeyDistribution previous, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(previous);
        await WriteAsync(previous.Secret, cancellationToken).ConfigureAwait(false);
        Log.TargetRestored(_logger, Name, previous.Key.Reference, previous.Version.VersionId, previous.Version.DisplayHint);
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    private static bool IsSafeUnquoted(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.' or ':' or '/' or '+' or '=' or '~'))
            {
                return false;
            }
        }

        return value.Length > 0;
    }

    private static void AppendValue(StringBuilder builder, ReadOnlySpan<char> value)
    {
        if (IsSafeUnquoted(value))
        {
            builder.Append(value);
            return;
        }

        builder.Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => builder.Append("\\\\"),
                '"' => builder.Append("\\\""),
                '$' => builder.Append("\\$"),
                '\n' => builder.Append("\\n"),
                '\r' => builder.Append("\\r"),
                _ => builder.Append(c),
            };
        }

        builder.Append('"');
    }

    private static string[] SplitLines(string text) => text.Length == 0 ? [] : text.Split('\n');

    private async Task<bool> WriteAsync(SecretValue secret, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var current = await AtomicFile.ReadAsync(_options.Path, cancellationToken).ConfigureAwait(false);
        var text = current is null ? string.Empty : new string(current);
        if (current is not null)
        {
            Array.Clear(current);
        }

        var entries = DotEnvParser.Parse(text, _options.Path, expandVariables: false);
        var builder = new StringBuilder(text.Length + secret.Length + 64);
        char[]? output = null;
        try
        {
            var existing = entries.FindLastIndex(e => string.Equals(e.Name, _options.VariableName, StringComparison.Ordinal));
            if (existing >= 0 && secret.Matches(entries[existing].Value))
            {
                return false;
            }

            var lines = SplitLines(text);
            if (existing < 0)
            {
                builder.Append(text);
                if (text.Length > 0 && !text.EndsWith('\n'))
                {
                    builder.Append(text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n");
                }

                builder.Append(_options.VariableName).Append('=');
                secret.UseChars(builder, static (chars, b) => { AppendValue(b, chars); return 0; });
                builder.Append('\n');
            }
            else
            {
                var entry = entries[existing];
                for (var i = 0; i < lines.Length; i++)
                {
                    var number = i + 1;
                    if (number < entry.Line || number > entry.EndLine)
                    {
                        builder.Append(lines[i]);
                    }
                    else if (number == entry.Line)
                    {
                        var original = lines[i];
                        var indent = original[..(original.Length - original.TrimStart().Length)];
                        var exported = original.TrimStart().StartsWith("export", StringComparison.Ordinal);
                        builder.Append(indent).Append(exported ? "export " : string.Empty).Append(_options.VariableName).Append('=');
                        secret.UseChars(builder, static (chars, b) => { AppendValue(b, chars); return 0; });
                        var lastLine = lines[entry.EndLine - 1];
                        if (lastLine.EndsWith('\r'))
                        {
                            builder.Append('\r');
                        }
                    }
                    else
                    {
                        continue;
                    }

                    if (i < lines.Length - 1)
                    {
                        builder.Append('\n');
                    }
                }
            }

            output = new char[builder.Length];
            builder.CopyTo(0, output, 0, builder.Length);
            await AtomicFile.WriteAsync(_options.Path, output, cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            foreach (var entry in entries)
            {
                Array.Clear(entry.Value);
            }

            for (var i = 0; i < builder.Length; i++)
            {
                builder[i] = '\0';
            }

            if (output is not null)
            {
                Array.Clear(output);
            }
        }
    }
}
