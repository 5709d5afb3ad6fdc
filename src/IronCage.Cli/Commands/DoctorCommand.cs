using System.CommandLine;
using IronCage.Cli.Output;
using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Rotation;
using IronCage.Storage;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Spectre.Console;

namespace IronCage.Cli.Commands;

/// <summary>
/// <c>ironcage doctor</c>: the start-up checks over a store. The store opens at a schema this version knows (else the
/// host does not start and the tool says why); the master key opens every servable secret; every stored key has its
/// provider's format; every provider whose keys could rotate automatically has its adapter configured, and each
/// configured adapter's admin credential is accepted (one read-only list call); what is overdue or expiring soon.
/// </summary>
internal static class DoctorCommand
{
    private static readonly Duration ExpiryHorizon = Duration.FromDays(14);
    private static readonly TimeSpan CredentialCheckTimeout = TimeSpan.FromSeconds(15);

    public static Command Build(CliGlobals globals)
    {
        var command = new Command("doctor", "Check a store: schema, master key, key formats, adapters, overdue and expiring keys. Exit 0 when every check passes, 1 when one fails.");
        globals.SetAction(command, async (_, scope) =>
        {
            var checks = new List<Check>();
            var now = scope.Get<IClock>().GetCurrentInstant();
            var catalog = scope.Get<IProviderCatalog>();
            var protector = scope.Get<ISecretProtector>();
            var formats = new KeyFormatValidator(catalog);
            var adapters = scope.Services.GetServices<IProviderAdapter>().Select(a => a.Provider).ToHashSet();
            int keys = 0, opened = 0;
            var missingAdapters = new SortedSet<string>(StringComparer.Ordinal);
            var expiring = new List<string>();
            var stored = new List<ManagedKey>();
            try
            {
                await foreach (var key in scope.Get<IKeyStore>().ListAsync(null, scope.CancellationToken).ConfigureAwait(false))
                {
                    stored.Add(key);
                }
            }
            catch (SecretDecryptionException exception)
            {
                // The store reads its version seals with the master key: a wrong one stops the listing itself.
                checks.Add(Check.Fail("master key", exception.Message));
            }
            catch (KeyStateTamperedException exception)
            {
                checks.Add(Check.Fail("key state", exception.Message));
            }

            foreach (var key in stored)
            {
                keys++;
                foreach (var version in key.Versions.Where(v => v.IsServable || v.Stage == KeyStage.Pending))
                {
                    try
                    {
                        using var secret = await protector.OpenAsync(version.Secret, new SecretBinding(key.Reference, version.VersionId), scope.CancellationToken).ConfigureAwait(false);
                        opened++;
                        var format = formats.Check(key.Provider, secret, key.Kind);
                        if (!format.IsValid)
                        {
                            checks.Add(Check.Fail("key format", $"{key.Reference} version {version.VersionId} ({version.DisplayHint}): {format.Message}"));
                        }
                    }
                    catch (SecretDecryptionException exception)
                    {
                        checks.Add(Check.Fail("master key", $"{key.Reference} version {version.VersionId} does not open: {exception.Message}"));
                    }

                    if (version.ExpiresAt is { } expires && expires - now < ExpiryHorizon)
                    {
                        expiring.Add($"{key.Reference} version {version.VersionId} {(expires <= now ? "expired" : "expires")} {Show.Time(expires)}");
                    }
                }

                if (catalog.TryGetDescriptor(key.Provider, out var descriptor) && descriptor!.Tier is not (RotationTier.Manual or RotationTier.SemiAutomatic) && !adapters.Contains(key.Provider))
                {
                    missingAdapters.Add(key.Provider.Value);
                }
            }

            checks.Insert(0, Check.Pass("store", $"opened; {keys} managed key(s)."));
            if (!checks.Any(c => c.Name == "master key"))
            {
                checks.Add(Check.Pass("master key", $"opens all {opened} servable or pending secret(s)."));
            }

            if (!checks.Any(c => c.Name == "key format"))
            {
                checks.Add(Check.Pass("key format", "every opened key has its provider's format."));
            }

            checks.Add(missingAdapters.Count == 0
                ? Check.Pass("adapters", "every provider whose keys rotate automatically has its adapter configured.")
                : Check.Warn("adapters", $"no adapter configured for {string.Join(", ", missingAdapters)}: their keys can only be rotated by hand. Configure IronCage:<Provider> (for example IronCage:OpenAI:AdminKey) as the host does."));

            checks.Add(await CredentialsAsync(scope.Services.GetServices<IProviderAdapter>(), stored, scope.CancellationToken).ConfigureAwait(false));

            if (checks.Any(c => c.Status == "fail" && c.Name is "master key" or "key state") && stored.Count == 0)
            {
                return Report(scope, checks);
            }

            var plan = await scope.Get<IKeyRotator>().PlanAsync(now, scope.CancellationToken).ConfigureAwait(false);
            var due = plan.Due.Where(p => p.Action is PlannedAction.Rotate or PlannedAction.Remind or PlannedAction.Resume or PlannedAction.AwaitNewKey).ToList();
            checks.Add(due.Count == 0
                ? Check.Pass("rotations", "nothing overdue.")
                : Check.Warn("rotations", $"{due.Count} due or overdue: {string.Join("; ", due.Take(10).Select(p => $"{p.Key} ({p.Action}, {p.Detail})"))}{(due.Count > 10 ? "; …" : string.Empty)}"));
            checks.Add(expiring.Count == 0
                ? Check.Pass("expiry", $"no key expires within {ExpiryHorizon.Days} days.")
                : Check.Warn("expiry", string.Join("; ", expiring)));

            return Report(scope, checks);
        }, stopOnFailedChecks: false);
        return command;
    }

    // One read-only call per configured adapter that can list keys (the first page of the keys of one managed key's
    // project or account): it proves the adapter's admin credential is accepted before a rotation needs it.
    private static async Task<Check> CredentialsAsync(IEnumerable<IProviderAdapter> adapters, List<ManagedKey> stored, CancellationToken cancellationToken)
    {
        var accepted = new List<string>();
        var refused = new List<string>();
        var skipped = new List<string>();
        foreach (var adapter in adapters.OrderBy(a => a.Provider.Value, StringComparer.Ordinal))
        {
            var sample = stored.FirstOrDefault(k => k.Reference.Provider == adapter.Provider && k.Kind == KeyKind.Inference);
            if (sample is null || !adapter.Capabilities.HasFlag(ProviderCapabilities.List))
            {
                skipped.Add(adapter.Provider.Value);
                continue;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(CredentialCheckTimeout);
            try
            {
                await foreach (var _ in adapter.ListKeysAsync(ProviderKeyContext.For(sample), timeout.Token).ConfigureAwait(false))
                {
                    break;
                }

                accepted.Add(adapter.Provider.Value);
            }
            catch (ProviderRequestException exception)
            {
                refused.Add($"{adapter.Provider} ({exception.Kind}): {exception.Message}");
            }
            catch (Exception exception) when (exception is HttpRequestException or IronCageException || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                refused.Add($"{adapter.Provider} could not be reached ({exception.GetType().Name}): {exception.Message}");
            }
        }

        var notChecked = skipped.Count == 0 ? string.Empty : $" Not checked: {string.Join(", ", skipped)} (no managed key yet, or the provider cannot list keys).";
        if (refused.Count != 0)
        {
            return Check.Fail("credentials", $"{string.Join("; ", refused)}. Fix the adapter's admin credential (IronCage:<Provider>:AdminKey or the cloud credential the adapter uses).{notChecked}");
        }

        return accepted.Count == 0
            ? Check.Pass("credentials", "no adapter credential to check." + notChecked)
            : Check.Pass("credentials", $"accepted by {string.Join(", ", accepted)}.{notChecked}");
    }

    private static int Report(CommandScope scope, List<Check> checks)
    {
        scope.Output.Write(new { healthy = checks.All(c => c.Status != "fail"), checks }, console =>
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Check", "Status", "Detail");
            foreach (var check in checks)
            {
                var status = check.Status switch { "pass" => "[green]pass[/]", "warn" => "[yellow]warn[/]", _ => "[red]FAIL[/]" };
                table.AddRow(new Text(check.Name), new Markup(status), new Text(check.Detail));
            }

            console.Write(table);
        });
        return checks.Any(c => c.Status == "fail") ? ExitCodes.Failure : ExitCodes.Ok;
    }

    private sealed record Check(string Name, string Status, string Detail)
    {
        public static Check Pass(string name, string detail) => new(name, "pass", detail);

        public static Check Warn(string name, string detail) => new(name, "warn", detail);

        public static Check Fail(string name, string detail) => new(name, "fail", detail);
    }
}
