using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenErc.Core.Common;
using OpenErc.Operations.Billing;
using MudBlazor.Services;
using OpenErc.Operations.Payments;
using OpenErc.Storage;
using OpenErc.Web.Api;
using OpenErc.Web.Cabinet;
using OpenErc.Web.Gateway;
using OpenErc.Web.Components;
using OpenErc.Web.Security;
using Scalar.AspNetCore;

namespace OpenErc.Web;

/// <summary>
/// The one ASP.NET Core host: operator workstation, JSON API, and (later) cabinets and bank protocols.
/// Tests build the same host with their own configuration and talk to it over real HTTP.
/// </summary>
public static class OpenErcWebHost
{
    public static async Task<WebApplication> CreateAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // The application name finds the static web assets (MudBlazor, blazor.web.js) when a test hosts the app.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(OpenErcWebHost).Assembly.GetName().Name,
        });
        configure?.Invoke(builder);
        // Serve MudBlazor's and Blazor's files from the build output in every environment, not only Development
        // (a no-op once published): `dotnet run` without launch settings runs as Production.
        builder.WebHost.UseStaticWebAssets();
        var config = builder.Configuration;

        using var loggerFactory = LoggerFactory.Create(l => l.AddConsole());
        // The region's clock: a test's own when it registered one, else the machine's in the configured time zone.
        var clock = builder.Services.FirstOrDefault(d => d.ServiceType == typeof(RegionClock))?.ImplementationInstance as RegionClock
            ?? RegionClock.Machine(config["OpenErc:TimeZone"], config.GetSection("OpenErc:WorkCalendar").Get<WorkCalendar>());
        builder.Services.TryAddSingleton(clock);
        Components.Shared.Fmt.Zone = clock.Zone;
        // The framework's own timing (session cookies, lockouts, data protection) is the machine's, not a business date.
        builder.Services.TryAddSingleton(RegionClock.MachineTime);
        var database = await OpenErcDatabase.OpenAsync(
            config.GetConnectionString("OpenErc") is { Length: > 0 } cs ? cs : config["OPENERC_DB"],
            config["OpenErc:DataDirectory"], clock, loggerFactory.CreateLogger("OpenErc.Database"));

        try
        {
            return await BuildAsync(builder, database);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    private static async Task<WebApplication> BuildAsync(WebApplicationBuilder builder, OpenErcDatabase database)
    {
        var config = builder.Configuration;
        builder.Services.AddSingleton(database);
        builder.Services.AddDbContextFactory<OpenErcDbContext>(o => OpenErcDatabase.Configure(o, database.ConnectionString));
        builder.Services.AddSingleton<BillingJobs>();
        builder.Services.AddSingleton<PrintJobs>();
        builder.Services.AddSecurity(config, database.ConnectionString);
        builder.AddHardening();
        builder.Services.AddSingleton<Scopes>();
        builder.Services.AddCitizenCabinet(config);
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });
        builder.Services.AddCalculatorApi();
        builder.Services.AddOnlineGateway(config);
        // The test acquirer exists only where enabled: the demo, Development, or OpenErc:Acquiring:Fake. A bank's adapter
        // (IAcquirer: order, redirect to the bank's page, signed callback, status) is registered here instead; without one
        // the cabinet says card payment is not available.
        bool fakeAcquirer = config.GetValue<bool?>("OpenErc:Acquiring:Fake") ?? (DemoSeeding.Enabled(config, database) || builder.Environment.IsDevelopment());
        if (fakeAcquirer) builder.Services.AddSingleton<IAcquirer, FakeAcquirer>();
        builder.Services.AddPaymentRegistries(config);
        builder.Services.AddReceipts(config);
        builder.Services.AddPassportDesk(config);
        builder.Services.AddGis(config);
        builder.Services.AddBenefits(config);
        builder.Services.AddSingleton(config.GetSection("OpenErc:Dispatch:Deadlines").Get<OpenErc.Operations.Cabinet.RequestDeadlines>()
                                      ?? new OpenErc.Operations.Cabinet.RequestDeadlines());
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "OpenErc API";
            doc.Info.Description = "Единый расчётный центр ЖКУ: картотека, приборы учёта, тарифы и нормативы.";
            return Task.CompletedTask;
        }).AddSecuritySchemes());
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();

        var app = builder.Build();
        app.Lifetime.ApplicationStopped.Register(() => database.DisposeAsync().AsTask().GetAwaiter().GetResult());

        await database.MigrateAsync();
        await DemoSeeding.SeedIfEmptyAsync(database, config, app.Logger);
        await BillingPeriods.StartAsync(database.ConnectionString, database.Clock.CurrentMonth, database.Clock);
        await SecuritySetup.SeedAsync(app.Services, config, app.Logger);

        app.UseHardening();
        app.UseRussianStatusPages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapOpenApi();
        app.MapScalarApiReference(o => o.WithTitle("OpenErc API"));
        app.MapGet("/health", async (OpenErcDbContext db, CancellationToken ct) =>
                await db.Database.CanConnectAsync(ct) ? Results.Ok(new { status = "ok" }) : Results.StatusCode(503))
            .WithTags("Служебное").WithSummary("Проверка работоспособности: 200, когда база данных отвечает");
        app.MapAuthApi();
        app.MapServiceAccountApi();
        app.MapRegistryApi();
        app.MapCalculatorApi();
        app.MapBillingApi();
        app.MapPaymentsApi();
        app.MapOnlineGateway();
        app.MapCabinetApi();
        app.MapCitizenApi();
        if (fakeAcquirer) FakeAcquirer.MapFakeAcquirer(app);
        app.MapPaymentRegistryApi();
        app.MapReceiptApi();
        app.MapPassportApi();
        app.MapImportApi();
        app.MapGisApi();
        app.MapSupplierApi();
        app.MapReportsApi();
        app.MapBenefitsApi();
        // The frame-ancestors rule is part of the host's own policy (Hardening): Blazor's separate header would be a second one.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);
        return app;
    }
}
