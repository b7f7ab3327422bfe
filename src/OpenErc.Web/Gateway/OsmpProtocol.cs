using OpenErc.Core.Common;
using System.Xml.Linq;
using OpenErc.Operations.Payments;

namespace OpenErc.Web.Gateway;

/// <summary>
/// The OSMP (QIWI) provider protocol: <c>command=check</c> checks the account (and the amount, when given),
/// <c>command=pay</c> takes a payment with <c>txn_id</c> (the agent's operation id), <c>account</c>, <c>sum</c> (roubles
/// with a point) and <c>txn_date</c> (<c>yyyyMMddHHmmss</c>, the agent's local time); the answer is
/// <c>&lt;response&gt;&lt;osmp_txn_id/&gt;&lt;prv_txn/&gt;&lt;sum/&gt;&lt;result/&gt;&lt;comment/&gt;&lt;/response&gt;</c>.
/// </summary>
public sealed class OsmpProtocol : IOnlineProtocol
{
    public const string DateFormat = "yyyyMMddHHmmss";

    public PaymentChannel Channel => PaymentChannel.Osmp;

    private static readonly OnlineRequest.Names Names = new("command", "check", "pay", "account", "sum", "txn_id", "txn_date", DateFormat);

    public OnlineRequest Read(Func<string, string?> parameter, RegionClock clock) => OnlineRequest.Read(parameter, Names, clock);

    /// <summary>The result codes of the protocol; 1 is the only one after which the agent repeats the request.</summary>
    public static int Code(OnlineStatus status) => status switch
    {
        OnlineStatus.Ok => 0,
        OnlineStatus.Temporary => 1,
        OnlineStatus.BadAccount => 4,
        OnlineStatus.AccountNotFound => 5,
        OnlineStatus.Conflict => 7,
        OnlineStatus.AccountClosed => 79,
        OnlineStatus.AmountTooSmall => 241,
        OnlineStatus.AmountTooLarge => 242,
        _ => 300,
    };

    public XElement Write(OnlineRequest request, OnlineAnswer answer, RegionClock clock)
    {
        var response = new XElement("response", new XElement("osmp_txn_id", request.PaymentId ?? ""));
        if (answer is { Status: OnlineStatus.Ok, Payment: { } payment })
            response.Add(new XElement("prv_txn", payment.PaymentId), new XElement("sum", OnlineGateway.Money(payment.Amount)));
        response.Add(new XElement("result", Code(answer.Status)), new XElement("comment", answer.Message));
        if (answer is { Status: OnlineStatus.Ok, Payee: { } payee })
            response.Add(new XElement("fields",
                new XElement("field1", new XAttribute("name", "fio"), payee.MaskedPayer ?? ""),
                new XElement("field2", new XAttribute("name", "address"), payee.Address),
                new XElement("field3", new XAttribute("name", "balance"), OnlineGateway.Money(payee.Balance.Debt - payee.Balance.Advance)),
                new XElement("field4", new XAttribute("name", "rec_sum"), OnlineGateway.Money(payee.Balance.ToPay))));
        return response;
    }
}
