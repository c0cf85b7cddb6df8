using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Ledger.Host.Http;

/// <summary>
/// Puts the hardening headers on the responses Kestrel writes itself: a request it cannot parse (a bad request line, a
/// NUL in the path, headers too large) is refused with a bare 400 before any middleware runs, so
/// <see cref="SecurityHeadersMiddleware"/> never sees it. Kestrel offers no hook for those answers; a connection
/// middleware can: it watches the start of each response on the wire and, for an error head that lacks the headers
/// (every answer of the app's pipeline carries them), inserts them after the status line.
/// </summary>
/// <remarks>
/// Plain HTTP/1.1 only: on an HTTPS endpoint this middleware sits outside TLS and sees ciphertext, which never matches;
/// a deployment terminating TLS at its proxy (the documented one) gets the headers on every answer.
/// </remarks>
internal static class KestrelRejectionHeaders
{
    // Kept in step with SecurityHeadersMiddleware (HSTS aside: this path is plain HTTP).
    private static readonly byte[] Headers = Encoding.ASCII.GetBytes(
        "X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\nReferrer-Policy: no-referrer\r\n" +
        "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n");

    private static readonly byte[] ClientError = "HTTP/1.1 4"u8.ToArray();
    private static readonly byte[] ServerError = "HTTP/1.1 5"u8.ToArray();
    private static readonly byte[] Marker = "\r\nX-Content-Type-Options:"u8.ToArray();

    public static void Add(KestrelServerOptions kestrel) =>
        kestrel.ConfigureEndpointDefaults(listen => listen.Use(next => async connection =>
        {
            var transport = connection.Transport;
            connection.Transport = new Pipe(transport.Input, new HeaderWriter(transport.Output));
            try
            {
                await next(connection);
            }
            finally
            {
                connection.Transport = transport;
            }
        }));

    private sealed record Pipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;

    /// <summary>Passes every write through; looks only at the first bytes written after a flush, where a response starts.</summary>
    private sealed class HeaderWriter(PipeWriter inner) : PipeWriter
    {
        private Memory<byte> _memory;
        private bool _atResponseStart = true;

        public override Memory<byte> GetMemory(int sizeHint = 0) => _memory = inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

        public override void Advance(int bytes)
        {
            if (_atResponseStart && bytes > 0)
            {
                _atResponseStart = false;
                if (BareErrorHead(_memory.Span[..bytes]) is { } statusLineEnd)
                {
                    var written = _memory.Span[..bytes].ToArray();
                    var span = inner.GetSpan(written.Length + Headers.Length);
                    written.AsSpan(0, statusLineEnd).CopyTo(span);
                    Headers.CopyTo(span[statusLineEnd..]);
                    written.AsSpan(statusLineEnd).CopyTo(span[(statusLineEnd + Headers.Length)..]);
                    inner.Advance(written.Length + Headers.Length);
                    return;
                }
            }
            inner.Advance(bytes);
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            _atResponseStart = true;
            return inner.FlushAsync(cancellationToken);
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        // The end of the status line when these bytes are a whole 4xx/5xx head without the headers; null otherwise.
        private static int? BareErrorHead(ReadOnlySpan<byte> written)
        {
            if (!written.StartsWith(ClientError) && !written.StartsWith(ServerError)) return null;
            var headEnd = written.IndexOf("\r\n\r\n"u8);
            if (headEnd < 0) return null;
            var head = written[..(headEnd + 2)];
            if (head.IndexOf(Marker) >= 0) return null;
            return head.IndexOf("\r\n"u8) + 2;
        }
    }
}
