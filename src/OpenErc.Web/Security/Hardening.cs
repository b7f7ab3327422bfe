using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.RateLimiting;
using OpenErc.Operations.Security;

namespace OpenErc.Web.Security;

/// <summary>
/// The centre's public address (<c>OpenErc:PublicUrl</c>): the only base of the links the system sends — password
/// reset, cabinet, e-mails — never the request's <c>Host</c> header, which any client can forge. Without the setting,
/// the address the host listens on.
/// </summary>
public sealed class PublicUrl(IConfiguration config, IServer server)
{
    private Uri? _base = Parse(config["OpenErc:PublicUrl"]);

    /// <summary>The configured public URL, or null (then the listening address stands in).</summary>
    public static Uri? Parse(string? text) =>
        Uri.TryCreate(text?.Trim().TrimEnd('/'), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;

    public Uri Base => _base ??= new Uri(server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                                         ?? throw new InvalidOperationException("the host listens nowhere: set OpenErc:PublicUrl"));

    /// <summary>An absolute link to <paramref name="pathAndQuery"/> (starting with <c>/</c>) on the public address.</summary>
    public string Link(string pathAndQuery) => Base.GetLeftPart(UriPartial.Authority) + Base.AbsolutePath.TrimEnd('/') + pathAndQuery;

    public bool IsHttps => Base.Scheme == Uri.UriSchemeHttps;
}

/// <summary>
/// What the host does to be safe in front of a region (README, "Security"): trusted proxies only, allowed hosts from the
/// public URL, errors as ProblemDetails, security headers, a same-origin check of cookie-authenticated changes, and rate
/// limits on the anonymous endpoints.
/// </summary>
public static class Hardening
{
    public const string SignInPolicy = "sign-in";
    public const string CalculatorPolicy = "calculators";

    public static void AddHardening(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var services = builder.Services;
        services.AddSingleton<PublicUrl>();

        // The Host header is checked against the public URL's host (and loopback, for a proxy on the same machine and the
        // health check): a forged one gets 400 before anything runs.
        if (PublicUrl.Parse(config["OpenErc:PublicUrl"]) is { } publicUrl)
            config["AllowedHosts"] = $"{publicUrl.Host};localhost;127.0.0.1;[::1]";

        // Forwarded headers are believed only from the configured proxies; with none, the connection's address is the client.
        var proxies = AgentLogin.ParseNetworks(config["OpenErc:TrustedProxies"]);
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownIPNetworks.Clear();
            o.KnownProxies.Clear();
            foreach (var network in proxies) o.KnownIPNetworks.Add(network);
            o.ForwardLimit = proxies.Count == 0 ? 0 : 1;
        });

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(SignInPolicy, http => PerClient(http, config.GetValue("OpenErc:RateLimits:SignInPerMinute", 20)));
            o.AddPolicy(CalculatorPolicy, http => PerClient(http, config.GetValue("OpenErc:RateLimits:CalculatorsPerMinute", 60)));
            o.OnRejected = async (context, ct) =>
            {
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? (int)Math.Ceiling(retry.TotalSeconds) : 60;
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await Results.Problem($"Слишком много запросов с вашего адреса: повторите через {seconds} с", statusCode: 429, title: "Слишком много запросов")
                    .ExecuteAsync(context.HttpContext);
            };
        });
    }

    private static RateLimitPartition<string> PerClient(HttpContext http, int perMinute) =>
        RateLimitPartition.GetFixedWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "?", _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, perMinute), Window = TimeSpan.FromMinutes(1), QueueLimit = 0,
        });

    /// <summary>The middleware, in order: forwarded headers, errors, headers, the same-origin check, rate limits.</summary>
    public static void UseHardening(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseExceptionHandler(error => error.Run(WriteErrorAsync));
        var publicUrl = app.Services.GetRequiredService<PublicUrl>();
        if (PublicUrl.Parse(app.Configuration["OpenErc:PublicUrl"]) is { Scheme: "https" }) app.UseHsts();
        app.Use(async (http, next) =>
        {
            AddHeaders(http);
            if (!SameOrigin(http, publicUrl))
            {
                await Results.Problem("Запрос отправлен с другого сайта: действие не выполнено. Откройте страницу ЕРЦ и повторите.",
                    statusCode: 403, title: "Запрос с другого сайта").ExecuteAsync(http);
                return;
            }
            await next(http);
        });
        app.UseRateLimiter();
    }

    /// <summary>
    /// A status answered without a body — an unknown address, a method the address does not take, a request refused by
    /// the framework before any endpoint — in Russian: a page for a browser that asked for one, a ProblemDetails for the
    /// API and for everyone else. The endpoints' own refusals have bodies of their own and are left as they are.
    /// </summary>
    public static void UseRussianStatusPages(this WebApplication app) => app.UseStatusCodePages(async context =>
    {
        var http = context.HttpContext;
        int status = http.Response.StatusCode;
        var (title, detail) = status switch
        {
            400 => ("Неверный запрос", "Запрос не удалось прочитать."),
            401 => ("Требуется вход", "Войдите в систему, чтобы продолжить."),
            403 => ("Нет доступа", "Это действие не входит в ваши обязанности."),
            404 => ("Адрес не найден", $"По адресу {http.Request.Path} ничего нет. Проверьте адрес или начните с главной страницы."),
            405 => ("Метод не поддерживается", $"Адрес {http.Request.Path} не принимает запросы {http.Request.Method}."),
            406 => ("Формат ответа не поддерживается", "Сервер не может ответить в запрошенном формате."),
            413 => ("Слишком большой запрос", "Запрос больше, чем принимает сервер."),
            415 => ("Неподдерживаемый тип содержимого", "Отправьте данные в формате, который принимает этот адрес."),
            _ => ("Запрос не выполнен", $"Сервер ответил кодом {status}."),
        };
        bool page = !http.Request.Path.StartsWithSegments("/api") && HttpMethods.IsGet(http.Request.Method)
            && http.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);
        if (!page)
        {
            await Results.Problem(detail, statusCode: status, title: title).ExecuteAsync(http);
            return;
        }
        if (status == 404) title = "Страница не найдена";
        http.Response.ContentType = "text/html; charset=utf-8";
        string Encode(string text) => System.Net.WebUtility.HtmlEncode(text);
        await http.Response.WriteAsync($$"""
            <!DOCTYPE html>
            <html lang="ru"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{Encode(title)}} — OpenErc</title>
            <style>body{font-family:Roboto,Arial,sans-serif;margin:0;padding:3rem 1.5rem;color:#212121}main{max-width:40rem;margin:auto}
            h1{font-weight:500;font-size:1.6rem}a{color:#1565c0}</style></head>
            <body><main><h1>{{Encode(title)}}</h1><p>{{Encode(detail)}}</p>
            <p><a href="/">Главная страница</a> · <a href="/cabinet">Личный кабинет</a></p></main></body></html>
            """);
    });

    /// <summary>
    /// Any unhandled error: a 500 ProblemDetails in Russian with the trace id (the stack goes to the log, never to the client).
    /// </summary>
    private static async Task WriteErrorAsync(HttpContext http)
    {
        var error = http.Features.Get<IExceptionHandlerFeature>()?.Error;
        var traceId = System.Diagnostics.Activity.Current?.Id ?? http.TraceIdentifier;
        http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("OpenErc.Errors")
            .LogError(error, "Unhandled error in {Method} {Path}, trace {TraceId}", http.Request.Method, http.Request.Path, traceId);
        // Errors that the request's own values caused are the client's: a 4xx with the reason, not a 500.
        // EF Core wraps the server's refusal of a save in a DbUpdateException.
        var refused = error as Npgsql.PostgresException ?? error?.InnerException as Npgsql.PostgresException;
        var (status, title, detail) = (refused ?? error) switch
        {
            BadHttpRequestException bad => (bad.StatusCode, "Неверный запрос", "Запрос не разобран: проверьте его формат и размер"),
            // Class 22, data exceptions: a NUL character, a number or a date out of the column's range.
            Npgsql.PostgresException { SqlState: var state } when state.StartsWith("22", StringComparison.Ordinal) =>
                (400, "Недопустимое значение", "Значение в запросе не может быть сохранено или найдено: недопустимый символ или число либо дата вне допустимого диапазона"),
            Npgsql.PostgresException { SqlState: "23503" } => (409, "Ссылка на несуществующий объект", "Запрос ссылается на объект, которого нет в картотеке"),
            ArgumentOutOfRangeException or OverflowException => (400, "Недопустимое значение", "Число или дата в запросе вне допустимого диапазона"),
            _ => (0, "", ""),
        };
        if (status != 0)
        {
            await Results.Problem($"{detail}. Код запроса: {traceId}", statusCode: status, title: title,
                extensions: new Dictionary<string, object?> { ["traceId"] = traceId }).ExecuteAsync(http);
            return;
        }
        await Results.Problem($"Внутренняя ошибка сервера. Сообщите в ЕРЦ код ошибки: {traceId}", statusCode: 500, title: "Внутренняя ошибка",
            extensions: new Dictionary<string, object?> { ["traceId"] = traceId }).ExecuteAsync(http);
    }

    private static void AddHeaders(HttpContext http)
    {
        var headers = http.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        // Blazor's server pages run their own scripts over the same origin's WebSocket; MudBlazor sets inline styles.
        // The API reference (Scalar) writes its configuration in an inline script.
        var scripts = http.Request.Path.StartsWithSegments("/scalar") ? "'self' 'unsafe-inline'" : "'self'";
        headers.ContentSecurityPolicy = $"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
                                        "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
    }

    /// <summary>
    /// CSRF: a change (any method but GET, HEAD, OPTIONS) carrying the session cookie must come from the centre's own pages —
    /// a browser says where a request comes from in <c>Sec-Fetch-Site</c> and <c>Origin</c>, and a form posted by another site,
    /// even one on the same domain, says so. Clients that are no browsers (scripts, the banks' protocols) send neither and
    /// carry no cookie of a person, or authenticate otherwise: an API key (<see cref="ApiKeys"/>) is a header a browser
    /// never adds by itself, so a request signed with one is no forgery and is not checked here.
    /// </summary>
    private static bool SameOrigin(HttpContext http, PublicUrl publicUrl)
    {
        var request = http.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)) return true;
        if (!request.Cookies.ContainsKey(SecuritySetup.CookieName)) return true;
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && site is not ("same-origin" or "none")) return false;
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0) return true;
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var from)) return false;
        var own = $"{request.Scheme}://{request.Host}";
        return string.Equals(from.GetLeftPart(UriPartial.Authority), own, StringComparison.OrdinalIgnoreCase)
               || string.Equals(from.GetLeftPart(UriPartial.Authority), publicUrl.Base.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The client's address as the host sees it (after trusted proxies): journals, allow-lists and rate limits use it.</summary>
    public static IPAddress? ClientAddress(HttpContext http) => http.Connection.RemoteIpAddress;
}
