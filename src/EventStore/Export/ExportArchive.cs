using System.Formats.Tar;
using System.IO.Compression;

namespace Ledger.EventStore.Export;

/// <summary>
/// An export as a folder or as one archive file: <c>.tar</c>, <c>.tar.gz</c>/<c>.tgz</c> or <c>.zip</c>, chosen by the
/// name. Every archive holds the export's files flat, at its root. Reading an archive unpacks only plain files with
/// plain names into a private temporary folder: links, folders and paths are refused, whoever made the archive.
/// </summary>
public static class ExportArchive
{
    public static bool IsArchivePath(string path) => KindOf(path) is not null;

    /// <summary>Packs the export folder <paramref name="directory"/> into <paramref name="archivePath"/>.</summary>
    public static void Pack(string directory, string archivePath)
    {
        var kind = KindOf(archivePath) ?? throw new ArgumentException($"{archivePath} is not a .tar, .tar.gz, .tgz or .zip path", nameof(archivePath));
        using var output = new FileStream(archivePath, FileMode.CreateNew, FileAccess.Write);
        var names = ExportFiles.All.Where(n => File.Exists(Path.Combine(directory, n)));
        if (kind == "zip")
        {
            using var zip = new ZipArchive(output, ZipArchiveMode.Create);
            foreach (var name in names) zip.CreateEntryFromFile(Path.Combine(directory, name), name, CompressionLevel.Optimal);
            return;
        }
        using var compressed = kind == "tgz" ? new GZipStream(output, CompressionLevel.Optimal) : null;
        using var tar = new TarWriter((Stream?)compressed ?? output, TarEntryFormat.Pax, leaveOpen: false);
        foreach (var name in names) tar.WriteEntry(Path.Combine(directory, name), name);
    }

    /// <summary>
    /// The folder holding the export at <paramref name="path"/>: the folder itself, or a temporary one the archive was
    /// unpacked into (deleted when the returned handle is disposed).
    /// </summary>
    public static ExportFolder Open(string path)
    {
        if (Directory.Exists(path)) return new ExportFolder(path, temporary: false);
        var kind = KindOf(path) ?? throw new FileNotFoundException($"{path} is neither a folder nor a .tar, .tar.gz, .tgz or .zip file", path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} does not exist", path);
        var folder = Directory.CreateTempSubdirectory("ledger-export-");
        try
        {
            using var input = File.OpenRead(path);
            if (kind == "zip") UnpackZip(input, folder.FullName);
            else UnpackTar(kind == "tgz" ? new GZipStream(input, CompressionMode.Decompress) : input, folder.FullName);
            return new ExportFolder(folder.FullName, temporary: true);
        }
        catch
        {
            folder.Delete(recursive: true);
            throw;
        }
    }

    private static void UnpackZip(Stream input, string folder)
    {
        using var zip = new ZipArchive(input, ZipArchiveMode.Read);
        foreach (var entry in zip.Entries)
        {
            if (entry.FullName.EndsWith('/')) continue; // a folder entry: nothing of the export's
            entry.ExtractToFile(Path.Combine(folder, PlainName(entry.FullName)), overwrite: false);
        }
    }

    private static void UnpackTar(Stream input, string folder)
    {
        using var tar = new TarReader(input);
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is TarEntryType.Directory) continue;
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                throw new InvalidDataException($"the archive entry {entry.Name} is not a plain file");
            entry.ExtractToFile(Path.Combine(folder, PlainName(entry.Name)), overwrite: false);
        }
    }

    private static string PlainName(string name)
    {
        var plain = name.StartsWith("./", StringComparison.Ordinal) ? name[2..] : name;
        if (plain.Length == 0 || plain.Contains('/', StringComparison.Ordinal) || plain.Contains('\\', StringComparison.Ordinal) || plain is "." or "..")
            throw new InvalidDataException($"the archive entry {name} is not a plain file name at the archive's root");
        return plain;
    }

    private static string? KindOf(string path) =>
        path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) ? "zip"
        : path.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase) ? "tgz"
        : path.EndsWith(".tar", StringComparison.OrdinalIgnoreCase) ? "tar"
        : null;
}

/// <summary>An export's files on disk; disposing it deletes the folder if it was unpacked from an archive.</summary>
public sealed class ExportFolder(string path, bool temporary) : IDisposable
{
    public string Path { get; } = path;

    public void Dispose()
    {
        if (temporary && Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
