using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Ledger.EventStore.Merkle;
using Npgsql;

namespace Ledger.Messaging.Witnesses;

/// <summary>
/// A transparency-log witness over HTTP (<c>Ledger:Witnesses:Http:Url</c>) speaking c2sp.org/tlog-witness: each
/// checkpoint's note is POSTed to <c>{url}/add-checkpoint</c> as <c>old &lt;size&gt;\n</c>, the consistency proof from that
/// size (one standard-base64 hash per line), a blank line, the note — as transparency-dev/witness parses it
/// (witness/http.go, parseBody). 200 answers with the witness's cosignature lines, kept as the delivery's receipt. 409
/// with <c>Content-Type: text/x.tlog.size</c> says which size the witness holds for this log: the checkpoint is sent
/// again from there, or, when the witness already holds a larger tree, there is nothing to add (it cosigned a later
/// checkpoint, whose consistency with this one it checked then). A 409 of another kind is a root mismatch at the same
/// size: a fork. Anything else (the witness down, 5xx, 403 for a log it does not know) is a failure retried later.
/// A checkpoint without a note cannot be offered to such a witness; it is recorded as skipped.
/// </summary>
public sealed class HttpWitness(Uri url, HttpClient http, NpgsqlDataSource dataSource) : ICheckpointWitness
{
    public const string SizeContentType = "text/x.tlog.size";
    private readonly Uri endpoint = url.AbsolutePath.EndsWith("/add-checkpoint", StringComparison.Ordinal)
        ? url
        : new Uri(url.ToString().TrimEnd('/') + "/add-checkpoint");
    private readonly LedgerTreeReader trees = new(dataSource);

    // The size the witness last said it holds, per origin: where the next consistency proof starts.
    private readonly ConcurrentDictionary<string, long> sizes = new(StringComparer.Ordinal);

    // Without any credentials the URL carries: the name is logged and stored.
    public string Name => "http:" + new UriBuilder(endpoint) { UserName = "", Password = "" }.Uri;

    public async Task<string?> DeliverAsync(WitnessedCheckpoint checkpoint, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (checkpoint.Note is not { } note) return "skipped: no signed note for this checkpoint";
        var origin = checkpoint.TenantId;
        var old = sizes.GetValueOrDefault(origin);
        // Two turns are enough: the first may learn the witness's size from a 409; a third 409 means it moves under us.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (old > checkpoint.TreeSize)
                return string.Create(CultureInfo.InvariantCulture, $"witness already at size {old}");
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(await BodyAsync(checkpoint, old, note, ct), Encoding.UTF8) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain") { CharSet = null };
            using var response = await http.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (response.IsSuccessStatusCode)
            {
                sizes[origin] = checkpoint.TreeSize;
                return body;
            }
            if (response.StatusCode != HttpStatusCode.Conflict)
                throw new HttpRequestException(string.Create(CultureInfo.InvariantCulture,
                    $"witness {endpoint} answered {(int)response.StatusCode} for tenant {checkpoint.TenantId} at {checkpoint.ChainSeq}"), null, response.StatusCode);
            if (response.Content.Headers.ContentType?.MediaType != SizeContentType)
                throw new WitnessForkException(string.Create(CultureInfo.InvariantCulture,
                    $"witness {endpoint} holds another tree root for tenant {checkpoint.TenantId} at size {checkpoint.TreeSize} (409 without its size): two signed histories exist"));
            if (!long.TryParse(body.TrimEnd('\n'), NumberStyles.None, CultureInfo.InvariantCulture, out old))
                throw new HttpRequestException($"witness {endpoint} answered 409 with a size that is not a number: '{body}'");
            sizes[origin] = old;
        }
        throw new HttpRequestException($"witness {endpoint} kept changing its size for tenant {checkpoint.TenantId}; trying again later");
    }

    private async Task<string> BodyAsync(WitnessedCheckpoint checkpoint, long old, string note, CancellationToken ct)
    {
        var body = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"old {old}\n"));
        if (old > 0 && old < checkpoint.TreeSize)
            foreach (var hash in (await trees.ConsistencyProofAsync(checkpoint.TenantId, old, checkpoint.TreeSize, ct)).Path)
                body.Append(Convert.ToBase64String(hash)).Append('\n');
        return body.Append('\n').Append(note).ToString();
    }
}
