using OpenErc.Web;

var app = await OpenErcWebHost.CreateAsync(args);
await app.RunAsync();
