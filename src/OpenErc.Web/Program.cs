using OpenErc.Storage;
using OpenErc.Web;

var app = await OpenErcWebHost.CreateAsync(args);
// Taken before running: the host disposes its services when it stops.
var database = app.Services.GetRequiredService<OpenErcDatabase>();
try
{
    await app.RunAsync();
}
finally
{
    // Also when the host fails to start (the port is taken): never leave the embedded cluster behind.
    await database.DisposeAsync();
}
