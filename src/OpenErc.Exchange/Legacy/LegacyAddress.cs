namespace OpenErc.Exchange.Legacy;

/// <summary>
/// An address as earlier systems write it in one line («г. Новоград, ул. Ленина, д. 5, корп. 1»), split into the
/// registry's parts by the marks of each: the settlement («г.», «пос.», «с.», …), the street («ул.», «пр-т», «пер.», …),
/// the house («д.», «дом») and the block («корп.», «к.»); the region is not read (an import is told it).
/// </summary>
public static class LegacyAddress
{
    public static (string? Settlement, string? Street, string? House, string? Block) Parse(string address)
    {
        string? settlement = null, street = null, house = null, block = null;
        foreach (var raw in address.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string part = raw.ToLowerInvariant();
            if (part.StartsWith("д.", StringComparison.Ordinal) || part.StartsWith("дом ", StringComparison.Ordinal))
                house = raw[(raw.IndexOf(' ') is var sp and > 0 ? sp : 2)..].Trim();
            else if (part.StartsWith("корп", StringComparison.Ordinal) || part.StartsWith("к.", StringComparison.Ordinal))
                block = raw[(raw.IndexOf(' ') is var sp and > 0 ? sp : 2)..].Trim();
            else if (new[] { "ул.", "ул ", "пр-т", "просп", "пер.", "б-р", "бульв", "ш.", "шоссе", "пл.", "наб.", "мкр", "проезд", "тракт", "аллея" }
                     .Any(m => part.StartsWith(m, StringComparison.Ordinal) || part.EndsWith(" " + m.TrimEnd('.', ' '), StringComparison.Ordinal)))
                street ??= raw;
            else if (new[] { "г.", "г ", "город", "пос.", "п.", "пгт", "рп", "с.", "село", "дер.", "д ", "ст-ца", "х." }.Any(m => part.StartsWith(m, StringComparison.Ordinal)))
                settlement ??= raw;
        }
        return (settlement, street, house, block);
    }
}
