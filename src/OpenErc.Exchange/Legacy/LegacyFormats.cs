namespace OpenErc.Exchange.Legacy;

/// <summary>The formats a region is moved in from, by name: <c>kvado</c> (the Квадо export's files) and <c>openerc</c> (OpenErc's workbook).</summary>
public static class LegacyFormats
{
    /// <summary>The name a format's objects are keyed under: the same source's later file updates them.</summary>
    public static string SourceOf(string format) => format == "openerc" ? "OpenErc" : "Квадо";

    /// <summary>The files of a format read into the staging model.</summary>
    public static (LegacyRegion Region, IReadOnlyList<LegacyError> Errors, IReadOnlyList<string> Warnings) Read(string format,
        IReadOnlyList<(string Name, byte[] Content)> files)
    {
        if (format == "kvado") return KvadoExport.Read(files);
        var (region, errors) = OpenErcTemplate.Read(files[0].Name, files[0].Content);
        return (region, errors, files.Count > 1 ? ["Загружена только первая книга: шаблон OpenErc — одна книга"] : []);
    }
}
