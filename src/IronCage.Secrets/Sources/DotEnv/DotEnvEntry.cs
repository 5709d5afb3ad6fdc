namespace IronCage.Secrets;

/// <summary>One <c>NAME=value</c> entry of a <c>.env</c> file: its name, the lines it spans (1-based), and its value.</summary>
/// <remarks>The value is a char array so the source can clear it after copying it into a <see cref="SecretValue"/>.</remarks>
internal readonly record struct DotEnvEntry(string Name, int Line, char[] Value, int EndLine);
