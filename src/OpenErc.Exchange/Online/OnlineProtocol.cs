using System.Globalization;
using System.Xml.Linq;

namespace OpenErc.Exchange.Online;

/// <summary>What became of an online request, before a protocol says it in its own codes.</summary>
public enum OnlineStatus
{
    /// <summary>The account found; the payment posted now.</summary>
    Ok,
    /// <summary>The payment id was used before for the same account and amount: the original payment, nothing posted.</summary>
    Repeated,
    /// <summary>The payment id was used before for another account or amount: the original payment, nothing posted.</summary>
    Conflict,
    /// <summary>A failure that passes (the database's connection, a timeout, the host stopping): the agent repeats later.</summary>
    Temporary,
    /// <summary>An unexpected failure of the centre.</summary>
    Internal,
    UnknownAction,
    AccountNotFound,
    /// <summary>Not an account number: not 10 digits, or a wrong check digit.</summary>
    BadAccount,
    /// <summary>The account is closed: payments are not taken.</summary>
    AccountClosed,
    /// <summary>The agent's payment id is missing or not 1–20 digits.</summary>
    BadPaymentId,
    /// <summary>The amount is not roubles with at most two decimals after a point.</summary>
    BadAmount,
    /// <summary>The amount is zero or negative.</summary>
    AmountTooSmall,
    /// <summary>The amount is above the largest amount taken.</summary>
    AmountTooLarge,
    /// <summary>The date is missing, does not parse, or is refused: ahead, too old, before the account was opened .</summary>
    BadDate,
}

public enum OnlineAction { Check, Pay, Unknown }

/// <summary>
/// A request of an online protocol in common terms. <see cref="PaidLocal"/> is the payment's time as the agent wrote it, on
/// the region's wall clock, or null when it is missing or does not parse; it becomes a moment only once its date is
/// accepted (01.01.0001 00:00 in Moscow is no moment at all).
/// </summary>
public sealed record OnlineRequest(OnlineAction Action, string? ActionText, string? Account, string? Amount, string? PaymentId, string? DateText, DateTime? PaidLocal)
{
    /// <summary>
    /// How a protocol names the parts of a request: the parameters, the two actions, the date format and that format as
    /// people read it (for the refusal of a bad date).
    /// </summary>
    public sealed record Names(string Action, string Check, string Pay, string Account, string Amount, string PaymentId, string Date, string DateFormat,
        string DateFormatShown);

    /// <summary>A request that could not be read at all (answered with the failure).</summary>
    public static readonly OnlineRequest None = new(OnlineAction.Unknown, null, null, null, null, null, null);

    public static OnlineRequest Read(Func<string, string?> parameter, Names names)
    {
        var action = parameter(names.Action);
        var date = parameter(names.Date);
        var kind = string.Equals(action, names.Check, StringComparison.OrdinalIgnoreCase) ? OnlineAction.Check
            : string.Equals(action, names.Pay, StringComparison.OrdinalIgnoreCase) ? OnlineAction.Pay
            : OnlineAction.Unknown;
        DateTime? local = DateTime.TryParseExact(date, names.DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) ? parsed : null;
        return new OnlineRequest(kind, action, parameter(names.Account), parameter(names.Amount), parameter(names.PaymentId), date, local);
    }
}

/// <summary>The answer in the protocols' terms: for a check the account, for a payment the posting (the original one for a repeat or a conflict).</summary>
public sealed record OnlineReply(OnlineStatus Status, string Message, OnlinePayee? Payee = null, OnlinePayment? Payment = null);

/// <summary>The account as a check answers it: the payer's masked name, the address, the balance (debt less advance) and the amount to pay.</summary>
public sealed record OnlinePayee(string? MaskedPayer, string Address, decimal Balance, decimal ToPay);

/// <summary>A posted payment as the answer carries it: the centre's id, when it was registered (the region's wall clock) and the amount.</summary>
public sealed record OnlinePayment(long Id, DateTime? PostedLocal, decimal Amount);

/// <summary>One online protocol: how its requests are read and its answers written.</summary>
public interface IOnlineProtocol
{
    /// <summary>How the protocol names the parts of a request.</summary>
    OnlineRequest.Names Names { get; }

    XElement Write(OnlineRequest request, OnlineReply reply);

    /// <summary>Roubles as the protocols write them: a point and two decimals.</summary>
    static string Money(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);
}
