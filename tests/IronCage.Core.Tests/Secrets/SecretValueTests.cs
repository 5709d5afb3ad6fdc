using System.Text;
using System.Text.Json;
using IronCage.Providers;
using IronCage.Testing;

namespace IronCage.Core.Tests.Secrets;

public sealed class SecretValueTests
{
    private const string Value = "sk-proj-abcdefghijklmnopqrstuvwxyzT3BlbkFJabcdefghijklmnopqrstuvwxyz0123";

    [Fact]
    public void ToString_IsMaskedWithTheHint()
    {
        using var secret = SecretValue.FromString(Value);
        secret.ToString().Should().Be("[secret sk-…0123]").And.NotContain("abcdefghijkl");
        secret.DisplayHint.Should().Be("sk-…0123");
    }

    [Fact]
    public void Interpolation_AndFormatting_AreMasked()
    {
        using var secret = SecretValue.FromString(Value);
        $"{secret}".Should().NotContain("abcdefghij");
        $"{secret,-80}".Should().NotContain("abcdefghij");
        $"{secret:G}".Should().NotContain("abcdefghij");
        string.Format(System.Globalization.CultureInfo.InvariantCulture, "{0}", secret).Should().NotContain("abcdefghij");
        new StringBuilder().Append(secret).Append($"{secret}").ToString().Should().NotContain("abcdefghij");
    }

    [Fact]
    public void Json_WritesTheMaskAndRefusesToRead()
    {
        using var secret = SecretValue.FromString(Value);
        var json = JsonSerializer.Serialize(new { ApiKey = secret, Nested = new[] { secret } });
        json.Should().NotContain("abcdefghij").And.Contain("0123]");
        JsonSerializer.Deserialize<Dictionary<string, object>>(json)!["ApiKey"].ToString().Should().Be("[secret sk-…0123]");

        var read = () => JsonSerializer.Deserialize<SecretValue>("\"" + Value + "\"");
        read.Should().Throw<JsonException>().WithMessage("*never read from JSON*").Which.Message.Should().NotContain("abcdefghij");
    }

    [Fact]
    public void Debugger_SeesTheMaskOnly()
    {
        var display = typeof(SecretValue).GetCustomAttributes(typeof(System.Diagnostics.DebuggerDisplayAttribute), false)
            .Cast<System.Diagnostics.DebuggerDisplayAttribute>().Single();
        display.Value.Should().Be("{ToString(),nq}");

        var proxyType = typeof(SecretValue).GetCustomAttributes(typeof(System.Diagnostics.DebuggerTypeProxyAttribute), false)
            .Cast<System.Diagnostics.DebuggerTypeProxyAttribute>().Single().ProxyTypeName;
        using var secret = SecretValue.FromString(Value);
        var proxy = Activator.CreateInstance(Type.GetType(proxyType)!, secret)!;
        foreach (var property in proxy.GetType().GetProperties())
        {
            (property.GetValue(proxy)?.ToString() ?? string.Empty).Should().NotContain("abcdefghij");
        }

        var field = typeof(SecretValue).GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)
            .Single(f => f.FieldType == typeof(byte[]));
        field.GetCustomAttributes(typeof(System.Diagnostics.DebuggerBrowsableAttribute), false).Should().ContainSingle();
    }

    [Fact]
    public void ExceptionMessages_ContainingTheSecret_AreMasked()
    {
        using var secret = SecretValue.FromString(Value);
        var exception = new IronCageException($"Failed with key {secret}");
        exception.ToString().Should().NotContain("abcdefghij");
    }

    [Fact]
    public void Reveal_ReturnsThePlaintext()
    {
        using var secret = SecretValue.FromString(Value);
        secret.Reveal().Should().Be(Value);
        secret.Length.Should().Be(Encoding.UTF8.GetByteCount(Value));
    }

    [Fact]
    public void Equality_ComparesValues()
    {
        using var a = SecretValue.FromString(Value);
        using var b = SecretValue.FromUtf8(Encoding.UTF8.GetBytes(Value));
        using var c = SecretValue.FromString(Value[..^1] + "4");
        using var shorter = SecretValue.FromString(Value[..^1]);

        a.Equals(b).Should().BeTrue();
        a.Equals((object)b).Should().BeTrue();
        a.Equals(c).Should().BeFalse();
        a.Equals(shorter).Should().BeFalse();
        a.Matches(Value).Should().BeTrue();
        a.Matches(Value + "x").Should().BeFalse();
        a.GetHashCode().Should().Be(b.GetHashCode());
        a.Equals((SecretValue?)null).Should().BeFalse();
    }

    [Fact]
    public void Dispose_ZeroesTheBytesAndBlocksUse()
    {
        var secret = SecretValue.FromString(Value);
        var field = typeof(SecretValue).GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)
            .Single(f => f.FieldType == typeof(byte[]));
        var bytes = (byte[])field.GetValue(secret)!;
        bytes.Should().Contain(b => b != 0);

        secret.Dispose();

        bytes.Should().OnlyContain(b => b == 0);
        secret.IsDisposed.Should().BeTrue();
        secret.Invoking(s => s.Reveal()).Should().Throw<ObjectDisposedException>();
        secret.Invoking(s => s.UseBytes(0, (span, _) => span.Length)).Should().Throw<ObjectDisposedException>();
        secret.ToString().Should().Be("[secret sk-…0123]");
        using var same = SecretValue.FromString(Value);
        secret.Equals(same).Should().BeFalse("a disposed secret equals nothing, and Equals never throws");
        same.Equals((object)secret).Should().BeFalse();
        secret.Dispose();
    }

    [Fact]
    public void Clone_IsIndependent()
    {
        var original = SecretValue.FromString(Value);
        using var clone = original.Clone();
        original.Dispose();
        clone.Reveal().Should().Be(Value);
    }

    [Fact]
    public void UseChars_GivesTheCharactersWithoutAString()
    {
        using var secret = SecretValue.FromString(Value);
        secret.UseChars(0, (chars, _) => chars.StartsWith("sk-proj-")).Should().BeTrue();
        secret.UseBytes(0, (bytes, _) => bytes.Length).Should().Be(Value.Length);
    }

    [Theory]
    [InlineData("short-key", "…")]
    [InlineData("abcdefghijklmnopqrs", "…")]
    [InlineData("abcdefghijklmnopqrst", "abc…qrst")]
    [InlineData("0123456789abcdef0123456789abcdef", "012…cdef")]
    public void DisplayHint_RevealsNothingOfShortSecrets(string value, string hint)
    {
        using var secret = SecretValue.FromString(value);
        secret.DisplayHint.Should().Be(hint);
    }

    [Fact]
    public void FromUtf8_InvalidUtf8_Throws()
    {
        var act = () => SecretValue.FromUtf8([0xC3, 0x28]);
        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Records_ContainingSecrets_DoNotPrintThem()
    {
        using var secret = FakeKeys.Generate(ProviderId.Anthropic);
        var created = new CreatedProviderKey("apikey_01", secret.Clone());
        created.ToString().Should().NotContain(secret.Reveal()[14..30]);
        created.Dispose();
        created.Secret.IsDisposed.Should().BeTrue();
    }
}
