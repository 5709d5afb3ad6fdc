namespace IronCage.Rotation;

/// <summary>
/// Reads a backup file line by line as bytes, exactly as written (the MAC covers the bytes, not a re-encoding), with a
/// bound on the line length so a hostile file cannot exhaust memory.
/// </summary>
internal sealed class BackupLineReader(Stream stream)
{
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private bool _eof;

    /// <summary>Gets the number of the line read last (1 for the header).</summary>
    public long LineNumber { get; private set; }

    /// <summary>Reads the next line without its <c>\n</c>; <see langword="null"/> at the end of the stream.</summary>
    /// <returns>The line, and whether it ended in <c>\n</c> (only the last line of a cut file does not).</returns>
    public async ValueTask<(byte[] Line, bool Terminated)?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var searchFrom = _start;
        while (true)
        {
            var index = Array.IndexOf(_buffer, (byte)'\n', searchFrom, _end - searchFrom);
            if (index >= 0)
            {
                var line = _buffer[_start..index];
                _start = index + 1;
                LineNumber++;
                return (line, true);
            }

            if (_eof)
            {
                if (_start == _end)
                {
                    return null;
                }

                var rest = _buffer[_start.._end];
                _start = _end;
                LineNumber++;
                return (rest, false);
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            searchFrom = _end;
            if (_end == _buffer.Length)
            {
                if (_buffer.Length > BackupFormat.MaxLineBytes)
                {
                    throw new StoreBackupException(StoreBackupProblem.Malformed, $"Line {LineNumber + 1} of the backup is longer than {BackupFormat.MaxLineBytes} bytes: this is not an IronCage backup, or it was changed.");
                }

                Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, BackupFormat.MaxLineBytes + 1));
            }

            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _eof = true;
            }
            else
            {
                _end += read;
            }
        }
    }
}
