using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Accounts;
using OpenErc.Storage;

namespace OpenErc.Operations.Registry;

/// <summary>One line of the account search: what an operator needs to recognise the account.</summary>
public sealed record AccountSummary(
    long Id, string Number, long PremiseId, string PremiseNumber, long BuildingId, string Address,
    string? Payer, decimal Share, DateOnly OpenedOn, DateOnly? ClosedOn, AccountStatus Status);

public sealed record Page<T>(IReadOnlyList<T> Items, int Total, int PageNumber, int PageSize);

public enum AccountSort { Number, Address, Payer, OpenedOn }

/// <summary>
/// Finds accounts by number, address or payer name. Every word of the query must match the account number
/// (prefix), the address with the flat ("…, д. 5, кв. 12") or the payer's full name.
/// </summary>
public static class AccountSearch
{
    public const int MaxPageSize = 200;

    public static async Task<Page<AccountSummary>> FindAsync(OpenErcDbContext db, string? text, int page = 1, int pageSize = 25,
        AccountSort sort = AccountSort.Number, bool descending = false, long? buildingId = null, bool? open = null, long[]? withinBuildings = null,
        CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        page = Math.Max(page, 1);
        var q =
            from a in db.Accounts
            join p in db.Premises on a.PremiseId equals p.Id
            join b in db.Buildings on p.BuildingId equals b.Id
            from payer in db.People.Where(x => x.Id == a.PayerPersonId).DefaultIfEmpty()
            select new { a, p, b, Payer = payer == null ? null : payer.FullName };

        if (buildingId is { } bid) q = q.Where(x => x.b.Id == bid);
        if (withinBuildings is { } within) q = q.Where(x => within.Contains(x.b.Id));
        if (open is { } o) q = o ? q.Where(x => x.a.ClosedOn == null) : q.Where(x => x.a.ClosedOn != null);
        foreach (var word in Words(text))
        {
            if (word.All(char.IsAsciiDigit) && word.Length >= 6)
            {
                q = q.Where(x => x.a.Number.StartsWith(word));
                continue;
            }
            var like = Like(word);
            q = q.Where(x => EF.Functions.ILike(x.b.Address + ", кв. " + x.p.Number, like) || EF.Functions.ILike(x.Payer ?? "", like));
        }

        q = (sort, descending) switch
        {
            (AccountSort.Address, false) => q.OrderBy(x => x.b.Address).ThenBy(x => x.p.Number.Length).ThenBy(x => x.p.Number),
            (AccountSort.Address, true) => q.OrderByDescending(x => x.b.Address).ThenByDescending(x => x.p.Number.Length).ThenByDescending(x => x.p.Number),
            (AccountSort.Payer, false) => q.OrderBy(x => x.Payer).ThenBy(x => x.a.Number),
            (AccountSort.Payer, true) => q.OrderByDescending(x => x.Payer).ThenBy(x => x.a.Number),
            (AccountSort.OpenedOn, false) => q.OrderBy(x => x.a.OpenedOn).ThenBy(x => x.a.Number),
            (AccountSort.OpenedOn, true) => q.OrderByDescending(x => x.a.OpenedOn).ThenBy(x => x.a.Number),
            (_, false) => q.OrderBy(x => x.a.Number),
            (_, true) => q.OrderByDescending(x => x.a.Number),
        };
        int total = await q.CountAsync(ct);
        var items = await q.Skip((page - 1) * pageSize).Take(pageSize)
            .Select(x => new AccountSummary(x.a.Id, x.a.Number, x.p.Id, x.p.Number, x.b.Id, x.b.Address, x.Payer, x.a.Share,
                x.a.OpenedOn, x.a.ClosedOn, x.a.ClosedOn == null ? AccountStatus.Open : AccountStatus.Closed))
            .ToListAsync(ct);
        return new Page<AccountSummary>(items, total, page, pageSize);
    }

    /// <summary>An ILIKE pattern that finds <paramref name="word"/> anywhere, its wildcards taken literally.</summary>
    internal static string Like(string word) => "%" + word.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";

    /// <summary>The words of a search, without the abbreviations of addresses («д», «кв», «ул»…).</summary>
    internal static IEnumerable<string> Words(string? text) =>
        (text ?? "").Split([' ', ',', '.', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(w => w is not ("д" or "кв" or "ул" or "г" or "корп" or "дом"));
}
