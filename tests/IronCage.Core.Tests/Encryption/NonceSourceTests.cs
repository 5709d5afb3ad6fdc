using IronCage.Internal;

namespace IronCage.Core.Tests.Encryption;

public sealed class NonceSourceTests
{
    [Fact]
    public async Task Fill_ManyThreadsManyBatches_NeverRepeatsANonce()
    {
        const int PerThread = 5_000; // 125 refills of the per-thread batch each
        var nonces = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            var mine = new List<string>(PerThread);
            Span<byte> nonce = stackalloc byte[NonceSource.NonceSize];
            for (var i = 0; i < PerThread; i++)
            {
                NonceSource.Fill(nonce);
                mine.Add(Convert.ToHexString(nonce));
            }

            return mine;
        })));

        var all = nonces.SelectMany(n => n).ToList();
        all.Should().HaveCount(4 * PerThread).And.OnlyHaveUniqueItems();
        all.Should().NotContain(new string('0', NonceSource.NonceSize * 2), "a handed-out slot is cleared, never handed out again as zeros");
    }

    [Fact]
    public void Fill_WrongLength_Throws()
    {
        var act = () => NonceSource.Fill(new byte[16]);

        act.Should().Throw<ArgumentException>().WithMessage("*12 bytes*");
    }
}
