namespace IronCage.Secrets.Cloud.Tests;

/// <summary>Reads a source to the end and checks that no candidate prints its value.</summary>
internal static class SourceAssertions
{
    public static async Task<List<(string Origin, string? Name, string Value)>> ReadAllAsync(IKeySource source)
    {
        var read = new List<(string, string?, string)>();
        await foreach (var candidate in source.ReadAsync())
        {
            using (candidate)
            {
                var value = candidate.Secret.Reveal();
                candidate.ToString().Should().NotContain(value);
                candidate.Origin.Should().NotContain(value);
                read.Add((candidate.Origin, candidate.Name, value));
            }
        }

        return read;
    }
}
