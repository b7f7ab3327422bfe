using System.Numerics;

namespace OpenErc.Operations.Receipts;

/// <summary>A QR code symbol: <see cref="Size"/> × <see cref="Size"/> modules, without the quiet zone.</summary>
public sealed class QrSymbol(int version, int size, bool[] modules, int mask)
{
    public int Version { get; } = version;
    public int Size { get; } = size;
    public int Mask { get; } = mask;

    /// <summary>True for a dark module at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public bool this[int x, int y] => modules[y * Size + x];
}

/// <summary>
/// A QR code encoder (ISO/IEC 18004) for what a receipt needs: the bytes of the payment string in byte mode at error
/// correction level M (epd-and-qr.md §4.5), the smallest version that holds them, the mask of the lowest penalty.
/// QRCoder builds the payment string; its symbol encoder works on strings of '0' and '1' and takes about 2 ms for a
/// receipt's code — a third of a printed page — while this one, on bytes and flat arrays, takes a small fraction of
/// that. The algorithm follows Project Nayuki's reference implementation (MIT); the test checks the symbols against
/// QRCoder's module for module and reads them back with zbarimg.
/// </summary>
public static class QrEncoder
{
    // Level M, by version (index 0 unused): error correction codewords per block and the number of blocks.
    private static readonly int[] EccPerBlock =
        [-1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28];
    private static readonly int[] Blocks =
        [-1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49];
    private const int FormatBitsM = 0;

    /// <param name="forceMask">A mask to use instead of the best one (tests compare symbols with another encoder's choice).</param>
    public static QrSymbol Encode(ReadOnlySpan<byte> data, int? forceMask = null)
    {
        int version = 1;
        while (4 + CountBits(version) + data.Length * 8 > DataCodewords(version) * 8)
            if (++version > 40) throw new ArgumentException($"Строка QR-кода слишком длинная: {data.Length} байт");
        var codewords = Interleave(version, Pad(version, data));

        int size = version * 4 + 17;
        var modules = new bool[size * size];
        var function = new bool[size * size];
        DrawFunctionPatterns(version, size, modules, function);
        DrawCodewords(size, codewords, modules, function);

        int best = forceMask ?? BestMask(version, size, modules, function);
        var masked = new bool[modules.Length];
        var flip = Flips(version, size, best, function).Modules;
        for (int i = 0; i < masked.Length; i++) masked[i] = modules[i] ^ flip[i];
        DrawFormatBits(size, best, (x, y, dark) => masked[y * size + x] = dark);
        return new QrSymbol(version, size, masked, best);
    }

    /// <summary>
    /// The mask of the lowest penalty. The symbol is packed into bit rows and bit columns once; each mask is then a
    /// word-wise XOR with its packed pattern and the format bits set on top, rather than a pass over every module.
    /// </summary>
    private static int BestMask(int version, int size, bool[] modules, bool[] function)
    {
        int words = (size + 63) >> 6, length = size * words;
        var packed = new ulong[2 * length];
        Pack(size, modules, packed);
        var rows = new ulong[length];
        var columns = new ulong[length];
        int best = 0, bestPenalty = int.MaxValue;
        for (int mask = 0; mask < 8; mask++)
        {
            var flip = Flips(version, size, mask, function).Packed;
            for (int i = 0; i < length; i++)
            {
                rows[i] = packed[i] ^ flip[i];
                columns[i] = packed[length + i] ^ flip[length + i];
            }
            DrawFormatBits(size, mask, (x, y, dark) =>
            {
                SetBit(rows, y * words + (x >> 6), x & 63, dark);
                SetBit(columns, x * words + (y >> 6), y & 63, dark);
            });
            int penalty = Penalty(size, words, rows, columns);
            if (penalty < bestPenalty) (best, bestPenalty) = (mask, penalty);
        }
        return best;
    }

    private static void SetBit(ulong[] words, int word, int bit, bool value)
    {
        if (value) words[word] |= 1UL << bit;
        else words[word] &= ~(1UL << bit);
    }

    /// <summary>Modules as bit rows followed by bit columns, (size + 63) / 64 words each.</summary>
    private static void Pack(int size, bool[] modules, ulong[] into)
    {
        int words = (size + 63) >> 6, columns = size * words;
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                if (modules[y * size + x])
                {
                    into[y * words + (x >> 6)] |= 1UL << (x & 63);
                    into[columns + x * words + (y >> 6)] |= 1UL << (y & 63);
                }
    }

    /// <summary>
    /// Which modules a mask inverts — its pattern outside the function patterns — as modules and packed. The same for
    /// every symbol of a version, so each is computed once (a race computes it twice, to equal arrays).
    /// </summary>
    private static (bool[] Modules, ulong[] Packed) Flips(int version, int size, int mask, bool[] function)
    {
        if (FlipCache[version, mask] is { } cached) return cached;
        var modules = Flip(size, mask, function);
        var packed = new ulong[2 * size * ((size + 63) >> 6)];
        Pack(size, modules, packed);
        return (FlipCache[version, mask] = (modules, packed)).Value;
    }

    private static readonly (bool[] Modules, ulong[] Packed)?[,] FlipCache = new (bool[], ulong[])?[41, 8];

    private static bool[] Flip(int size, int mask, bool[] function)
    {
        var flip = new bool[size * size];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                flip[y * size + x] = !function[y * size + x] && mask switch
                {
                    0 => (x + y) % 2 == 0,
                    1 => y % 2 == 0,
                    2 => x % 3 == 0,
                    3 => (x + y) % 3 == 0,
                    4 => (x / 3 + y / 2) % 2 == 0,
                    5 => x * y % 2 + x * y % 3 == 0,
                    6 => (x * y % 2 + x * y % 3) % 2 == 0,
                    _ => ((x + y) % 2 + x * y % 3) % 2 == 0,
                };
        return flip;
    }

    private static int CountBits(int version) => version <= 9 ? 8 : 16;

    private static int RawDataModules(int version)
    {
        int result = (16 * version + 128) * version + 64;
        if (version >= 2)
        {
            int align = version / 7 + 2;
            result -= (25 * align - 10) * align - 55;
            if (version >= 7) result -= 36;
        }
        return result;
    }

    private static int DataCodewords(int version) => RawDataModules(version) / 8 - EccPerBlock[version] * Blocks[version];

    /// <summary>Mode, count, the bytes, the terminator and the pad codewords 0xEC 0x11 up to the version's capacity.</summary>
    private static byte[] Pad(int version, ReadOnlySpan<byte> data)
    {
        var result = new byte[DataCodewords(version)];
        int bit = 0;
        void Append(int value, int length)
        {
            for (int i = length - 1; i >= 0; i--, bit++)
                if (((value >> i) & 1) != 0) result[bit >> 3] |= (byte)(0x80 >> (bit & 7));
        }
        Append(0b0100, 4);
        Append(data.Length, CountBits(version));
        foreach (var b in data) Append(b, 8);
        bit = Math.Min(bit + 4, result.Length * 8); // the terminator's zeros
        bit = (bit + 7) & ~7;
        for (int i = bit >> 3, pad = 0; i < result.Length; i++, pad ^= 1) result[i] = pad == 0 ? (byte)0xEC : (byte)0x11;
        return result;
    }

    /// <summary>Splits the data into blocks, adds each block's Reed–Solomon codewords and interleaves them.</summary>
    private static byte[] Interleave(int version, byte[] data)
    {
        int blocks = Blocks[version], ecc = EccPerBlock[version];
        int raw = RawDataModules(version) / 8, shortBlocks = blocks - raw % blocks, shortLength = raw / blocks;
        var divisor = Divisors[ecc] ??= Divisor(ecc);
        var all = new byte[blocks][];
        for (int i = 0, k = 0; i < blocks; i++)
        {
            int length = shortLength - ecc + (i < shortBlocks ? 0 : 1);
            var block = new byte[shortLength + 1];
            data.AsSpan(k, length).CopyTo(block);
            Remainder(data.AsSpan(k, length), divisor, block.AsSpan(shortLength + 1 - ecc));
            k += length;
            all[i] = block;
        }
        var result = new byte[raw];
        int n = 0;
        for (int i = 0; i <= shortLength; i++)
            for (int j = 0; j < blocks; j++)
                // Short blocks have no codeword at the position where long blocks have their last data codeword.
                if (i != shortLength - ecc || j >= shortBlocks) result[n++] = all[j][i];
        return result;
    }

    /// <summary>Reed–Solomon divisors by degree, as logarithms; made once.</summary>
    private static readonly byte[]?[] Divisors = new byte[31][];

    /// <summary>Powers of 2 in GF(2⁸), twice over so a sum of two logarithms needs no reduction, and their logarithms.</summary>
    private static readonly byte[] Exp = new byte[512], Log = new byte[256];

    static QrEncoder()
    {
        for (int i = 0, x = 1; i < 255; i++, x = Multiply(x, 0x02))
        {
            Exp[i] = Exp[i + 255] = (byte)x;
            Log[x] = (byte)i;
        }
    }

    /// <summary>The generator polynomial of <paramref name="degree"/>, its coefficients as logarithms (all are non-zero).</summary>
    private static byte[] Divisor(int degree)
    {
        var result = new byte[degree];
        result[degree - 1] = 1;
        int root = 1;
        for (int i = 0; i < degree; i++)
        {
            for (int j = 0; j < degree; j++)
            {
                result[j] = Multiply(result[j], root);
                if (j + 1 < degree) result[j] ^= result[j + 1];
            }
            root = Multiply(root, 0x02);
        }
        for (int i = 0; i < degree; i++) result[i] = Log[result[i]];
        return result;
    }

    private static void Remainder(ReadOnlySpan<byte> data, byte[] divisor, Span<byte> result)
    {
        result.Clear();
        foreach (var b in data)
        {
            int factor = b ^ result[0];
            result[1..].CopyTo(result);
            result[^1] = 0;
            if (factor == 0) continue;
            int log = Log[factor];
            for (int i = 0; i < result.Length; i++) result[i] ^= Exp[divisor[i] + log];
        }
    }

    /// <summary>Product in GF(2⁸) modulo x⁸ + x⁴ + x³ + x² + 1.</summary>
    private static byte Multiply(int x, int y)
    {
        int z = 0;
        for (int i = 7; i >= 0; i--)
        {
            z = (z << 1) ^ ((z >> 7) * 0x11D);
            z ^= ((y >> i) & 1) * x;
        }
        return (byte)z;
    }

    /// <summary>Sets a module of a function pattern, and marks it as one in <paramref name="function"/> when given.</summary>
    private static void Set(int size, bool[] modules, bool[]? function, int x, int y, bool dark)
    {
        modules[y * size + x] = dark;
        if (function is not null) function[y * size + x] = true;
    }

    private static void DrawFunctionPatterns(int version, int size, bool[] modules, bool[] function)
    {
        for (int i = 0; i < size; i++)
        {
            Set(size, modules, function, 6, i, i % 2 == 0);
            Set(size, modules, function, i, 6, i % 2 == 0);
        }
        foreach (var (cx, cy) in new[] { (3, 3), (size - 4, 3), (3, size - 4) })
            for (int dy = -4; dy <= 4; dy++)
                for (int dx = -4; dx <= 4; dx++)
                {
                    int distance = Math.Max(Math.Abs(dx), Math.Abs(dy)), x = cx + dx, y = cy + dy;
                    if (x >= 0 && x < size && y >= 0 && y < size) Set(size, modules, function, x, y, distance != 2 && distance != 4);
                }
        var align = AlignmentPositions(version, size);
        for (int i = 0; i < align.Length; i++)
            for (int j = 0; j < align.Length; j++)
            {
                if (i == 0 && j == 0 || i == 0 && j == align.Length - 1 || i == align.Length - 1 && j == 0) continue; // the finders' corners
                for (int dy = -2; dy <= 2; dy++)
                    for (int dx = -2; dx <= 2; dx++)
                        Set(size, modules, function, align[i] + dx, align[j] + dy, Math.Max(Math.Abs(dx), Math.Abs(dy)) != 1);
            }
        // Reserves the format areas; the real bits are drawn with the mask.
        DrawFormatBits(size, 0, (x, y, dark) => Set(size, modules, function, x, y, dark));
        if (version >= 7)
        {
            int rem = version;
            for (int i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >> 11) * 0x1F25);
            int bits = version << 12 | rem;
            for (int i = 0; i < 18; i++)
            {
                bool dark = ((bits >> i) & 1) != 0;
                int a = size - 11 + i % 3, b = i / 3;
                Set(size, modules, function, a, b, dark);
                Set(size, modules, function, b, a, dark);
            }
        }
    }

    private static int[] AlignmentPositions(int version, int size)
    {
        if (version == 1) return [];
        int count = version / 7 + 2;
        int step = (version * 8 + count * 3 + 5) / (count * 4 - 4) * 2;
        var result = new int[count];
        result[0] = 6;
        for (int i = count - 1, position = size - 7; i >= 1; i--, position -= step) result[i] = position;
        return result;
    }

    private static void DrawFormatBits(int size, int mask, Action<int, int, bool> set)
    {
        int data = FormatBitsM << 3 | mask, rem = data;
        for (int i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >> 9) * 0x537);
        int bits = (data << 10 | rem) ^ 0x5412;
        bool Bit(int i) => ((bits >> i) & 1) != 0;
        for (int i = 0; i <= 5; i++) set(8, i, Bit(i));
        set(8, 7, Bit(6));
        set(8, 8, Bit(7));
        set(7, 8, Bit(8));
        for (int i = 9; i < 15; i++) set(14 - i, 8, Bit(i));
        for (int i = 0; i < 8; i++) set(size - 1 - i, 8, Bit(i));
        for (int i = 8; i < 15; i++) set(8, size - 15 + i, Bit(i));
        set(8, size - 8, true); // the dark module
    }

    /// <summary>The codewords' bits in the zigzag of two-module columns, right to left, skipping the function patterns.</summary>
    private static void DrawCodewords(int size, byte[] data, bool[] modules, bool[] function)
    {
        int i = 0;
        for (int right = size - 1; right >= 1; right -= 2)
        {
            if (right == 6) right = 5; // the vertical timing pattern
            bool upward = ((right + 1) & 2) == 0;
            for (int vert = 0; vert < size; vert++)
                for (int j = 0; j < 2; j++)
                {
                    int x = right - j, y = upward ? size - 1 - vert : vert;
                    if (function[y * size + x] || i >= data.Length * 8) continue;
                    modules[y * size + x] = ((data[i >> 3] >> (7 - (i & 7))) & 1) != 0;
                    i++;
                }
        }
    }

    /// <summary>
    /// The standard's penalty (N1 = 3, N2 = 3, N3 = 40, N4 = 10): runs, 2×2 blocks, finder-like patterns, dark balance,
    /// as the reference implementation scores them. It runs for all eight masks of every receipt, so it works on bit
    /// rows and bit columns: runs are found by their boundaries, 2×2 blocks and dark modules by word operations,
    /// instead of a branch per module that the processor cannot predict.
    /// </summary>
    private static int Penalty(int size, int words, ReadOnlySpan<ulong> rows, ReadOnlySpan<ulong> columns)
    {
        int result = 0, darkCount = 0;
        for (int i = 0; i < size; i++)
        {
            result += Line(rows.Slice(i * words, words), size);
            result += Line(columns.Slice(i * words, words), size);
        }
        ulong lastWord = (size & 63) == 0 ? ulong.MaxValue : (1UL << (size & 63)) - 1;
        for (int y = 0; y < size; y++)
            for (int w = 0; w < words; w++)
            {
                ulong a = rows[y * words + w];
                darkCount += BitOperations.PopCount(a);
                if (y == size - 1) continue;
                ulong b = rows[(y + 1) * words + w];
                // Bit x: modules (x, y), (x + 1, y), (x, y + 1), (x + 1, y + 1) all alike; x + 1 must be inside the symbol.
                ulong aNext = (a >> 1) | (w + 1 < words ? rows[y * words + w + 1] << 63 : 0);
                ulong bNext = (b >> 1) | (w + 1 < words ? rows[(y + 1) * words + w + 1] << 63 : 0);
                ulong alike = ~(a ^ b) & ~(a ^ aNext) & ~(b ^ bNext);
                ulong inside = w == words - 1 ? lastWord >> 1 : ulong.MaxValue;
                result += 3 * BitOperations.PopCount(alike & inside);
            }
        int total = size * size;
        int k = (Math.Abs(darkCount * 20 - total * 10) + total - 1) / total - 1;
        return result + k * 10;
    }

    /// <summary>
    /// Runs of five or more (3 + the length beyond five) and finder-like 1:1:3:1:1 patterns with four light modules
    /// beside them (40 each) along one row or column of <paramref name="size"/> bits; the light quiet zone counts on both
    /// ends, as in the reference implementation. The last seven run lengths are kept in locals.
    /// </summary>
    private static int Line(ReadOnlySpan<ulong> bits, int size)
    {
        int result = 0, h0 = 0, h1 = 0, h2 = 0, h3 = 0, h4 = 0, h5 = 0, h6 = 0;
        void Push(int length)
        {
            if (h0 == 0) length += size; // the light quiet zone before the line
            (h6, h5, h4, h3, h2, h1, h0) = (h5, h4, h3, h2, h1, h0, length);
        }
        int FinderLike()
        {
            bool core = h1 > 0 && h2 == h1 && h3 == h1 * 3 && h4 == h1 && h5 == h1;
            return (core && h0 >= h1 * 4 && h6 >= h1 ? 1 : 0) + (core && h6 >= h1 * 4 && h0 >= h1 ? 1 : 0);
        }
        bool dark = (bits[0] & 1) != 0;
        if (dark)
        {
            Push(0); // the line starts dark: an empty light run, which the quiet zone lengthens
            result += FinderLike() * 40;
        }
        int start = 0;
        ulong inside = (size & 63) == 0 ? ulong.MaxValue : (1UL << (size & 63)) - 1;
        for (int w = 0; w < bits.Length; w++)
        {
            ulong word = bits[w];
            ulong before = w == 0 ? word & 1 : bits[w - 1] >> 63;
            // Bit p set: module p differs from module p − 1, so a run ends before p.
            ulong change = word ^ ((word << 1) | before);
            if (w == bits.Length - 1) change &= inside;
            while (change != 0)
            {
                int p = w * 64 + BitOperations.TrailingZeroCount(change);
                change &= change - 1;
                int length = p - start;
                if (length >= 5) result += length - 2;
                Push(length);
                if (!dark) result += FinderLike() * 40;
                dark = !dark;
                start = p;
            }
        }
        int last = size - start;
        if (last >= 5) result += last - 2;
        if (dark)
        {
            Push(last);
            Push(size); // the light quiet zone after the line
        }
        else Push(last + size);
        return result + FinderLike() * 40;
    }
}
