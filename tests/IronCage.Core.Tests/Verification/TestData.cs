namespace IronCage.Core.Tests.Verification;

/// <summary>Reads the provider bodies under Verification/TestData (copied next to the test assembly).</summary>
internal static class TestData
{
    public static string Read(string fileName)
        => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Verification", "TestData", fileName));
}
