using System.CommandLine;
using OpenErc.Core.Common;
using Spectre.Console;

namespace OpenErc.Cli;

/// <summary>The <c>--month ГГГГ-ММ</c> options of the commands and their parsing with a Russian message.</summary>
public static class CliMonth
{
    public static Option<string> Option(string description = "Расчётный месяц ГГГГ-ММ") =>
        new("--month") { Description = description, Required = true };

    /// <summary>
    /// The month of <paramref name="text"/>, or false after printing why it is not one (<see cref="BillingPeriod.ParseError"/>,
    /// with the option's <paramref name="name"/>); the command then exits with code 2.
    /// </summary>
    public static bool TryParse(string? text, out BillingPeriod month, string name = "--month")
    {
        if (BillingPeriod.TryParse(text, out month)) return true;
        AnsiConsole.MarkupLine($"[red]{Markup.Escape($"{name}: {BillingPeriod.ParseError(text)}")}[/]");
        return false;
    }
}
