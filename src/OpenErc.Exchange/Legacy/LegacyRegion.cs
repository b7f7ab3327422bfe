using System.Globalization;

namespace OpenErc.Exchange.Legacy;

/// <summary>
/// What an earlier billing system hands over, in one shape whatever its format (exchange.md §5.3: a canonical staging
/// model equal to §5.1's objects): houses with their premises, accounts and the people on them, and the meters with
/// their readings, the opening balances divided by service and supplier, and the past charges and payments the centre keeps
/// as read-only history. Every object keeps the source's id (the key of a later import) and its place in the file.
/// </summary>
public sealed record LegacyRegion(IReadOnlyList<LegacyHouse> Houses, IReadOnlyList<LegacyMeter> Meters)
{
    /// <summary>Opening balances by service and supplier (an account's undivided balance is <see cref="LegacyAccount.Balance"/>).</summary>
    public IReadOnlyList<LegacyBalance> Balances { get; init; } = [];

    public IReadOnlyList<LegacyCharge> Charges { get; init; } = [];

    public IReadOnlyList<LegacyPayment> Payments { get; init; } = [];
}

/// <summary>An account's opening balance (debt + / advance −) on a day for one service (its code or name) and supplier (its ИНН).</summary>
public sealed record LegacyBalance(string Place, string AccountId, DateOnly? On, decimal Amount, string Service, string SupplierInn);

/// <summary>A past month's charge of a service as the source computed it (exchange.md §5.1, file 3): history, not posted.</summary>
/// <param name="Method">How the volume was found: «counter», «average», «standard» in Квадо's words.</param>
public sealed record LegacyCharge(string Place, string Id, string AccountId, DateOnly Month, string Service, string? Method, string? Zone, decimal? Rate,
    decimal? Volume, decimal Amount, decimal Recalculation, decimal Benefit);

/// <summary>A past payment as the source recorded it (exchange.md §5.1, file 4): history, not posted.</summary>
public sealed record LegacyPayment(string Place, string Id, string AccountId, DateOnly PaidOn, decimal Amount, DateOnly? Month, string? Number, string? Agent,
    string? Comment);

public sealed record LegacyHouse(string Place, string Id, string Address, string? Settlement, string? Street, string House, string? Block, Guid? FiasGuid,
    string? Oktmo, string? CadastralNumber, int Entrances, int Floors, IReadOnlyList<LegacyPremise> Premises);

public sealed record LegacyPremise(string Place, string Id, string Number, bool Residential, bool CommunalFlat, decimal TotalArea, decimal? LivingArea,
    int? Rooms, int? Entrance, int? Floor, string? CadastralNumber, IReadOnlyList<LegacyAccount> Accounts);

/// <param name="Number">The account's number in the source: kept as its other number, citizens pay by it.</param>
/// <param name="Balance">The opening balance (debt + / advance −) on <paramref name="BalanceOn"/>.</param>
/// <param name="RoomId">The room of a communal flat the account is bound to (its area is the account's when the source gives no other).</param>
public sealed record LegacyAccount(string Place, string Id, string Number, string? OldNumber, DateOnly OpenedOn, DateOnly? ClosedOn, int? Residing,
    decimal? Balance, DateOnly? BalanceOn, decimal? Area, string? UnifiedNumber, string? ServiceId, IReadOnlyList<LegacyResident> Residents,
    string? RoomId = null);

/// <summary>A share of ownership as the source writes it: <c>142/584</c> exactly, or a decimal as n/10^k.</summary>
public readonly record struct Fraction(long Numerator, long Denominator)
{
    public decimal Value => (decimal)Numerator / Denominator;

    /// <summary>A share as written: <c>n/d</c> with 0 &lt; n ≤ d, or a decimal in (0, 1] (a comma or a point) as n/10^k.</summary>
    public static bool TryParse(string text, out Fraction share)
    {
        share = default;
        text = text.Trim().Replace(',', '.');
        int slash = text.IndexOf('/');
        if (slash > 0)
        {
            if (!long.TryParse(text[..slash], NumberStyles.None, CultureInfo.InvariantCulture, out long n)
                || !long.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out long d) || d <= 0 || n <= 0 || n > d)
                return false;
            share = new Fraction(n, d);
            return true;
        }
        if (slash == 0 || !decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v) || v is <= 0m or > 1m) return false;
        long den = 1;
        for (int i = 0; i < v.Scale && den < 1_000_000_000_000_000; i++) den *= 10;
        share = new Fraction((long)(v * den), den);
        return true;
    }

    public override string ToString() => $"{Numerator}/{Denominator}";
}

/// <param name="Owner">The person owns a share of the premise (<see cref="Share"/>, whole when not given).</param>
/// <param name="Registration">Registered on the account: permanent or temporary, from, to, why it ended.</param>
public sealed record LegacyResident(string Place, string Id, LegacyPerson Person, bool Owner, Fraction? Share, bool MainPayer, string? Relation,
    LegacyRegistration? Registration);

public sealed record LegacyPerson(string LastName, string FirstName, string? MiddleName, DateOnly? BirthDate, bool? Male, string? Snils, string? Phone,
    string? Email, LegacyDocument? Document = null);

/// <summary>A person's identity document as the source names it (Квадо's 21 kinds: «Паспорт гражданина РФ», «Свидетельство о рождении», …).</summary>
public sealed record LegacyDocument(string Kind, string? Series, string Number, string IssuedBy, string? DivisionCode, DateOnly IssuedOn);

/// <param name="EndReason">The source's words: «Выехал», «Умер», «Окончание временной регистрации…», «Выписан на основании решения суда», …</param>
public sealed record LegacyRegistration(bool Permanent, DateOnly From, DateOnly? To, string? EndReason, string? ArrivedFrom, string? DepartedTo);

/// <param name="Resource">The source's type: «ХВС», «ГВС», «Эл. однотарифный», «Эл. двухтарифный», «Эл. трехтарифный», «Газ», «Отопление».</param>
/// <param name="HouseId">A building meter's house; <paramref name="PremiseId"/> an individual one's premise.</param>
/// <param name="RoomId">A room meter's room of a communal flat: the meter serves the account bound to that room.</param>
public sealed record LegacyMeter(string Place, string Id, string? HouseId, string? PremiseId, string Resource, int Zones, string Serial, string? Model,
    DateOnly InstalledOn, DateOnly? SealedOn, DateOnly? NextVerificationOn, DateOnly? RemovedOn, int Digits, IReadOnlyList<LegacyReading> Readings,
    string? RoomId = null);

public sealed record LegacyReading(string Place, DateOnly On, int Zone, decimal Value);

/// <summary>A record refused: where in the file (a file name and a path such as <c>houses[0].premises[2].accounts[0]</c>) and why, in Russian.</summary>
public sealed record LegacyError(string Place, string Reason)
{
    public override string ToString() => $"{Place}: {Reason}";
}
