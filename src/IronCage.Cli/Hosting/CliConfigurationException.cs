namespace IronCage.Cli.Hosting;

/// <summary>The command line or the configuration cannot work as given; the message says what to change. Exit code 2.</summary>
internal sealed class CliConfigurationException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="CliConfigurationException"/> class.</summary>
    public CliConfigurationException(string message)
        : base(message)
    {
    }
}
