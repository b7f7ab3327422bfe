using OpenErc.Storage;
using OpenErc.Web;

var app = await OpenErcWebHost.CreateAsync(args);
try
{
    await app.RunAsync();
}
finally
{
    // Also when the host fails to start (the port is taken): never leave the embedded cluster behind.
    await app.Services.GetRequiredService<OpenErcDatabase>().DisposeAsync();
}
