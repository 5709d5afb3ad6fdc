namespace IronCage.Cli.Hosting;

/// <summary>The global options of a run, as given on the command line (each may be absent).</summary>
/// <param name="Connection">The store's connection string (<c>--connection</c>).</param>
/// <param name="Store">The store kind (<c>--store</c>: <c>sqlite</c> or <c>postgresql</c>); detected from the connection string when absent.</param>
/// <param name="ConfigFile">The settings file (<c>--config</c>); <c>appsettings.json</c> in the working directory when absent and present.</param>
/// <param name="MasterKeyFile">A file holding the base64 master key (<c>--master-key-file</c>).</param>
/// <param name="Actor">Who the audit trail records as acting (<c>--actor</c>).</param>
internal sealed record CliSettings(string? Connection, string? Store, string? ConfigFile, string? MasterKeyFile, string? Actor);
