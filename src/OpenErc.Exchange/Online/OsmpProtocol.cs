using System.Xml.Linq;

namespace OpenErc.Exchange.Online;

/// <summary>
/// The OSMP (QIWI) provider protocol (exchange.md §1.2): <c>command=check</c> checks the account (and the amount, when
/// given), <c>command=pay</c> takes a payment with <c>txn_id</c> (the agent's operation id, 1–20 digits), <c>account</c>,
/// <c>sum</c> (roubles with a point) and <c>txn_date</c> (<c>yyyyMMddHHmmss</c>, the agent's local time); the answer is
/// <c>&lt;response&gt;&lt;osmp_txn_id/&gt;&lt;prv_txn/&gt;&lt;sum/&gt;&lt;result/&gt;&lt;comment/&gt;&lt;/response&gt;</c>.
/// </summary>
public sealed class OsmpProtocol : IOnlineProtocol
{
    public const string DateFormat = "yyyyMMddHHmmss";


    public OnlineRequest.Names Names { get; } = new("command", "check", "pay", "account", "sum", "txn_id", "txn_date", DateFormat, "ГГГГММДДЧЧММСС");

    /// <summary>
    /// The result codes of the protocol (exchange.md §1.2); 1 is the only one after which the agent repeats the request,
    /// every other is final. The protocol has no code for a bad date or a bad <c>txn_id</c>: they are 300, «другая ошибка
    /// провайдера», as are an unknown command, an unreadable amount and an unexpected failure.
    /// </summary>
    public static int Code(OnlineStatus status) => status switch
    {
        // §1.2: a repeated txn_id is answered 0 with the prv_txn of the first registration (an idempotent replay).
        OnlineStatus.Ok or OnlineStatus.Repeated => 0,
        OnlineStatus.Temporary => 1,
        OnlineStatus.BadAccount => 4,
        OnlineStatus.AccountNotFound => 5,
        // The same txn_id with another account or amount: §1.2 says nothing; 7, «приём платежа запрещён провайдером», is final.
        OnlineStatus.Conflict => 7,
        OnlineStatus.AccountClosed => 79,
        OnlineStatus.AmountTooSmall => 241,
        OnlineStatus.AmountTooLarge => 242,
        _ => 300, // BadDate, BadPaymentId, BadAmount, UnknownAction, Internal
    };

    public XElement Write(OnlineRequest request, OnlineReply answer)
    {
        var response = new XElement("response", new XElement("osmp_txn_id", request.PaymentId ?? ""));
        if (answer is { Status: OnlineStatus.Ok or OnlineStatus.Repeated, Payment: { Id: var id } payment })
            response.Add(new XElement("prv_txn", id), new XElement("sum", IOnlineProtocol.Money(payment.Amount)));
        response.Add(new XElement("result", Code(answer.Status)), new XElement("comment", answer.Message));
        if (answer is { Status: OnlineStatus.Ok, Payee: { } payee })
            response.Add(new XElement("fields",
                new XElement("field1", new XAttribute("name", "fio"), payee.MaskedPayer ?? ""),
                new XElement("field2", new XAttribute("name", "address"), payee.Address),
                new XElement("field3", new XAttribute("name", "balance"), IOnlineProtocol.Money(payee.Balance)),
                new XElement("field4", new XAttribute("name", "rec_sum"), IOnlineProtocol.Money(payee.ToPay))));
        return response;
    }
}
