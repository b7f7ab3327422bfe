using System.Text;

namespace OpenErc.Exchange;

/// <summary>
/// The code pages Russian files come in (exchange.md §0.3, §4.4): cp866 (DOS) and cp1251 (Windows). When a file does
/// not say, or says wrong, the one that reads its bytes above 0x7F as more Cyrillic letters and fewer box-drawing
/// characters is taken.
/// </summary>
public static class Encodings
{
    public static readonly Encoding Cp866, Cp1251;

    /// <summary>Windows-1251 that throws <see cref="EncoderFallbackException"/> for a character it lacks instead of writing «?».</summary>
    public static readonly Encoding StrictCp1251;

    /// <summary>Strict UTF-8: bytes that are not UTF-8 throw instead of turning into U+FFFD.</summary>
    public static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    static Encodings()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        Cp866 = Encoding.GetEncoding(866);
        Cp1251 = Encoding.GetEncoding(1251);
        StrictCp1251 = Encoding.GetEncoding(1251, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
    }

    /// <summary>Adds to the two scores what a byte says for cp866 and for cp1251; false when it is ASCII.</summary>
    public static bool Score(byte b, ref long cp866, ref long cp1251)
    {
        if (b < 0x80) return false;
        // cp866: 0x80–0xAF А–п, 0xE0–0xF1 р–я Ё ё; 0xB0–0xDF box drawing.
        cp866 += b is (>= 0x80 and <= 0xAF) or (>= 0xE0 and <= 0xF1) ? 1 : b is >= 0xB0 and <= 0xDF ? -2 : 0;
        // cp1251: 0xC0–0xFF А–я, 0xA8/0xB8 Ё ё.
        cp1251 += b >= 0xC0 || b is 0xA8 or 0xB8 ? 1 : 0;
        return true;
    }

    /// <summary>cp866 or cp1251 for the bytes, null when all are ASCII.</summary>
    public static Encoding? Guess(ReadOnlySpan<byte> bytes)
    {
        long cp866 = 0, cp1251 = 0;
        bool high = false;
        foreach (byte b in bytes) high |= Score(b, ref cp866, ref cp1251);
        return !high ? null : cp866 > cp1251 ? Cp866 : Cp1251;
    }
}
