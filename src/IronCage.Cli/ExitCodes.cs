namespace IronCage.Cli;

/// <summary>The documented exit codes of <c>ironcage</c>.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Ok = 0;

    /// <summary>The command failed: a provider, the store or IronCage refused (the message says why and how to fix it).</summary>
    public const int Failure = 1;

    /// <summary>The command line or the configuration is wrong: nothing was changed.</summary>
    public const int UsageError = 2;

    /// <summary>Some of the work was done and some was not (for example a check that found problems).</summary>
    public const int Partial = 3;
}
