using System.CommandLine;
using IronCage.Cli.Hosting;
using IronCage.Cli.Output;
using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Rotation;
using IronCage.Storage;
using IronCage.Verification;
using Spectre.Console;

namespace IronCage.Cli.Commands;

/// <summary><c>ironcage keys …</c>: the managed keys of the store.</summary>
internal static class KeysCommands
{
    public static Command Build(CliGlobals globals)
    {
        var keys = new Command("keys", "List, add, rotate, revoke, kill and verify managed keys; set their limits and rotation schedules.");
        keys.Add(List(globals));
        keys.Add(ShowKey(globals));
        keys.Add(Add(globals));
        keys.Add(Rotate(globals));
        keys.Add(BulkRotateCommand.Build(globals));
        keys.Add(Supply(globals));
        keys.Add(Revoke(globals));
        keys.Add(Kill(globals));
        keys.Add(Verify(globals));
        keys.Add(KeySettingsCommands.Limits(globals));
        keys.Add(KeySettingsCommands.Schedule(globals));
        return keys;
    }

    private static Command List(CliGlobals globals)
    {
        var provider = new Option<string?>("--provider") { Description = "Only this provider's keys (for example openai)." };
        var command = new Command("list", "List the managed keys: provider, current version's hint, next rotation.") { provider };
        globals.SetAction(command, async (parsed, scope) =>
        {
            ProviderId? only = parsed.GetValue(provider) is { } id ? new ProviderId(id) : null;
            var views = new List<KeyView>();
            await foreach (var key in scope.Get<IKeyStore>().ListAsync(only, scope.CancellationToken).ConfigureAwait(false))
            {
                views.Add(KeyView.From(key));
            }

            views.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            scope.Output.Write(new { keys = views, total = views.Count }, console =>
            {
                console.Write(CliOutput.Table(
                    ["Key", "Kind", "Current", "Versions", "Schedule", "Next due", "Created"],
                    views.Select(v => new[] { v.Key, v.Kind, v.Current, v.Versions.ToString(System.Globalization.CultureInfo.InvariantCulture), v.Schedule, Show.Time(v.NextDueAt), Show.Time(v.CreatedAt) })));
                console.WriteLine($"{views.Count} key(s).");
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command ShowKey(CliGlobals globals)
    {
        var key = KeyArgument.Create();
        var command = new Command("show", "Show one managed key and its versions (hints and ids only).") { key };
        globals.SetAction(command, async (parsed, scope) =>
        {
            var managed = await scope.Get<IKeyStore>().GetAsync(parsed.GetValue(key), scope.CancellationToken).ConfigureAwait(false);
            var view = KeyView.From(managed, withVersions: true);
            scope.Output.Write(view, console =>
            {
                console.Write(CliOutput.Details(
                [
                    ("Key", view.Key),
                    ("Kind", view.Kind),
                    ("Current", view.Current is null ? null : $"{view.Current} ({view.CurrentVersion})"),
                    ("Schedule", view.Schedule),
                    ("Next due", Show.Time(view.NextDueAt)),
                    ("Scope", Pairs(view.Scope)),
                    ("Labels", Pairs(view.Labels)),
                ]));
                console.Write(CliOutput.Table(
                    ["Version", "Stage", "Hint", "Provider id", "Created", "Expires", "Revoked", "Killed"],
                    view.History!.Select(v => new[] { v.VersionId, v.Stage, v.Hint, v.ProviderKeyId, Show.Time(v.CreatedAt), Show.Time(v.ExpiresAt), Show.Time(v.RevokedAt), Show.Time(v.KilledAt) })));
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Add(CliGlobals globals)
    {
        var key = KeyArgument.Create();
        var fromFile = new Option<string?>("--from-file") { Description = "Read the key from this file instead of standard input." };
        var kind = new Option<KeyKind>("--kind") { Description = "Inference (the default) or Admin.", DefaultValueFactory = _ => KeyKind.Inference };
        var scopeOption = new Option<string[]>("--scope") { Description = "A scope entry the provider's adapter needs, as name=value (for example project_id=proj_abc); repeat for more.", AllowMultipleArgumentsPerToken = false };
        var label = new Option<string[]>("--label") { Description = "A label, as name=value; repeat for more." };
        var schedule = new Option<string?>("--schedule") { Description = "How often it rotates: weekly, monthly, quarterly or an ISO period such as P30D." };
        var providerKeyId = new Option<string?>("--provider-key-id") { Description = "The provider's id of this key, when it has one (lets IronCage revoke it after the next rotation)." };
        var noVerify = new Option<bool>("--no-verify") { Description = "Store the key without verifying it at the provider first." };
        var command = new Command("add", "Add a key to the store: read from standard input or --from-file (never from the command line), format-checked, verified at the provider, sealed.")
        {
            key, fromFile, kind, scopeOption, label, schedule, providerKeyId, noVerify,
        };
        globals.SetAction(command, async (parsed, scope) =>
        {
            var policy = new RotationPolicy();
            if (parsed.GetValue(schedule) is { } text)
            {
                policy = new RotationPolicy { Schedule = RotationSchedule.TryParse(text, out var parsedSchedule) ? parsedSchedule : throw new CliConfigurationException($"'{text}' is not a rotation schedule (--schedule): use weekly, monthly, quarterly or an ISO period such as P30D.") };
            }

            var registration = new KeyRegistration
            {
                Reference = parsed.GetValue(key),
                Kind = parsed.GetValue(kind),
                Scope = ParsePairs(parsed.GetValue(scopeOption), "--scope"),
                Labels = ParsePairs(parsed.GetValue(label), "--label"),
                Policy = policy,
                ProviderKeyId = parsed.GetValue(providerKeyId),
                Verify = !parsed.GetValue(noVerify),
            };
            using var secret = await SecretInput.ReadAsync(scope, parsed.GetValue(fromFile), $"the {registration.Reference.Provider.Value} key").ConfigureAwait(false);
            var added = await scope.Get<IKeyRotator>().RegisterAsync(registration, secret, scope.Request(), scope.CancellationToken).ConfigureAwait(false);
            var view = KeyView.From(added);
            scope.Output.Write(view, console => console.WriteLine($"Added {view.Key}: current version {view.CurrentVersion} ({view.Current})."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Rotate(CliGlobals globals)
    {
        var key = KeyArgument.Create();
        var reason = new Option<RotationReason>("--reason") { Description = "Manual (the default), Scheduled, or Compromised: no grace period, the old key is revoked as soon as the new one is verified.", DefaultValueFactory = _ => RotationReason.Manual };
        var revokeFirst = new Option<bool>("--revoke-first") { Description = "With --reason compromised: revoke the old key before anything else (requests fail until the new key is in)." };
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation of an emergency rotation." };
        var command = new Command("rotate", "Rotate a key now with the strategy its provider allows; prints the operation and its step.") { key, reason, revokeFirst, yes };
        globals.SetAction(command, async (parsed, scope) =>
        {
            var reference = parsed.GetValue(key);
            var why = parsed.GetValue(reason);
            var first = parsed.GetValue(revokeFirst);
            if (first && why != RotationReason.Compromised)
            {
                throw new CliConfigurationException("--revoke-first is for emergencies: add --reason compromised, or leave --revoke-first out.");
            }

            if (why == RotationReason.Compromised && !scope.Confirm($"Emergency rotation of {reference}: its current key is revoked {(first ? "before" : "as soon as")} a new one is verified, with no grace period.", parsed.GetValue(yes)))
            {
                scope.Output.Line("Nothing was changed.");
                return ExitCodes.Ok;
            }

            var operation = await scope.Get<IKeyRotator>().RotateAsync(reference, why, scope.Request() with { RevokeFirst = first }, scope.CancellationToken).ConfigureAwait(false);
            return WriteOperation(scope, operation);
        });
        return command;
    }

    private static Command Supply(CliGlobals globals)
    {
        var key = KeyArgument.Create();
        var fromFile = new Option<string?>("--from-file") { Description = "Read the new key from this file instead of standard input." };
        var command = new Command("supply", "Give the new key of a rotation that waits for a person (providers that cannot create keys by API): verified, promoted, the old one retired.") { key, fromFile };
        globals.SetAction(command, async (parsed, scope) =>
        {
            var reference = parsed.GetValue(key);
            using var secret = await SecretInput.ReadAsync(scope, parsed.GetValue(fromFile), $"the new {reference.Provider.Value} key").ConfigureAwait(false);
            var operation = await scope.Get<IKeyRotator>().SupplyNewKeyAsync(reference, secret, scope.Request(), scope.CancellationToken).ConfigureAwait(false);
            return WriteOperation(scope, operation);
        });
        return command;
    }

    private static Command Revoke(CliGlobals globals)
    {
        var key = KeyArgument.Create();
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation." };
        var command = new Command("revoke", "Revoke a key now, without a replacement: at the provider where its API allows, and locally at once.") { key, yes };
        globals.SetAction(command, async (parsed, scope) =>
        {
            var reference = parsed.GetValue(key);
            if (!scope.Confirm($"Revoke {reference} now, with no replacement? Requests that use it will fail.", parsed.GetValue(yes)))
            {
                scope.Output.Line("Nothing was changed.");
                return ExitCodes.Ok;
            }

            var operation = await scope.Get<IKeyRotator>().RevokeAsync(reference, scope.Request(), scope.CancellationToken).ConfigureAwait(false);
            return WriteOperation(scope, operation);
        });
        return command;
    }

    private static Command Kill(CliGlobals globals)
    {
        var key = KeyArgument.Create();
        var version = new Option<string?>("--version") { Description = "The version to stop serving; default: the current one." };
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation." };
        var command = new Command("kill", "The local kill switch: stop serving a key version at once, in every host on this store (the provider is not called).") { key, version, yes };
        globals.SetAction(command, async (parsed, scope) =>
        {
            var reference = parsed.GetValue(key);
            var managed = await scope.Get<IKeyStore>().GetAsync(reference, scope.CancellationToken).ConfigureAwait(false);
            var versionId = parsed.GetValue(version) ?? managed.CurrentVersion?.VersionId
                ?? throw new CliConfigurationException($"{reference} has no current version to kill; give one with --version (see `ironcage keys show {reference}`).");
            if (!scope.Confirm($"Stop serving {reference} version {versionId} now?", parsed.GetValue(yes)))
            {
                scope.Output.Line("Nothing was changed.");
                return ExitCodes.Ok;
            }

            var killed = await scope.Get<IKeyRotator>().KillAsync(reference, versionId, scope.Request(), scope.CancellationToken).ConfigureAwait(false);
            var view = KeyView.From(killed, withVersions: true);
            scope.Output.Write(view, console => console.WriteLine($"Killed {reference} version {versionId}: it is no longer served."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Verify(CliGlobals globals)
    {
        var key = KeyArgument.Create();
        var command = new Command("verify", "Verify a key's current version at its provider with a free, authenticated call.") { key };
        globals.SetAction(command, async (parsed, scope) =>
        {
            var reference = parsed.GetValue(key);
            var managed = await scope.Get<IKeyStore>().GetAsync(reference, scope.CancellationToken).ConfigureAwait(false);
            var current = managed.CurrentVersion
                ?? throw new CliConfigurationException($"{reference} has no current version to verify (see `ironcage keys show {reference}`).");
            using var secret = await scope.Get<ISecretProtector>().OpenAsync(current.Secret, new SecretBinding(reference, current.VersionId), scope.CancellationToken).ConfigureAwait(false);
            var result = await scope.Get<IKeyVerifier>().VerifyAsync(ProviderKeyContext.For(managed), secret, scope.CancellationToken).ConfigureAwait(false);
            var view = new { key = reference.ToString(), version = current.VersionId, hint = current.DisplayHint, valid = result.IsValid, ambiguous = result.IsAmbiguous, status = result.StatusCode, error = result.ErrorKind?.Value, message = result.Message };
            scope.Output.Write(view, console => console.WriteLine(result.IsValid ? $"{reference} ({current.DisplayHint}) is valid." : $"{reference} ({current.DisplayHint}) is not valid: {result.Message}"));
            return result.IsValid ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return command;
    }

    internal static int WriteOperation(CommandScope scope, RotationOperation operation)
    {
        var view = OperationView.From(operation);
        scope.Output.Write(view, console =>
        {
            console.Write(CliOutput.Details(
            [
                ("Operation", view.OperationId),
                ("Key", view.Key),
                ("Kind", view.Kind),
                ("Reason", view.Reason),
                ("Step", view.Step),
                ("Tier", view.Tier),
                ("New key", view.NewKey),
                ("Grace ends", Show.Time(view.GraceEndsAt)),
                ("Last error", view.LastError),
            ]));
        });
        return operation.Step is RotationStep.Failed or RotationStep.RevocationFailed ? ExitCodes.Failure : ExitCodes.Ok;
    }

    private static string? Pairs(IReadOnlyDictionary<string, string> pairs)
        => pairs.Count == 0 ? null : string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}"));

    internal static Dictionary<string, string> ParsePairs(string[]? pairs, string option)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs ?? [])
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliConfigurationException($"'{(pair.Length > 80 ? pair[..80] + "…" : pair)}' ({option}) is not name=value.");
            }

            result[pair[..equals]] = pair[(equals + 1)..];
        }

        return result;
    }
}
