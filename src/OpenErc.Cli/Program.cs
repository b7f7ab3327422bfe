using System.CommandLine;
using OpenErc.Cli;

var root = new RootCommand("OpenErc — единый расчётный центр ЖКУ: командная строка");
root.Options.Add(CliDatabase.ConnectionOption);
root.Options.Add(CliDatabase.DataOption);
root.Subcommands.Add(DbCommands.Create());
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(BillingCommands.Create());
root.Subcommands.Add(BenchCommands.Create());
return await root.Parse(args).InvokeAsync();
