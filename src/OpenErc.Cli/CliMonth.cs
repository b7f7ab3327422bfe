using System.CommandLine;
using OpenErc.Core.Common;
using Spectre.Console;

namespace OpenErc.Cli;

/// <summary>The <c>--month ГГГГ-ММ</c> option of the billing commands and its parsing with a Russian message.</summary>
public static class CliMonth
{
    public static Option<string> Option(string description = "Расчётный месяц ГГГГ-ММ") =>
        new("--month") { Description = description, Required = true };

    public static bool TryParse(string? text, out BillingPeriod month)
    {
        if (BillingPeriod.TryParse(text, out month)) return true;
        AnsiConsole.MarkupLine("[red]Месяц должен иметь вид ГГГГ-ММ[/]");
        return false;
    }
}
