using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace OpenErc.Exchange.Dbf;

/// <summary>A column of a DBF table: its name (upper case as stored), type letter, length and decimals (exchange.md §4.2).</summary>
public sealed record DbfField(string Name, char Type, int Length, int Decimals);

/// <summary>What is wrong in a file: the record (from 1) and field, or the file as a whole when <see cref="Record"/> is null.</summary>
public sealed record DbfError(int? Record, string? Field, string Reason)
{
    public override string ToString() => Record is { } r ? $"запись {r}" + (Field is { } f ? $", поле {f}" : "") + $": {Reason}" : Reason;
}

/// <summary>A live record (deleted ones are skipped): its number in the file (from 1) and its values by field.</summary>
public sealed class DbfRecord(int number, IReadOnlyDictionary<string, object?> values)
{
    public int Number { get; } = number;

    /// <summary>The value of a field by name (any case): string, decimal, DateOnly, DateTime, bool, int or null.</summary>
    public object? this[string field] => values.TryGetValue(field, out var v) ? v : null;

    public bool Has(string field) => values.ContainsKey(field);
}

/// <summary>A table read: its fields, live records, the code page chosen, and every error and warning.</summary>
public sealed record DbfTable(IReadOnlyList<DbfField> Fields, IReadOnlyList<DbfRecord> Records, Encoding Encoding, IReadOnlyList<DbfError> Errors,
    IReadOnlyList<string> Warnings);

/// <summary>
/// dBase III / FoxPro tables (exchange.md §4), read and written by our own code — no package here serves them. The reader
/// checks the header, reads descriptors up to <c>0x0D</c> (never derived from the header length: Visual FoxPro puts a
/// backlink after it), requires Σ field lengths + 1 = record length, refuses a file shorter than its records, skips
/// deleted records and converts values per §4.3; a bad value is an error of its record and field, never a guess.
/// The code page: a forced one (a profile's), else the one of cp866 and cp1251 that reads more Cyrillic letters and
/// fewer box-drawing characters — the code page byte is often 0 or wrong (§4.4). Memo fields (M, G, P) come as null
/// with a warning: memo files are not read. Visual FoxPro's binary floating point (B) is refused as an unknown type: money and volumes
/// are decimal here, and no source of ours writes it.
/// </summary>
public static class DbfFile
{
    /// <summary>The largest table read: 50 million records or 2 GiB, whichever comes first.</summary>
    public const int MaxRecords = 50_000_000;

    /// <summary>The code page a code page byte names (§4.4), null when it names none.</summary>
    public static Encoding? CodePageOf(byte mark) => mark switch
    {
        0x26 or 0x65 => Encodings.Cp866,
        0xC9 or 0x57 => Encodings.Cp1251,
        0x01 => Encoding.GetEncoding(437),
        0x02 => Encoding.GetEncoding(850),
        0x03 => Encoding.GetEncoding(1252),
        0x64 => Encoding.GetEncoding(852),
        0xC8 => Encoding.GetEncoding(1250),
        _ => null,
    };

    public static DbfTable Read(byte[] file, Encoding? codePage = null)
    {
        var errors = new List<DbfError>();
        var warnings = new List<string>();
        if (file.Length < 33) return Refused("Файл короче заголовка DBF (33 байта): это не таблица dBase");
        byte version = file[0];
        if (version is not (0x02 or 0x03 or 0x30 or 0x31 or 0x32 or 0x43 or 0x63 or 0x83 or 0x8B or 0xCB or 0xF5 or 0xFB))
            return Refused($"Неизвестная версия DBF (байт 0 = 0x{version:X2}): это не таблица dBase или FoxPro");
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(4));
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(8));
        int recordLength = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(10));
        if (count > MaxRecords) return Refused($"В таблице {count} записей: больше допустимых {MaxRecords}");

        var fields = new List<DbfField>();
        int at = 32;
        while (true)
        {
            if (at >= file.Length) return Refused("Файл обрезан: нет конца описания полей (байт 0x0D)");
            if (file[at] == 0x0D) break;
            if (at + 32 > file.Length) return Refused("Файл обрезан посреди описания полей");
            var d = file.AsSpan(at, 32);
            int nameLength = d[..11].IndexOf((byte)0) is var z and >= 0 ? z : 11;
            string name = Encoding.ASCII.GetString(d[..nameLength]).Trim().ToUpperInvariant();
            char type = (char)d[11];
            int length = d[16], decimals = d[17];
            if (type == 'C' && decimals > 0) (length, decimals) = (d[16] + 256 * d[17], 0);
            if (name.Length == 0) return Refused($"Поле №{fields.Count + 1} без имени");
            fields.Add(new DbfField(name, type, length, decimals));
            at += 32;
        }
        if (fields.Count == 0) return Refused("В таблице нет полей");
        if (fields.Sum(f => f.Length) + 1 != recordLength)
            return Refused($"Длина записи в заголовке ({recordLength}) не равна сумме длин полей + 1 ({fields.Sum(f => f.Length) + 1})");
        if (headerLength <= at || headerLength > file.Length && count > 0) return Refused($"Неверная длина заголовка: {headerLength}");
        long needed = headerLength + (long)count * recordLength;
        if (needed > file.Length)
            return Refused($"Файл обрезан: заявлено записей {count}, полностью в файле {(file.Length - headerLength) / Math.Max(1, recordLength)}");

        var encoding = codePage ?? Detect(file, fields, headerLength, recordLength, (int)count) ?? CodePageOf(file[29]) ?? Encodings.Cp866;
        foreach (var memo in fields.Where(f => f.Type is 'M' or 'G' or 'P'))
            warnings.Add($"Поле {memo.Name} (memo) не читается: файлы memo не загружаются");

        var records = new List<DbfRecord>((int)count);
        for (int k = 0; k < count; k++)
        {
            var record = file.AsSpan(headerLength + k * recordLength, recordLength);
            if (record[0] == (byte)'*') continue;
            if (record[0] != (byte)' ') errors.Add(new(k + 1, null, $"Неверный признак удаления записи: 0x{record[0]:X2}"));
            var values = new Dictionary<string, object?>(fields.Count, StringComparer.OrdinalIgnoreCase);
            int offset = 1;
            foreach (var f in fields)
            {
                var raw = record.Slice(offset, f.Length);
                offset += f.Length;
                values[f.Name] = Value(f, raw, encoding, k + 1, errors);
            }
            records.Add(new DbfRecord(k + 1, values));
        }
        return new DbfTable(fields, records, encoding, errors, warnings);

        DbfTable Refused(string reason) => new([], [], Encodings.Cp866, [new DbfError(null, null, reason)], []);
    }

    private static object? Value(DbfField f, ReadOnlySpan<byte> raw, Encoding encoding, int record, List<DbfError> errors)
    {
        switch (f.Type)
        {
            case 'C':
            {
                string text = encoding.GetString(raw).TrimEnd(' ', '\0');
                foreach (char c in text)
                    if (char.IsControl(c) || c is >= '\u2500' and <= '\u259F')
                    {
                        errors.Add(new(record, f.Name, $"Текст «{text}» не читается в кодировке {encoding.WebName}: неверная кодировка файла"));
                        return null;
                    }
                return text.Length == 0 ? null : text;
            }
            case 'N' or 'F':
            {
                string text = Encoding.ASCII.GetString(raw).Trim(' ', '\0');
                if (text.Length == 0) return null;
                if (decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)) return n;
                errors.Add(new(record, f.Name, text.Contains('*') ? "Число не поместилось в поле (звёздочки)" : $"Не число: «{text}»"));
                return null;
            }
            case 'D':
            {
                string text = Encoding.ASCII.GetString(raw).Trim(' ', '\0');
                if (text.Length == 0 || text == "00000000") return null;
                if (DateOnly.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return day;
                errors.Add(new(record, f.Name, $"Не дата ГГГГММДД: «{text}»"));
                return null;
            }
            case 'L':
                return raw.Length == 0 ? null : (char)raw[0] switch
                {
                    'T' or 't' or 'Y' or 'y' => true,
                    'F' or 'f' or 'N' or 'n' => false,
                    _ => null,
                };
            case 'I' when raw.Length == 4:
                return BinaryPrimitives.ReadInt32LittleEndian(raw);
            case 'Y' when raw.Length == 8:
                return BinaryPrimitives.ReadInt64LittleEndian(raw) / 10000m;
            case 'T' when raw.Length == 8:
            {
                int julian = BinaryPrimitives.ReadInt32LittleEndian(raw);
                int ms = BinaryPrimitives.ReadInt32LittleEndian(raw[4..]);
                if (julian == 0) return null;
                // Julian day 2 440 588 is 01.01.1970.
                return DateTime.UnixEpoch.AddDays(julian - 2440588).AddMilliseconds(ms);
            }
            case 'M' or 'G' or 'P' or '0':
                return null;
            default:
                errors.Add(new(record, f.Name, $"Неизвестный тип поля «{f.Type}»"));
                return null;
        }
    }

    /// <summary>cp866 or cp1251, whichever reads the text fields as more Cyrillic letters and less box drawing; null when no byte above 0x7F.</summary>
    private static Encoding? Detect(byte[] file, List<DbfField> fields, int headerLength, int recordLength, int count)
    {
        long score866 = 0, score1251 = 0;
        bool high = false;
        int sample = Math.Min(count, 20_000);
        for (int k = 0; k < sample; k++)
        {
            int offset = headerLength + k * recordLength + 1;
            foreach (var f in fields)
            {
                if (f.Type == 'C')
                    foreach (byte b in file.AsSpan(offset, f.Length))
                        high |= Encodings.Score(b, ref score866, ref score1251);
                offset += f.Length;
            }
        }
        return !high ? null : score866 > score1251 ? Encodings.Cp866 : Encodings.Cp1251;
    }

    /// <summary>
    /// A dBase III table (<c>0x03</c>, §4.6) with the fields and rows given: C text (padded, cut at its length), N numbers
    /// right-aligned with their decimals, D dates, L logicals; the code page byte names cp866 or cp1251.
    /// </summary>
    public static byte[] Write(IReadOnlyList<DbfField> fields, IEnumerable<object?[]> rows, Encoding encoding, DateOnly updated)
    {
        var list = rows.ToList();
        int recordLength = 1 + fields.Sum(f => f.Length);
        int headerLength = 32 + 32 * fields.Count + 1;
        var bytes = new byte[headerLength + list.Count * recordLength + 1];
        bytes[0] = 0x03;
        (bytes[1], bytes[2], bytes[3]) = ((byte)(updated.Year - 1900), (byte)updated.Month, (byte)updated.Day);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)list.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)headerLength);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(10), (ushort)recordLength);
        bytes[29] = encoding.CodePage == 1251 ? (byte)0xC9 : (byte)0x26;
        for (int i = 0; i < fields.Count; i++)
        {
            var d = bytes.AsSpan(32 + 32 * i, 32);
            Encoding.ASCII.GetBytes(fields[i].Name, d);
            d[11] = (byte)fields[i].Type;
            d[16] = (byte)fields[i].Length;
            d[17] = (byte)fields[i].Decimals;
        }
        bytes[headerLength - 1] = 0x0D;
        for (int k = 0; k < list.Count; k++)
        {
            var record = bytes.AsSpan(headerLength + k * recordLength, recordLength);
            record.Fill((byte)' ');
            int offset = 1;
            for (int i = 0; i < fields.Count; i++)
            {
                var f = fields[i];
                string text = list[k][i] switch
                {
                    null => "",
                    decimal n => n.ToString("F" + f.Decimals, CultureInfo.InvariantCulture).PadLeft(f.Length),
                    int n => n.ToString(CultureInfo.InvariantCulture).PadLeft(f.Length),
                    DateOnly day => day.ToString("yyyyMMdd", CultureInfo.InvariantCulture),
                    bool b => b ? "T" : "F",
                    var v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "",
                };
                var field = record.Slice(offset, f.Length);
                var encoded = encoding.GetBytes(text);
                encoded.AsSpan(0, Math.Min(encoded.Length, f.Length)).CopyTo(field);
                offset += f.Length;
            }
        }
        bytes[^1] = 0x1A;
        return bytes;
    }
}
