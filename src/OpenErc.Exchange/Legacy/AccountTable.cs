using System.Globalization;
using OpenErc.Exchange.Dbf;

namespace OpenErc.Exchange.Legacy;

/// <summary>
/// Where a flat table of accounts (one row per account: a DBF of an earlier system, exchange.md §5.3) keeps each field —
/// the column names, any case; the code page when the file's own byte is wrong (<c>cp866</c>, <c>cp1251</c>). Only
/// <see cref="Account"/>, <see cref="Address"/> and <see cref="Flat"/> are required.
/// </summary>
public sealed record AccountTableProfile
{
    public string? CodePage { get; init; }
    public string Account { get; init; } = "LS";
    public string? OldAccount { get; init; }
    public string Address { get; init; } = "ADRES";
    public string Flat { get; init; } = "KV";
    public string? Area { get; init; } = "PLOSH";
    public string? Payer { get; init; } = "FIO";
    public string? OpenedOn { get; init; } = "DATA";
    public string? ClosedOn { get; init; }
    public string? Residents { get; init; } = "KOLPROG";
    public string? Balance { get; init; }

    /// <summary>The day an account opens when the table has no column for it.</summary>
    public DateOnly DefaultOpenedOn { get; init; } = new(2000, 1, 1);
}

/// <summary>
/// A flat table of accounts read through an <see cref="AccountTableProfile"/> into the staging model: a house per
/// address, a premise per address and flat, an account per row, its payer as a person. A row that cannot be read is an
/// error with its record number and field.
/// </summary>
public static class AccountTable
{
    public static (LegacyRegion Region, IReadOnlyList<LegacyError> Errors) ReadDbf(string fileName, byte[] content, AccountTableProfile profile)
    {
        var encoding = profile.CodePage?.ToLowerInvariant() switch
        {
            null => null,
            "cp866" or "866" or "dos" => Encodings.Cp866,
            "cp1251" or "1251" or "windows" => Encodings.Cp1251,
            var other => throw new ArgumentException($"Неизвестная кодировка профиля «{other}»: cp866 или cp1251"),
        };
        var table = DbfFile.Read(content, encoding);
        var errors = table.Errors.Select(e => new LegacyError($"{fileName}: {(e.Record is { } r ? $"запись {r}" : "файл")}{(e.Field is { } f ? $", поле {f}" : "")}", e.Reason))
            .ToList();
        if (errors.Count > 0) return (new LegacyRegion([], []), errors);
        foreach (var column in new[] { profile.Account, profile.Address, profile.Flat, profile.Area, profile.Payer, profile.OpenedOn, profile.ClosedOn,
                     profile.Residents, profile.OldAccount, profile.Balance }.OfType<string>())
            if (!table.Fields.Any(f => f.Name.Equals(column, StringComparison.OrdinalIgnoreCase)))
                errors.Add(new(fileName, $"В таблице нет поля {column.ToUpperInvariant()} профиля (поля: {string.Join(", ", table.Fields.Select(f => f.Name))})"));
        if (errors.Count > 0) return (new LegacyRegion([], []), errors);

        var houses = new Dictionary<string, (List<LegacyPremise> Premises, string Place)>(StringComparer.OrdinalIgnoreCase);
        var premises = new Dictionary<string, (LegacyPremise Premise, List<LegacyAccount> Accounts)>(StringComparer.OrdinalIgnoreCase);
        var numbers = new Dictionary<string, string>();
        foreach (var row in table.Records)
        {
            string place = $"{fileName}: запись {row.Number}";
            string? Text(string? column) => column is null ? null : row[column] switch
            {
                null => null,
                decimal d => d.ToString(CultureInfo.InvariantCulture),
                var v => Convert.ToString(v, CultureInfo.InvariantCulture)?.Trim() is { Length: > 0 } t ? t : null,
            };
            decimal? Number(string? column) => column is null ? null : row[column] switch
            {
                decimal d => d,
                string s when decimal.TryParse(s.Replace(',', '.'), NumberStyles.Number, CultureInfo.InvariantCulture, out var d) => d,
                null => null,
                var v => Fail<decimal?>(column, $"не число: «{v}»"),
            };
            DateOnly? Day(string? column) => column is null ? null : row[column] switch
            {
                DateOnly d => d,
                null => null,
                var v => Fail<DateOnly?>(column, $"не дата: «{v}»"),
            };
            T? Fail<T>(string column, string reason)
            {
                errors.Add(new($"{place}, поле {column.ToUpperInvariant()}", reason));
                return default;
            }

            string? account = Text(profile.Account), address = Text(profile.Address), flat = Text(profile.Flat);
            if (account is null || address is null || flat is null)
            {
                errors.Add(new(place, "Не заполнены лицевой счёт, адрес или квартира"));
                continue;
            }
            if (!numbers.TryAdd(account, place))
            {
                errors.Add(new(place, $"Лицевой счёт «{account}» уже есть в {numbers[account]}"));
                continue;
            }
            var (settlement, street, house, block) = LegacyAddress.Parse(address);
            if (house is null) errors.Add(new($"{place}, поле {profile.Address.ToUpperInvariant()}", $"В адресе «{address}» нет номера дома («д. 5»)"));
            decimal area = Number(profile.Area) ?? 0m;
            var residents = new List<LegacyResident>();
            if (Text(profile.Payer) is { } payer)
            {
                var parts = payer.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                residents.Add(new LegacyResident(place, account + "/payer",
                    new LegacyPerson(parts[0], parts.Length > 1 ? parts[1] : "", parts.Length > 2 ? string.Join(' ', parts[2..]) : null, null, null, null, null, null),
                    Owner: false, Share: null, MainPayer: true, Relation: null, Registration: null));
            }
            var legacy = new LegacyAccount(place, account, account, Text(profile.OldAccount), Day(profile.OpenedOn) ?? profile.DefaultOpenedOn, Day(profile.ClosedOn),
                Number(profile.Residents) is { } n ? (int)n : null, Number(profile.Balance), null, null, null, null, residents);
            if (house is null) continue;
            if (!houses.TryGetValue(address, out var h)) houses[address] = h = ([], place);
            string premiseKey = address + "|" + flat;
            if (!premises.TryGetValue(premiseKey, out var p))
            {
                p = (new LegacyPremise(place, premiseKey, flat, Residential: true, CommunalFlat: false, area, null, null, null, null, null, []), []);
                premises[premiseKey] = p;
                h.Premises.Add(p.Premise);
            }
            p.Accounts.Add(legacy);
            if (area <= 0) errors.Add(new($"{place}, поле {profile.Area?.ToUpperInvariant()}", "Площадь помещения не больше нуля"));
        }
        var region = new LegacyRegion(houses.Select(h =>
        {
            var (settlement, street, house, block) = LegacyAddress.Parse(h.Key);
            var list = h.Value.Premises.Select(p => p with { Accounts = premises[p.Id].Accounts }).ToList();
            return new LegacyHouse(h.Value.Place, h.Key, h.Key, settlement, street, house!, block, null, null, null, 1, 1, list);
        }).ToList(), []);
        return (region, errors);
    }
}
