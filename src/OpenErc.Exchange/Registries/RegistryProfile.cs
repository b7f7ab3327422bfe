namespace OpenErc.Exchange.Registries;

/// <summary>
/// Where an agent's payment registry keeps each field: a text file of one payment per line, fields separated by
/// <see cref="Separator"/>, ending with a footer line that starts with <see cref="FooterPrefix"/>. Column numbers count
/// from 0; a null optional column means the agent's files do not have it.
/// <para>
/// The built-in profile <see cref="Sber"/> is the common Sberbank-style registry of accepted payments:
/// <code>
/// date;time;branch;cashier or terminal;operation id;account;payer;address;period;amount;commission
/// 02-06-2026;10-15-00;8593;8593/0001;100200300;0000000018;Иванов Иван Иванович;ул. Ленина, д. 5, кв. 1;052026;1500,00;15,00
/// =1;1500,00;15,00
/// </code>
/// date <c>dd-MM-yyyy</c> or <c>dd.MM.yyyy</c>; time <c>HH-mm-ss</c> or <c>HH:mm:ss</c> (the payer's local time in the
/// region); branch and cashier are informational; the operation id is the agent's unique id of the payment (with the
/// agent, the idempotency key: an online payment the registry confirms has the same id); the account is the
/// 10-digit ЛС; the period <c>MMyyyy</c> the payer named (may be empty); amount and commission in roubles with
/// <c>,</c> or <c>.</c> before the kopecks (the commission may be empty or absent: the agent's terms apply). The
/// footer <c>=count;total;commission;…</c> states the number of lines and the sums of the amounts and the
/// commissions; further footer fields (the transfer, the payment order) are not read.
/// </para>
/// Other agents' profiles come from configuration, section <c>OpenErc:Payments:RegistryProfiles:{name}</c>, as
/// changes to this one (only the fields that differ), and are chosen by <c>payment_agent_terms.registry_profile</c>.
/// </summary>
public sealed record RegistryProfile
{
    public const string DefaultName = "sber";

    public static readonly RegistryProfile Sber = new();

    public char Separator { get; init; } = ';';

    /// <summary>Accepted date formats (.NET custom format strings); null: <c>dd-MM-yyyy</c> and <c>dd.MM.yyyy</c>.</summary>
    public string[]? DateFormats { get; init; }

    /// <summary>Accepted time formats; null: <c>HH-mm-ss</c> and <c>HH:mm:ss</c>.</summary>
    public string[]? TimeFormats { get; init; }

    public string PeriodFormat { get; init; } = "MMyyyy";
    public int Date { get; init; }
    public int? Time { get; init; } = 1;
    public int OperationId { get; init; } = 4;
    public int Account { get; init; } = 5;
    public int? Payer { get; init; } = 6;
    public int? Address { get; init; } = 7;
    public int? Period { get; init; } = 8;
    public int Amount { get; init; } = 9;
    public int? Commission { get; init; } = 10;

    /// <summary>
    /// Readings a payer gave with the payment (exchange.md §3.4): pairs of columns, the meter's serial number and its
    /// value, e.g. <c>[[11, 12], [13, 14]]</c>; none by default. A reading never decides the payment: it is checked by the
    /// cabinet's rules after the registry is posted, and one refused is said in the answer.
    /// </summary>
    public int[][]? ReadingColumns { get; init; }

    /// <summary>Lines before the first payment that are not payments (a header).</summary>
    public int HeaderLines { get; init; }

    public string FooterPrefix { get; init; } = "=";
    public int FooterCount { get; init; }
    public int FooterTotal { get; init; } = 1;
    public int? FooterCommission { get; init; } = 2;

    internal string[] Dates => DateFormats is { Length: > 0 } d ? d : ["dd-MM-yyyy", "dd.MM.yyyy"];
    internal string[] Times => TimeFormats is { Length: > 0 } t ? t : ["HH-mm-ss", "HH:mm:ss"];

    /// <summary>The fields a payment line must have at least.</summary>
    internal int RequiredFields => new[] { Date, OperationId, Account, Amount, Time ?? 0 }.Max() + 1;
}

/// <summary>The registry profiles an installation knows: the built-in <see cref="RegistryProfile.Sber"/> and those configured.</summary>
public sealed record RegistryProfiles(IReadOnlyDictionary<string, RegistryProfile> Configured)
{
    public static readonly RegistryProfiles BuiltIn = new(new Dictionary<string, RegistryProfile>());

    /// <summary>The profile of this name; null when it is neither configured nor built in.</summary>
    public RegistryProfile? Find(string name) =>
        Configured.TryGetValue(name, out var profile) ? profile : name == RegistryProfile.DefaultName ? RegistryProfile.Sber : null;
}
