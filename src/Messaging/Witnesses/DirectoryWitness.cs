using System.Globalization;
using System.Text;
using Ledger.EventStore.Witnesses;
using Microsoft.Extensions.Logging;

namespace Ledger.Messaging.Witnesses;

/// <summary>
/// An append-only folder as a witness (<c>Ledger:Witnesses:Directory</c>): one file per tenant and position,
/// <c>&lt;tenant&gt;/&lt;chain_seq&gt;.jws</c> (the JWS and a newline) and <c>&lt;tenant&gt;/&lt;chain_seq&gt;.note</c> (the signed
/// note), written once and never overwritten. Mount it where the database's owner cannot write (another host, a
/// write-once bucket synced from it, a backup): it is what <c>ledger verify --witness</c> checks the database against.
/// Handed the same checkpoint again, it finds the same bytes and is done; handed another checkpoint for a position it
/// already holds, it keeps what it has, logs an Error and refuses: two different signed histories exist.
/// </summary>
public sealed partial class DirectoryWitness(string root, ILogger<DirectoryWitness> logger) : ICheckpointWitness
{
    private readonly string root = Path.GetFullPath(root);

    public string Name => "directory:" + root;

    public async Task<string?> DeliverAsync(WitnessedCheckpoint checkpoint, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var folder = Path.Combine(root, WitnessFiles.TenantFolder(checkpoint.TenantId));
        Directory.CreateDirectory(folder);
        var name = checkpoint.ChainSeq.ToString(CultureInfo.InvariantCulture);
        await WriteOnceAsync(Path.Combine(folder, name + WitnessFiles.JwsExtension), checkpoint.Signed.Jws + "\n", checkpoint, ct);
        if (checkpoint.Note is { } note) await WriteOnceAsync(Path.Combine(folder, name + WitnessFiles.NoteExtension), note, checkpoint, ct);
        return null;
    }

    private async Task WriteOnceAsync(string path, string content, WitnessedCheckpoint checkpoint, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        if (!File.Exists(path))
        {
            // Written beside it, flushed to disk, then moved into place without overwriting: a reader never sees half a
            // file, and of two writers racing for one position the second finds the first's file.
            var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            try
            {
                await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
                {
                    await file.WriteAsync(bytes, ct);
                    file.Flush(flushToDisk: true);
                }
                File.Move(temporary, path, overwrite: false);
                return;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Someone wrote it first: compare below.
            }
            finally
            {
                File.Delete(temporary);
            }
        }
        var held = await File.ReadAllBytesAsync(path, ct);
        if (held.AsSpan().SequenceEqual(bytes)) return;
        LogFork(logger, checkpoint.TenantId, checkpoint.ChainSeq, path);
        throw new WitnessForkException(string.Create(CultureInfo.InvariantCulture,
            $"the witness {root} already holds another checkpoint for tenant {checkpoint.TenantId} at position {checkpoint.ChainSeq} ({path}); it is kept, and the new one refused"));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Witness fork: the witness directory already holds a different checkpoint for tenant {TenantId} at position {ChainSeq} ({Path}); two signed histories exist. The file is kept; the new checkpoint is refused")]
    private static partial void LogFork(ILogger logger, string tenantId, long chainSeq, string path);
}
