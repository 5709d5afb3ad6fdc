using System.Globalization;
using System.Text;
using System.Text.Json;
using NodaTime.Text;

namespace IronCage.Auditing;

/// <summary>
/// An <see cref="IAuditCheckpointSink"/> over a file: one JSON object per line
/// (<c>{"sequence":…,"hash":"…","takenAt":"…","keyId":"…","mac":"…"}</c>), appended, so the file is also the history
/// of every checkpoint. The latest is the last line. Put the file where the database's writers cannot write.
/// </summary>
public sealed class FileAuditCheckpointSink : IAuditCheckpointSink
{
    /// <summary>Creates a sink over a file (created, with its directory, on the first write).</summary>
    /// <param name="path">The file's path.</param>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    public FileAuditCheckpointSink(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
    }

    /// <summary>Gets the file's full path.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public async ValueTask WriteAsync(AuthenticatedAuditCheckpoint checkpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var line = Format(checkpoint) + "\n";
        if (System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        // One append per checkpoint, flushed to disk; FileShare.Read makes a second writer fail instead of interleaving.
        var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read, 4096, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(line), cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }
    }

    /// <inheritdoc />
    /// <exception cref="IronCageException">The last line of the file is not a checkpoint.</exception>
    public async ValueTask<AuthenticatedAuditCheckpoint?> ReadLatestAsync(CancellationToken cancellationToken = default)
    {
        if (!File.Exists(Path))
        {
            return null;
        }

        var lines = await File.ReadAllLinesAsync(Path, cancellationToken).ConfigureAwait(false);
        var last = lines.LastOrDefault(l => !string.IsNullOrWhiteSpace(l));
        return last is null ? null : Parse(last, Path);
    }

    internal static string Format(AuthenticatedAuditCheckpoint checkpoint)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("sequence", checkpoint.Checkpoint.Sequence);
            writer.WriteString("hash", checkpoint.Checkpoint.Hash);
            writer.WriteString("takenAt", InstantPattern.ExtendedIso.Format(checkpoint.TakenAt));
            writer.WriteString("keyId", checkpoint.KeyId);
            writer.WriteString("mac", checkpoint.Mac);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    internal static AuthenticatedAuditCheckpoint Parse(string line, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var takenAt = InstantPattern.ExtendedIso.Parse(root.GetProperty("takenAt").GetString() ?? string.Empty).GetValueOrThrow();
            return new AuthenticatedAuditCheckpoint(
                new AuditCheckpoint(root.GetProperty("sequence").GetInt64(), root.GetProperty("hash").GetString() ?? string.Empty),
                takenAt,
                root.GetProperty("keyId").GetString() ?? string.Empty,
                root.GetProperty("mac").GetString() ?? string.Empty);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or UnparsableValueException)
        {
            throw new IronCageException(string.Create(CultureInfo.InvariantCulture, $"The last line of the audit checkpoint file '{source}' is not an IronCage checkpoint; restore the file from its backup, or move it aside to start a new series of checkpoints."), e);
        }
    }
}
