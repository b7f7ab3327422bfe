using System.CommandLine;
using OpenErc.Cli;

var root = new RootCommand("OpenErc — единый расчётный центр ЖКУ: командная строка");
root.Options.Add(CliDatabase.ConnectionOption);
root.Options.Add(CliDatabase.DataOption);
root.Subcommands.Add(DbCommands.Create());
root.Subcommands.Add(DemoCommand.Create());
var billing = BillingCommands.Create();
RecalcCommands.AddTo(billing);
root.Subcommands.Add(billing);
root.Subcommands.Add(PaymentCommands.Create());
root.Subcommands.Add(ReceiptCommands.Create());
root.Subcommands.Add(ImportCommand.Create());
root.Subcommands.Add(ImportCommand.Export());
root.Subcommands.Add(ImportCommand.Readings());
root.Subcommands.Add(BenchCommands.Create());
return await root.Parse(args).InvokeAsync();
