using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Merkle;
using Ledger.EventStore.Witnesses;

namespace Ledger.Messaging.Tests.Witnesses;

/// <summary>
/// A c2sp.org/tlog-witness witness on 127.0.0.1 (HttpListener), as transparency-dev/witness behaves: it checks the
/// note's signature with the log's key, answers 409 with its size (text/x.tlog.size) when the old size is not the size
/// it holds, checks the consistency proof from the tree it holds (422 when it fails), refuses another root at the same
/// size (409 without a size), and cosigns with a key of its own. It can be told to fail (503) to play a witness down.
/// </summary>
public sealed class TestTlogWitness : IAsyncDisposable
{
    private readonly HttpListener listener = new();
    private readonly ConcurrentDictionary<string, (long Size, byte[] Root)> held = new(StringComparer.Ordinal);
    private readonly ECDsa cosigner = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly Func<LedgerKeySet> keys;
    private readonly string keyName;
    private readonly Task serving;

    private TestTlogWitness(Func<LedgerKeySet> keys, string keyName, int port)
    {
        this.keys = keys;
        this.keyName = keyName;
        Url = new Uri($"http://127.0.0.1:{port}/witness/");
        listener.Prefixes.Add(Url.ToString());
        listener.Start();
        serving = Task.Run(ServeAsync);
    }

    public Uri Url { get; }

    public volatile bool Failing;

    public int Conflicts;

    public int ProofsChecked;

    public static TestTlogWitness Start(Func<LedgerKeySet> keys, string keyName)
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new TestTlogWitness(keys, keyName, port);
    }

    public (long Size, byte[] Root)? Holds(string origin) => held.TryGetValue(origin, out var tree) ? tree : null;

    /// <summary>Makes the witness hold a tree (as if another history had been offered to it first).</summary>
    public void Hold(string origin, long size, byte[] root) => held[origin] = (size, root);

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            var (status, contentType, body) = Failing ? (503, null, "") : Handle(await new StreamReader(context.Request.InputStream).ReadToEndAsync(), context.Request.Url!.AbsolutePath);
            context.Response.StatusCode = status;
            if (contentType is not null) context.Response.ContentType = contentType;
            var bytes = Encoding.UTF8.GetBytes(body);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private (int, string?, string) Handle(string request, string path)
    {
        if (!path.EndsWith("/add-checkpoint", StringComparison.Ordinal)) return (404, null, "");
        var lines = request.Split('\n');
        if (!lines[0].StartsWith("old ", StringComparison.Ordinal) || !long.TryParse(lines[0][4..], CultureInfo.InvariantCulture, out var old)) return (400, null, "");
        var proof = new List<byte[]>();
        var i = 1;
        for (; i < lines.Length && lines[i].Length > 0; i++) proof.Add(Convert.FromBase64String(lines[i]));
        var note = string.Join('\n', lines[(i + 1)..]);

        var origin = note[..note.IndexOf('\n', StringComparison.Ordinal)];
        var verified = CheckpointNote.Verify(note, keys(), keyName, origin[(keyName.Length + 1)..]);
        if (!verified.Succeeded) return (403, null, verified.Error!);
        var (size, root) = (verified.Note!.Body.TreeSize, verified.Note.Body.TreeRoot);
        var (heldSize, heldRoot) = held.GetValueOrDefault(origin, (0L, Array.Empty<byte>()));
        if (old != heldSize)
        {
            Interlocked.Increment(ref Conflicts);
            return (409, "text/x.tlog.size", string.Create(CultureInfo.InvariantCulture, $"{heldSize}\n"));
        }
        if (size < old) return (400, null, "");
        if (size == old && !root.AsSpan().SequenceEqual(heldRoot)) return (409, null, "");
        if (old > 0 && size > old)
        {
            if (!MerkleProofVerifier.VerifyConsistency(old, size, proof, heldRoot, root)) return (422, null, "");
            Interlocked.Increment(ref ProofsChecked);
        }
        held[origin] = (size, root);
        var signature = cosigner.SignData(Encoding.UTF8.GetBytes(verified.Note.SignedText), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return (200, "text/plain", "\u2014 test-witness " + Convert.ToBase64String([0, 0, 0, 1, .. signature]) + "\n");
    }

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        listener.Close();
        try
        {
            await serving;
        }
        catch (ObjectDisposedException)
        {
        }
        cosigner.Dispose();
    }
}
