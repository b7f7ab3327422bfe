using OpenErc.Exchange.Uszn;

namespace OpenErc.Testing;

/// <summary>УСЗН's registry of rights BENREG (benefits.md §6.1) written for tests: rows by column, the file with its trailer.</summary>
public static class BenregSample
{
    /// <summary>A labour veteran's right on <paramref name="account"/> from 01.05.2026, CASH, 50 % of housing and communal services; <paramref name="values"/> override by column.</summary>
    public static Dictionary<string, string> Row(string rightId, string account, string lastName, string firstName, string middleName, string birthDate,
        params (string Column, string Value)[] values) =>
        UsznSample.Row(BenregFile.Columns,
        [
            ("RightId", rightId), ("Action", "ADD"), ("PersonId", "P-" + rightId), ("LastName", lastName), ("FirstName", firstName), ("MiddleName", middleName),
            ("BirthDate", birthDate), ("AccountNumber", account), ("CategoryCode", "VET_TRUDA"), ("Form", "CASH"), ("Rate", "0.5"),
            ("Services", "HOUSING,COMMUNAL"), ("ValidFrom", "01.05.2026"), ("DecisionNo", "Р-" + rightId), ("DecisionDate", "20.04.2026"), .. values,
        ]);

    /// <summary>The file in UTF-8: header, rows, the trailer with their count and Σ Rate.</summary>
    public static byte[] File(params Dictionary<string, string>[] rows) => UsznSample.File(BenregFile.Columns, "Rate", rows);
}
