using System.Collections.Concurrent;
using System.Security.Cryptography;
using IronCage.Encryption;
using IronCage.Leaks.Redaction;
using IronCage.Leaks.Tests.Support;
using IronCage.Providers;
using IronCage.Storage;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Leaks.Tests.Redaction;

public sealed partial class KeyValueRedactorTests
{
    [Fact]
    public async Task Log_SecretParameterCarryingKeys_NeverShowsAKeyValue()
    {
        var unmanaged = LeakTestKeys.Generate(ProviderId.Anthropic);
        var managedShaped = LeakTestKeys.Generate(ProviderId.OpenAI);
        var managedCustom = "gw-" + RandomNumberGenerator.GetHexString(40, lowercase: true);
        var store = new InMemoryKeyStore();
        await store.CreateAsync(LeakTestKeys.ManagedKey(ProviderId.OpenAI, "prod", (managedShaped, KeyStage.Current)));
        await store.CreateAsync(LeakTestKeys.ManagedKey(ProviderId.OpenAI, "gateway", (managedCustom, KeyStage.Previous)));
        var logs = new CapturingLoggerProvider();
        await using var services = Services(store, logs);
        (await services.GetRequiredService<ManagedKeyScannerSource>().GetAsync()).ManagedKeys.Count.Should().Be(2);
        services.GetRequiredService<IRedactorProvider>().GetRedactor(new(IronCageDataClassifications.Secret)).Redact("x " + managedCustom).Should().Be("x [REDACTED]");
        var logger = services.GetRequiredService<ILogger<KeyValueRedactorTests>>();

        var prompt = $"the tool printed {unmanaged} and then {managedShaped}; the gateway token is {managedCustom}.";
        services.GetRequiredService<IRedactorProvider>().GetRedactor(new(IronCageDataClassifications.Secret)).Redact(prompt).Should().Be("the tool printed [REDACTED] and then [REDACTED]; the gateway token is [REDACTED].");
        PromptSent(logger, "gpt-4o", prompt);

        var line = logs.Lines.Should().ContainSingle().Subject;
        line.Should().Contain("gpt-4o").And.Contain("the tool printed [REDACTED] and then [REDACTED]; the gateway token is [REDACTED].");
        foreach (var value in new[] { unmanaged, managedShaped, managedCustom })
        {
            string.Join('\n', logs.Lines.Concat(logs.Values)).Should().NotContain(value);
        }
    }

    [Fact]
    public async Task Redact_TextWithoutKeys_IsUnchanged()
    {
        await using var services = Services(new InMemoryKeyStore(), new CapturingLoggerProvider());
        var redactor = services.GetRequiredService<IRedactorProvider>().GetRedactor(new(IronCageDataClassifications.Secret));
        const string text = "commit 3f7d519c0b353e3a9d8bac1f6f8f8cd0f92aaaa and id 123e4567-e89b-12d3-a456-426614174000";

        redactor.Redact(text).Should().Be(text);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Sent a prompt to {Model}: {Prompt}")]
    private static partial void PromptSent(ILogger logger, string model, [SecretData] string prompt);

    private static ServiceProvider Services(IKeyStore store, ILoggerProvider logs)
    {
        var services = new ServiceCollection();
        services.AddSingleton(store);
        services.AddSingleton(LeakTestKeys.Fingerprinter);
        services.AddSingleton(LeakTestKeys.Catalog);
        services.AddSingleton<IClock>(FakeClock.FromUtc(2026, 12, 1, 9, 0, 0));
        services.AddLogging(b => b.EnableRedaction().AddProvider(logs));
        services.AddRedaction(r => r.AddIronCageRedactor());
        return services.BuildServiceProvider();
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider, ILogger
    {
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly ConcurrentQueue<string> _values = new();

        public IReadOnlyList<string> Lines => [.. _lines];

        public IReadOnlyList<string> Values => [.. _values];

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            _lines.Enqueue(formatter(state, exception));
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (var pair in pairs)
                {
                    _values.Enqueue(pair.Value?.ToString() ?? string.Empty);
                }
            }
        }

        public void Dispose()
        {
        }
    }
}
