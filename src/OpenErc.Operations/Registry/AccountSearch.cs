using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpenErc.Core.Accounts;
using OpenErc.Operations.Payments;
using OpenErc.Storage;

namespace OpenErc.Operations.Registry;

/// <summary>One line of the account search: what an operator needs to recognise the account.</summary>
public sealed record AccountSummary(
    long Id, string Number, long PremiseId, string PremiseNumber, long BuildingId, string Address,
    string? Payer, decimal Share, DateOnly OpenedOn, DateOnly? ClosedOn, AccountStatus Status);

public sealed record Page<T>(IReadOnlyList<T> Items, int Total, int PageNumber, int PageSize);

public enum AccountSort { Number, Address, Payer, OpenedOn }

/// <summary>
/// Finds accounts as operators type them: by number (six digits or more: a prefix), by address
/// (<c>Ленина 5 кв 12</c>, <c>Ленина, 5-12</c>, <c>черёмуховая д. 17 корп. 2</c>) or by the payer's name, with «ё» = «е»
/// and in any case; the exact flat comes first, then flats whose number begins with it (12 → 120, 121…).
/// </summary>
/// <remarks>
/// <para><b>At region scale</b> (1.1 M accounts) every path starts from an index: the street's words go through the
/// trigram index on <c>buildings.address</c> (as case-insensitive regular expressions, which pg_trgm indexes, with «е» as
/// <c>[её]</c>), and the accounts are then reached by their own search keys — the building and flat through
/// <c>(search_building_id, search_flat)</c>, the payer's name through its trigram index, and-ed with the flats' b-tree —
/// and numbers through the unique index. The old single <c>ILIKE</c> over the concatenated address and name could use
/// none of them (4.2 s for a total at 1.1 M accounts).</para>
/// <para><b>Reading a query.</b> Words with letters are the street (and town) or the payer's name: all of them in the
/// address, or all in the name (a mixture of street and name is not read). Numbers after «д»/«дом», «корп»/«к», «стр»
/// belong to the house, after «кв»/«пом» to the flat; unmarked, the first is the house and the second the flat
/// (<c>5-12</c> is both), and a lone one is the house or the flat. House numbers match a whole word of the address
/// («5» is not «15» nor «5А»). For a payer's name the last number is the flat.</para>
/// </remarks>
public static partial class AccountSearch
{
    public const int MaxPageSize = 200;

    /// <summary>A query longer than this is cut: no address or name needs more, and each word is a condition.</summary>
    public const int MaxWords = 8;

    /// <summary>
    /// At most this many buildings are taken from a query's words, and at most this many accounts from each way of reading
    /// it: a word of one letter matches most of a region's payers, and a search is a request that must stay bounded (such a
    /// query finds the first of them, and its total is at most this).
    /// </summary>
    public const int MaxMatches = 50_000;

    public static async Task<Page<AccountSummary>> FindAsync(OpenErcDbContext db, string? text, int page = 1, int pageSize = 25,
        AccountSort sort = AccountSort.Number, bool descending = false, long? buildingId = null, bool? open = null, long[]? withinBuildings = null,
        CancellationToken ct = default)
    {
        (page, pageSize) = SqlPage.Clamp(page, pageSize);
        var query = SearchQuery.Parse(text);
        await db.Database.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand { Connection = (NpgsqlConnection)db.Database.GetDbConnection() };
        var filters = new List<string>();
        if (buildingId is { } bid)
        {
            filters.Add("a.search_building_id = @building");
            cmd.Parameters.Add(new NpgsqlParameter<long>("building", bid));
        }
        if (withinBuildings is { } within)
        {
            filters.Add("a.search_building_id = ANY(@within)");
            cmd.Parameters.Add(new NpgsqlParameter<long[]>("within", within));
        }
        if (open is { } o) filters.Add(o ? "a.closed_on IS NULL" : "a.closed_on IS NOT NULL");
        string where = filters.Count > 0 ? "WHERE " + string.Join(" AND ", filters) : "";
        string direction = descending ? "DESC" : "ASC";
        string order = sort switch
        {
            AccountSort.Address => $"b.address {direction}, length(p.number) {direction}, p.number {direction}",
            AccountSort.Payer => $"pp.full_name {direction} NULLS LAST, a.number",
            AccountSort.OpenedOn => $"a.opened_on {direction}, a.number",
            _ => $"a.number {direction}",
        };
        const string columns = "a.id, a.number, p.id, p.number, b.id, b.address, pp.full_name, a.share, a.opened_on, a.closed_on";
        const string joins = """
            JOIN premises p ON p.id = a.premise_id
            JOIN buildings b ON b.id = p.building_id
            LEFT JOIN people pp ON pp.id = a.payer_person_id
            """;
        // No search: the whole register in the chosen order (the count of a region without filters from the accounts alone).
        AccountSummary Read(NpgsqlDataReader r)
        {
            DateOnly? closed = r.IsDBNull(9) ? null : r.GetFieldValue<DateOnly>(9);
            return new AccountSummary(r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetInt64(4), r.GetString(5),
                r.IsDBNull(6) ? null : r.GetString(6), r.GetDecimal(7), r.GetFieldValue<DateOnly>(8), closed,
                closed is null ? AccountStatus.Open : AccountStatus.Closed);
        }
        if (!query.IsEmpty)
        {
            cmd.CommandText = await SearchedAsync(query, cmd, columns, joins, filters, sort, order, direction, ct);
            return await SqlPage.ReadTotalledAsync(cmd, page, pageSize, Read, ct);
        }
        cmd.CommandText = $"""
            SELECT count(*) FROM personal_accounts a {where};
            SELECT {columns} FROM personal_accounts a {joins} {where} ORDER BY {order} LIMIT @limit OFFSET @offset;
            """;
        return await SqlPage.ReadAsync(cmd, page, pageSize, Read, ct);
    }

    /// <summary>
    /// The count and the page of a search in one statement: the hits (each account once, with its best rank and its
    /// number) are found once, counted, and the page is chosen among them and joined to what is shown. A page past the
    /// end is one row with only the total.
    /// </summary>
    private static async Task<string> SearchedAsync(SearchQuery query, NpgsqlCommand cmd, string columns, string joins, List<string> filters,
        AccountSort sort, string order, string direction, CancellationToken ct)
    {
        var ways = await WaysAsync(query, cmd, filters, ct);
        if (ways.Count == 0) ways.Add("SELECT NULL::bigint AS id, 0 AS rank, NULL::text AS number WHERE false");
        // One way finds an account once (an account has one premise and one payer); two may find it twice.
        string hits = ways.Count == 1 ? ways[0] : $"SELECT id, min(rank) AS rank, number FROM ({string.Join(" UNION ALL ", ways.Select(w => $"({w})"))}) h GROUP BY id, number";
        // The page is chosen by what the order reads: by number from the hits alone, otherwise joined to its columns
        // (a street's ten thousand accounts are not joined to their buildings and payers to show 25).
        string choose = sort == AccountSort.Number
            ? $"SELECT h.id, h.rank FROM h ORDER BY h.rank, h.number {direction}"
            : "SELECT h.id, h.rank FROM h JOIN personal_accounts a ON a.id = h.id JOIN premises p ON p.id = a.premise_id"
              + (order.Contains("b.", StringComparison.Ordinal) ? " JOIN buildings b ON b.id = p.building_id" : "")
              + (order.Contains("pp.", StringComparison.Ordinal) ? " LEFT JOIN people pp ON pp.id = a.payer_person_id" : "")
              + $" ORDER BY h.rank, {order}";
        return $"""
            WITH h AS MATERIALIZED ({hits}),
            pg AS ({choose} LIMIT @limit OFFSET @offset)
            SELECT {columns}, (SELECT count(*) FROM h)
            FROM (SELECT 1) one LEFT JOIN (pg JOIN personal_accounts a ON a.id = pg.id {joins}) ON true
            ORDER BY pg.rank, {order};
            """;
    }

    /// <summary>
    /// The ways a query can be read, each a statement of the accounts it finds with their rank (0 = the exact flat or
    /// account, 1 = a flat that begins with the number). Every way reads the accounts' own search keys (the building, the
    /// flat and the payer's name, kept by the database: migration <c>AccountSearchKeys</c>). The buildings are found
    /// first, by a statement of their own, and passed on as an array: the planner cannot estimate how many rows a regular
    /// expression over the trigram index gives, and with a guess it once read every premise of the region to find a street's.
    /// </summary>
    private static async Task<List<string>> WaysAsync(SearchQuery q, NpgsqlCommand cmd, List<string> filters, CancellationToken ct)
    {
        var ways = new List<string>();
        string Filtered(IEnumerable<string> conditions) => string.Join(" AND ", conditions.Concat(filters));
        string Param(object value)
        {
            var name = "p" + cmd.Parameters.Count;
            cmd.Parameters.Add(value switch
            {
                string s => new NpgsqlParameter<string>(name, s),
                long[] ids => new NpgsqlParameter<long[]>(name, ids),
                _ => throw new ArgumentException(value.GetType().Name),
            });
            return "@" + name;
        }
        string Way(string rank, IEnumerable<string> conditions) =>
            $"SELECT a.id, {rank} AS rank, a.number FROM personal_accounts a WHERE {Filtered(conditions)} LIMIT {MaxMatches}";
        if (q.Alias is { } alias) ways.Add(Way("0", [$"a.id IN (SELECT account_id FROM account_aliases WHERE number = {Param(alias)})"]));
        foreach (var number in q.AccountNumbers)
            ways.Add(Way("0", number.Length == AccountNumber.Length ? [$"a.number = {Param(number)}"] : NumberPrefix(number, Param)));
        // A number is the account itself: the rest of the query adds nothing.
        if (q.AccountNumbers.Count > 0 || ways.Count > 0 && q.Words.Count + q.House.Count + q.Loose.Count == 0 && q.Flat is null) return ways;

        // The flat: exact first, then those that begin with the number.
        string FlatRank(string flat) => $"CASE WHEN a.search_flat = {Param(flat)} THEN 0 ELSE 1 END";
        string FlatMatch(string flat) => $"a.search_flat LIKE {Param(Literal(flat) + "%")}";
        static string AddressHas(string number) => @"\m" + Regex.Escape(number) + @"\M";

        // By address: the words and the house's numbers in the building's address, the flat among its accounts.
        var houseNumbers = new List<string>(q.House);
        string? flat = q.Flat;
        string? lone = null;
        if (q.Loose.Count >= 2 || q.Loose.Count == 1 && (flat is not null || houseNumbers.Count > 0))
        {
            // Unmarked: the house first, then the flat (a flat named explicitly makes them all the house's).
            houseNumbers.AddRange(flat is null ? q.Loose.Take(q.Loose.Count - 1) : q.Loose);
            flat ??= q.Loose[^1];
        }
        else if (q.Loose.Count == 1) lone = q.Loose[0];
        var addressPatterns = q.Words.Select(Pattern).Concat(houseNumbers.Select(AddressHas)).ToArray();
        if (addressPatterns.Length > 0 || flat is not null || lone is not null)
        {
            // The buildings, and among them those whose house is the lone number.
            var (buildings, houses) = await BuildingsAsync(cmd.Connection!, addressPatterns, lone is null ? null : AddressHas(lone), ct);
            var where = new List<string>();
            if (addressPatterns.Length > 0) where.Add($"a.search_building_id = ANY({Param(buildings.ToArray())})");
            string rank = "0";
            if (flat is not null)
            {
                where.Add(FlatMatch(flat));
                rank = FlatRank(flat);
            }
            if (lone is not null)
            {
                where.Add($"(a.search_building_id = ANY({Param(houses.ToArray())}) OR {FlatMatch(lone)})");
                rank = FlatRank(lone);
            }
            if (addressPatterns.Length == 0 || buildings.Count > 0) ways.Add(Way(rank, where));
        }

        // By the payer's name: all words in the name, the last number the flat, the others in the address. The name's
        // trigram index and the flats' b-tree are two bitmaps over the same rows: a surname of tens of thousands of
        // payers with a flat reads only the accounts that have both.
        if (q.Words.Count > 0)
        {
            var numbers = q.House.Concat(q.Loose).ToList();
            string? payerFlat = q.Flat ?? numbers.LastOrDefault();
            if (q.Flat is null && numbers.Count > 0) numbers.RemoveAt(numbers.Count - 1);
            var where = q.Words.Select(w => $"a.search_payer ~ {Param(@"\m" + Regex.Escape(w))}").ToList();
            if (payerFlat is not null) where.Add(FlatMatch(payerFlat));
            where.AddRange(numbers.Select(n =>
                $"EXISTS (SELECT 1 FROM buildings b WHERE b.id = a.search_building_id AND b.address ~* {Param(AddressHas(n))})"));
            ways.Add(Way(payerFlat is null ? "0" : FlatRank(payerFlat), where));
        }
        return ways;
    }

    /// <summary>The buildings whose address matches every pattern, and those of them that also match <paramref name="house"/>.</summary>
    private static async Task<(List<long> Buildings, List<long> Houses)> BuildingsAsync(NpgsqlConnection conn, string[] patterns, string? house,
        CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            $"SELECT id, {(house is null ? "false" : "address ~* @house")} FROM buildings WHERE {Matching("address", patterns.Length)} LIMIT {MaxMatches}", conn);
        for (int i = 0; i < patterns.Length; i++) cmd.Parameters.Add(new NpgsqlParameter<string>("w" + i, patterns[i]));
        if (house is not null) cmd.Parameters.Add(new NpgsqlParameter<string>("house", house));
        var (buildings, houses) = (new List<long>(), new List<long>());
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            buildings.Add(r.GetInt64(0));
            if (r.GetBoolean(1)) houses.Add(r.GetInt64(0));
        }
        return (buildings, houses);
    }

    /// <summary><paramref name="column"/> matching each of the patterns <c>@w0…</c>, case aside; none: every row.</summary>
    private static string Matching(string column, int patterns) =>
        patterns == 0 ? "true" : string.Join(" AND ", Enumerable.Range(0, patterns).Select(i => $"{column} ~* @w{i}"));

    /// <summary>
    /// The accounts whose number begins with the digits: a range of the unique index (<c>LIKE</c> reads an index only
    /// under the "C" collation, and «1234567» would otherwise read every account), with the <c>LIKE</c> kept as the rule.
    /// </summary>
    private static string[] NumberPrefix(string digits, Func<object, string> param)
    {
        var conditions = new List<string> { $"a.number >= {param(digits)}", $"a.number LIKE {param(digits + "%")}" };
        if (PrefixEnd(digits) is { } end) conditions.Add($"a.number < {param(end)}");
        return [.. conditions];
    }

    /// <summary>The first digits past every number that begins with <paramref name="digits"/> («12399» → «124»); none for «999».</summary>
    internal static string? PrefixEnd(string digits)
    {
        string upper = digits.TrimEnd('9');
        return upper.Length == 0 ? null : upper[..^1] + (char)(upper[^1] + 1);
    }

    /// <summary>
    /// A word as a case-insensitive regular expression for the start of a word that reads «е» and «ё» alike: «лен» finds
    /// «Ленина», not «Зелёная»; a surname finds its feminine and patronymic forms too («Алексеев» → «Алексеева»,
    /// «Алексеевич»).
    /// </summary>
    internal static string Pattern(string word)
    {
        var pattern = new StringBuilder(@"\m");
        foreach (var c in word)
            pattern.Append(c is 'е' or 'ё' ? "[её]" : Regex.Escape(c.ToString()));
        return pattern.ToString();
    }

    /// <summary>
    /// Text as the search compares it: lower case, «ё» as «е» — a query, and the keys the database keeps on each account
    /// (its flat and its payer's name: <c>replace(lower(…), 'ё', 'е')</c>).
    /// </summary>
    public static string Key(string text) => text.ToLowerInvariant().Replace('ё', 'е');

    /// <summary>A LIKE pattern's text, its wildcards taken literally.</summary>
    private static string Literal(string text) => text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");

    /// <summary>An ILIKE pattern that finds <paramref name="word"/> anywhere, its wildcards taken literally.</summary>
    internal static string Like(string word) => "%" + Literal(word) + "%";

    /// <summary>The words of a search, without the abbreviations of addresses («д», «кв», «ул»…).</summary>
    internal static IEnumerable<string> Words(string? text) =>
        (text ?? "").Split([' ', ',', '.', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(w => w is not ("д" or "кв" or "ул" or "г" or "корп" or "дом"));

    /// <summary>A search as read: account numbers, words, the house's numbers, the flat and the unmarked numbers.</summary>
    internal sealed record SearchQuery(List<string> AccountNumbers, List<string> Words, List<string> House, string? Flat, List<string> Loose)
    {
        /// <summary>The query as another number of an account (an earlier system's, the ЕЛС): one word without spaces.</summary>
        public string? Alias { get; private init; }

        public bool IsEmpty => Alias is null && AccountNumbers.Count == 0 && Words.Count == 0 && House.Count == 0 && Flat is null && Loose.Count == 0;

        private enum Next { Any, House, Flat }

        public static SearchQuery Parse(string? text)
        {
            string alias = Core.Accounts.AccountAlias.Normalize(text);
            var q = new SearchQuery([], [], [], null, [])
            {
                Alias = alias.Length is >= 4 and <= Core.Accounts.AccountAlias.MaxLength && !alias.Any(char.IsWhiteSpace) ? alias : null,
            };
            var tokens = Tokens().Matches(Key(text ?? "")).Select(m => m.Value).Take(MaxWords * 2).ToList();
            var next = Next.Any;
            string? flat = null;
            int words = 0;
            foreach (var token in tokens)
            {
                if (words == MaxWords) break;
                if (HouseMarks.Contains(token)) { next = Next.House; continue; }
                if (FlatMarks.Contains(token)) { next = Next.Flat; continue; }
                if (Skipped.Contains(token)) continue;
                words++;
                if (!char.IsAsciiDigit(token[0]))
                {
                    q.Words.Add(token);
                    next = Next.Any;
                    continue;
                }
                if (next == Next.Any && token.Length >= 6 && token.All(char.IsAsciiDigit))
                {
                    q.AccountNumbers.Add(token);
                    continue;
                }
                // «5-12»: the house and the flat.
                if (next == Next.Any && HouseDashFlat().Match(token) is { Success: true } pair)
                {
                    q.House.Add(pair.Groups[1].Value);
                    flat = pair.Groups[2].Value;
                    continue;
                }
                switch (next)
                {
                    case Next.House: q.House.Add(token); break;
                    case Next.Flat: flat = token; break;
                    default: q.Loose.Add(token); break;
                }
                next = Next.Any;
            }
            return q with { Flat = flat };
        }

        private static readonly HashSet<string> HouseMarks = ["д", "дом", "корп", "корпус", "к", "стр", "строение", "лит", "литера"];
        private static readonly HashSet<string> FlatMarks = ["кв", "квартира", "пом", "помещение", "комн", "комната", "оф", "офис"];
        private static readonly HashSet<string> Skipped = ["ул", "улица", "г", "город", "пер", "переулок", "пр", "пр-т", "просп", "проспект", "пл", "площадь",
            "б-р", "бульвар", "ш", "шоссе", "наб", "набережная", "пос", "поселок", "с", "село", "дер", "деревня", "мкр", "микрорайон"];
    }

    /// <summary>Words and numbers: letters and digits with inner «/» and «-» (5/2, 12-а, пр-т), the rest separates.</summary>
    [GeneratedRegex(@"[\p{L}\p{Nd}]+(?:[-/][\p{L}\p{Nd}]+)*")]
    private static partial Regex Tokens();

    [GeneratedRegex(@"^(\d+[\p{L}]?)-(\d+[\p{L}]?)$")]
    private static partial Regex HouseDashFlat();
}
