using System.Text;
using OpenErc.Operations.Receipts;
using QRCoder;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>
/// The receipt's QR encoder gives the symbols QRCoder gives, module for module, from version 1 to 40. Where the two
/// choose different masks (QRCoder's penalty scoring departs from the standard's in places) the symbol with QRCoder's
/// mask is compared; the receipt tests read the encoder's own choice back with zbarimg.
/// </summary>
public sealed class QrEncoderTests
{
    public static TheoryData<int> Lengths => [1, 14, 15, 40, 100, 180, 271, 321, 424, 455, 600, 1000, 1500, 2331];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void The_symbol_is_QRCoders_at_level_M(int length)
    {
        var random = new Random(length);
        var text = string.Concat(Enumerable.Range(0, length).Select(_ => "ST00012|Name=ООО «ЕРЦ»|Sum=523417|PersAcc=1002003001|"[random.Next(50)]));
        var bytes = Encoding.UTF8.GetBytes(text)[..length];

        using var generator = new QRCodeGenerator();
        using var theirs = generator.CreateQrCode(bytes, QRCodeGenerator.ECCLevel.M);
        var matrix = theirs.ModuleMatrix;
        bool Same(QrSymbol s) => Enumerable.Range(0, s.Size * s.Size).All(i => s[i % s.Size, i / s.Size] == matrix[i / s.Size + 4][i % s.Size + 4]);

        var ours = QrEncoder.Encode(bytes);
        (ours.Size + 8).ShouldBe(matrix.Count, $"version {ours.Version}");
        var masks = Enumerable.Range(0, 8).Where(m => Same(QrEncoder.Encode(bytes, m))).ToList();
        masks.Count.ShouldBe(1, $"version {ours.Version}: exactly one mask gives QRCoder's symbol");
        if (Same(ours)) ours.Mask.ShouldBe(masks[0]);
    }

    [Fact]
    public void A_string_longer_than_version_40_holds_is_refused()
    {
        Should.Throw<ArgumentException>(() => QrEncoder.Encode(new byte[2332])).Message.ShouldStartWith("Строка QR-кода слишком длинная");
    }
}
