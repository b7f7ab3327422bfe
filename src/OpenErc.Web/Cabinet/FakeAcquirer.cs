using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using OpenErc.Operations.Payments;
using OpenErc.Storage;

namespace OpenErc.Web.Cabinet;

/// <summary>
/// A stand-in for the acquiring bank, for the demo and the tests: its payment page is served by this host
/// (<c>/fake-acquirer/{orderId}</c>, «Оплата картой (тестовый эквайринг)», no card data, nothing charged) and its
/// «Оплатить» / «Отменить» buttons send the callback a bank would send, signed with HMAC-SHA256 under a key that lives
/// as long as the process.
/// </summary>
public sealed class FakeAcquirer : IAcquirer
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public const string Paid = "paid";
    public const string Cancelled = "cancelled";

    public string Name => "fake";

    public Task<string> RegisterAsync(CabinetOrder order, CancellationToken ct) => Task.FromResult($"/fake-acquirer/{order.Id}");

    public AcquirerNotice? ReadNotice(IReadOnlyDictionary<string, string> fields)
    {
        if (!fields.TryGetValue("orderId", out var id) || !Guid.TryParse(id, out var orderId)
            || !fields.TryGetValue("status", out var status) || status is not (Paid or Cancelled)
            || !fields.TryGetValue("signature", out var signature))
            return null;
        var expected = Encoding.ASCII.GetBytes(Sign(orderId, status));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature)) ? new AcquirerNotice(orderId, status == Paid) : null;
    }

    private string Sign(Guid orderId, string status) =>
        Convert.ToHexString(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{orderId:N}|{status}")));

    public static void MapFakeAcquirer(IEndpointRouteBuilder app) =>
        app.MapGet("/fake-acquirer/{orderId:guid}", async (Guid orderId, IAcquirer acquirer, OpenErcDatabase db, CancellationToken ct) =>
            {
                var order = await CabinetPayments.FindAsync(db.ConnectionString, orderId, ct);
                if (order is null || acquirer is not FakeAcquirer fake)
                    return Results.Content(Page("<p>Заказ не найден.</p>"), "text/html; charset=utf-8", statusCode: 404);
                var ru = CultureInfo.GetCultureInfo("ru-RU");
                var period = order.Period is { } month ? " за " + month.FirstDay.ToString("MMMM yyyy", ru) : "";
                return Results.Content(Page($$"""
                    <p>Лицевой счёт: <b>{{order.AccountNumber}}</b></p>
                    <p>Сумма: <b>{{order.Amount.ToString("N2", ru)}} ₽</b>{{period}}</p>
                    <p>Заказ {{order.Id}}. Это тестовая страница: данные карты не нужны, деньги не списываются.</p>
                    <form id="notice" data-order="{{order.Id}}">
                      <button type="button" data-status="{{Paid}}" data-signature="{{fake.Sign(order.Id, Paid)}}">Оплатить</button>
                      <button type="button" data-status="{{Cancelled}}" data-signature="{{fake.Sign(order.Id, Cancelled)}}">Отменить</button>
                    </form>
                    <p id="result" role="status"></p>
                    <script>
                      const form = document.getElementById('notice'), result = document.getElementById('result');
                      form.querySelectorAll('button').forEach(b => b.addEventListener('click', async () => {
                        const body = new URLSearchParams({ orderId: form.dataset.order, status: b.dataset.status, signature: b.dataset.signature });
                        const answer = await fetch('/api/v1/cabinet/payments/callback', { method: 'POST', body });
                        const order = await answer.json();
                        result.textContent = !answer.ok ? 'Ошибка: ' + order.detail
                          : order.state === 'Paid' ? 'Оплата прошла: платёж № ' + order.paymentId + ' принят.' : 'Оплата отменена.';
                      }));
                    </script>
                    """), "text/html; charset=utf-8");
            })
            .ExcludeFromDescription();

    private static string Page(string body) => $"""
        <!DOCTYPE html>
        <html lang="ru"><head><meta charset="utf-8"><title>Оплата картой (тестовый эквайринг)</title></head>
        <body><h1>Оплата картой (тестовый эквайринг)</h1>
        {body}
        </body></html>
        """;
}
