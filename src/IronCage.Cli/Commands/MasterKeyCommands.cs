using System.CommandLine;
using IronCage.Auditing;
using IronCage.Cli.Output;
using IronCage.Encryption;
using IronCage.Rotation;
using IronCage.Storage;
using NodaTime;
using Spectre.Console;

namespace IronCage.Cli.Commands;

/// <summary>
/// <c>ironcage master-key rewrap</c>: step 2 of a master-key rotation. With the new master key configured and the old
/// one in <c>IRONCAGE_RETIRED_MASTER_KEYS</c> (or <c>IRONCAGE_RETIRED_MASTER_KEY_FILES</c>), every stored secret whose
/// data key is wrapped by another key — key versions and the new keys of unfinished rotations — is re-wrapped under the
/// current one. Secrets are never decrypted; each key's change is audited. Afterwards the old key can be removed.
/// </summary>
internal static class MasterKeyCommands
{
    public static Command Build(CliGlobals globals)
    {
        var masterKey = new Command("master-key", "Master-key rotation: re-wrap stored secrets under the current master key.");
        var dryRun = new Option<bool>("--dry-run") { Description = "Count what would be re-wrapped; change nothing." };
        var rewrap = new Command("rewrap", "Re-wrap every stored secret under the current master key (the old one must be in IRONCAGE_RETIRED_MASTER_KEYS or IRONCAGE_RETIRED_MASTER_KEY_FILES).") { dryRun };
        // The operator's word for this step is "rotate the master key": accept it as well.
        rewrap.Aliases.Add("rotate");
        globals.SetAction(rewrap, async (parsed, scope) =>
        {
            var current = scope.Get<IKeyEncryptionKeyProvider>() is LocalMasterKeyProvider local
                ? local.CurrentKeyId
                : throw new Hosting.CliConfigurationException("This store's keys are protected by a key-encryption key that is not a local master key; re-wrap them with ISecretProtector.RewrapAsync in the host.");
            var protector = scope.Get<ISecretProtector>();
            var store = scope.Get<IKeyStore>();
            var rotations = scope.Get<IRotationStore>();
            var audit = scope.Get<IAuditLog>();
            var clock = scope.Get<IClock>();
            var dry = parsed.GetValue(dryRun);
            int keys = 0, versions = 0, operations = 0;
            var references = new List<KeyReference>();
            await foreach (var key in store.ListAsync(null, scope.CancellationToken).ConfigureAwait(false))
            {
                references.Add(key.Reference);
            }

            async Task RewrapAllAsync(Action advanced)
            {
                foreach (var reference in references)
                {
                    var key = await store.GetAsync(reference, scope.CancellationToken).ConfigureAwait(false);
                    var stale = key.Versions.Where(v => v.Secret.KeyEncryptionKeyId != current).ToList();
                    if (stale.Count != 0)
                    {
                        keys++;
                        versions += stale.Count;
                        if (!dry)
                        {
                            foreach (var version in stale)
                            {
                                key = key.WithVersion(version with { Secret = await protector.RewrapAsync(version.Secret, scope.CancellationToken).ConfigureAwait(false) });
                            }

                            await store.UpdateAsync(key, scope.CancellationToken).ConfigureAwait(false);
                            await audit.AppendAsync(new AuditEvent
                            {
                                Actor = scope.Actor,
                                Action = AuditAction.KeyRewrap,
                                Target = reference.ToString(),
                                Timestamp = clock.GetCurrentInstant(),
                                Outcome = AuditOutcome.Success,
                                Details = new Dictionary<string, string> { ["versions"] = stale.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), ["kek"] = current },
                            }, scope.CancellationToken).ConfigureAwait(false);
                        }
                    }

                    advanced();
                }

                await foreach (var operation in rotations.ListActiveAsync(scope.CancellationToken).ConfigureAwait(false))
                {
                    if (operation.NewSecret is { } secret && secret.KeyEncryptionKeyId != current)
                    {
                        operations++;
                        if (!dry)
                        {
                            await rotations.UpdateAsync(operation with { NewSecret = await protector.RewrapAsync(secret, scope.CancellationToken).ConfigureAwait(false) }, scope.CancellationToken).ConfigureAwait(false);
                        }
                    }
                }
            }

            var console = scope.Output.Console;
            if (!scope.Output.Json && console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi)
            {
                await console.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .StartAsync(async progress =>
                    {
                        var watch = System.Diagnostics.Stopwatch.StartNew();
                        var task = progress.AddTask(Describe(0, references.Count, watch.Elapsed), maxValue: Math.Max(1, references.Count));
                        await RewrapAllAsync(() =>
                        {
                            task.Increment(1);
                            task.Description = Describe((int)task.Value, references.Count, watch.Elapsed);
                        }).ConfigureAwait(false);
                    }).ConfigureAwait(false);
            }
            else
            {
                await RewrapAllAsync(() => { }).ConfigureAwait(false);
            }

            var view = new { dryRun = dry, currentKey = current, keys, versions, operations };
            scope.Output.Write(view, c => c.WriteLine(dry
                ? $"{versions} version(s) of {keys} key(s) and {operations} unfinished rotation(s) would be re-wrapped under {current}."
                : $"Re-wrapped {versions} version(s) of {keys} key(s) and {operations} unfinished rotation(s) under {current}. Once every host runs with the new master key, remove the old one."));
            return ExitCodes.Ok;
        });
        masterKey.Add(rewrap);
        return masterKey;
    }

    private static string Describe(int done, int total, TimeSpan elapsed)
        => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Re-wrapping {done}/{total} keys ({(elapsed.TotalSeconds <= 0 ? 0 : done / elapsed.TotalSeconds):0.0}/s)");
}
