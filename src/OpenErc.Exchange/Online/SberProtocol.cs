using System.Globalization;
using System.Xml.Linq;

namespace OpenErc.Exchange.Online;

/// <summary>
/// Sberbank's online protocol for billing centres ("protocol 1", exchange.md §1.1): <c>ACTION=check</c> finds the
/// account, <c>ACTION=payment</c> takes a payment with <c>ACCOUNT</c>, <c>AMOUNT</c> (roubles with a point),
/// <c>PAY_ID</c> (the bank's operation id, 1–20 digits) and <c>PAY_DATE</c> (<c>dd.MM.yyyy_HH:mm:ss</c>, the bank's local
/// time); the answer is <c>&lt;response&gt;&lt;CODE/&gt;&lt;MESSAGE/&gt;…&lt;/response&gt;</c>, HTTP 200 whatever the outcome.
/// </summary>
public sealed class SberProtocol : IOnlineProtocol
{
    public const string DateFormat = "dd.MM.yyyy_HH:mm:ss";


    public OnlineRequest.Names Names { get; } = new("ACTION", "check", "payment", "ACCOUNT", "AMOUNT", "PAY_ID", "PAY_DATE", DateFormat, "ДД.ММ.ГГГГ_ЧЧ:ММ:СС");

    /// <summary>
    /// The result codes of the protocol, as the bank's client reads them (exchange.md §1.1, the table identical in the
    /// independent implementations). 7 («платёж запрещён по техническим причинам») is never answered: intake is never
    /// switched off — a payment waits for a month's closing in flight instead.
    /// </summary>
    public static int Code(OnlineStatus status) => status switch
    {
        OnlineStatus.Ok => 0,
        OnlineStatus.Temporary => 1,
        OnlineStatus.UnknownAction => 2,
        OnlineStatus.AccountNotFound => 3,
        OnlineStatus.BadAccount => 4,
        OnlineStatus.AccountClosed => 5,
        OnlineStatus.BadPaymentId => 6,
        // "PAY_ID already registered for this agent", whatever the content: the answer carries the original payment.
        OnlineStatus.Repeated or OnlineStatus.Conflict => 8,
        OnlineStatus.BadAmount => 9,
        OnlineStatus.AmountTooSmall => 10,
        OnlineStatus.AmountTooLarge => 11,
        OnlineStatus.BadDate => 12,
        _ => 300, // Internal: an unexpected failure of the centre
    };

    public XElement Write(OnlineRequest request, OnlineReply answer)
    {
        var response = new XElement("response", new XElement("CODE", Code(answer.Status)), new XElement("MESSAGE", answer.Message));
        if (answer is { Status: OnlineStatus.Ok, Payee: { } payee })
            response.Add(new XElement("FIO", payee.MaskedPayer ?? ""), new XElement("ADDRESS", payee.Address),
                new XElement("BALANCE", IOnlineProtocol.Money(payee.Balance)), new XElement("REC_SUM", IOnlineProtocol.Money(payee.ToPay)));
        // A payment, and code 8 with the original payment's EXT_ID, REG_DATE and AMOUNT, so that the bank can reconcile (§1.1).
        if (answer is { Status: OnlineStatus.Ok or OnlineStatus.Repeated or OnlineStatus.Conflict, Payment: { Id: var id, PostedLocal: { } at } payment })
            response.Add(new XElement("EXT_ID", id), new XElement("REG_DATE", at.ToString(DateFormat, CultureInfo.InvariantCulture)),
                new XElement("AMOUNT", IOnlineProtocol.Money(payment.Amount)));
        return response;
    }
}
