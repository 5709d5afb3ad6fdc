using NodaTime;

namespace IronCage.Core.Tests.Model;

/// <summary>Schedules and policy spans are bounded to 10 years, so nothing computed from them can overflow later.</summary>
public sealed class RotationScheduleBoundsTests
{
    [Theory]
    [InlineData("P10000Y")]
    [InlineData("P11Y")]
    [InlineData("P121M")]
    [InlineData("P3654D")]
    [InlineData("P2147483647D")]
    [InlineData("PT100000H")]
    public void Parse_SpanOverTenYears_IsRefusedWithAShortTypedError(string text)
    {
        var act = () => RotationSchedule.Parse(text);

        act.Should().Throw<RotationPolicyException>().Which.Message.Should().Contain("10 years");
        RotationSchedule.TryParse(text, out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("P10Y")]
    [InlineData("P120M")]
    [InlineData("P3652D")]
    public void Parse_SpanOfAtMostTenYears_IsAccepted(string text) => RotationSchedule.Parse(text).Should().NotBeNull();

    [Fact]
    public void FromPeriod_TenThousandYears_IsRefused()
        => FluentActions.Invoking(() => RotationSchedule.FromPeriod(Period.FromYears(10_000))).Should().Throw<RotationPolicyException>();

    [Fact]
    public void Parse_MegabyteText_QuotesOnlyAShortPiece()
        => FluentActions.Invoking(() => RotationSchedule.Parse(new string('P', 1024 * 1024))).Should().Throw<RotationPolicyException>().Which.Message.Length.Should().BeLessThan(512);

    [Fact]
    public void KeyReferenceParse_MegabyteName_QuotesOnlyAShortPiece()
    {
        var parse = () => KeyReference.Parse("openai/" + new string('x', 1024 * 1024));
        var construct = () => new KeyReference(ProviderId.OpenAI, new string('x', 1024 * 1024));

        parse.Should().Throw<FormatException>().Which.Message.Length.Should().BeLessThan(512);
        construct.Should().Throw<ArgumentException>().Which.Message.Length.Should().BeLessThan(512);
    }
}
