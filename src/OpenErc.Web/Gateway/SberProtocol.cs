using OpenErc.Core.Common;
using System.Xml.Linq;
using OpenErc.Operations.Payments;

namespace OpenErc.Web.Gateway;

/// <summary>
/// Sberbank's online protocol for billing centres (ЕПС, on-line requests to the recipient's server): <c>ACTION=check</c>
/// finds the account, <c>ACTION=payment</c> takes a payment with <c>ACCOUNT</c>, <c>AMOUNT</c> (roubles with a point),
/// <c>PAY_ID</c> (the bank's operation id) and <c>PAY_DATE</c> (<c>dd.MM.yyyy_HH:mm:ss</c>, the bank's local time);
/// the answer is <c>&lt;response&gt;&lt;CODE/&gt;&lt;MESSAGE/&gt;…&lt;/response&gt;</c>.
/// </summary>
public sealed class SberProtocol : IOnlineProtocol
{
    public const string DateFormat = "dd.MM.yyyy_HH:mm:ss";

    public PaymentChannel Channel => PaymentChannel.Sber;

    private static readonly OnlineRequest.Names Names = new("ACTION", "check", "payment", "ACCOUNT", "AMOUNT", "PAY_ID", "PAY_DATE", DateFormat);

    public OnlineRequest Read(Func<string, string?> parameter, RegionClock clock) => OnlineRequest.Read(parameter, Names, clock);

    /// <summary>The result codes of the protocol.</summary>
    public static int Code(OnlineStatus status) => status switch
    {
        OnlineStatus.Ok => 0,
        OnlineStatus.Temporary => 1,
        OnlineStatus.UnknownAction => 2,
        OnlineStatus.AccountNotFound => 3,
        OnlineStatus.BadAccount => 4,
        OnlineStatus.BadAmount or OnlineStatus.AmountTooSmall or OnlineStatus.AmountTooLarge => 5,
        OnlineStatus.BadDate => 6,
        OnlineStatus.AccountClosed => 7,
        OnlineStatus.Conflict => 8,
        _ => 300,
    };

    public XElement Write(OnlineRequest request, OnlineAnswer answer, RegionClock clock)
    {
        var response = new XElement("response", new XElement("CODE", Code(answer.Status)), new XElement("MESSAGE", answer.Message));
        if (answer is { Status: OnlineStatus.Ok, Payee: { } payee })
            response.Add(new XElement("FIO", payee.MaskedPayer ?? ""), new XElement("ADDRESS", payee.Address),
                new XElement("BALANCE", OnlineGateway.Money(payee.Balance.Debt - payee.Balance.Advance)), new XElement("REC_SUM", OnlineGateway.Money(payee.Balance.ToPay)));
        if (answer is { Status: OnlineStatus.Ok, Payment: { } payment })
            response.Add(new XElement("EXT_ID", payment.PaymentId), new XElement("REG_DATE", clock.Local(payment.PostedAt!.Value).ToString(DateFormat, System.Globalization.CultureInfo.InvariantCulture)),
                new XElement("AMOUNT", OnlineGateway.Money(payment.Amount)));
        return response;
    }
}
