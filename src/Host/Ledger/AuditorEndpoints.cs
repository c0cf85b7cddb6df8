using Ledger.EventStore.Chain;
using Ledger.EventStore.Checkpoints;
using Ledger.EventStore.Export;
using Ledger.Host.Auth;
using Ledger.Host.Configuration;
using Ledger.Host.Errors;
using Ledger.Host.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine.Http;
using Microsoft.Extensions.Options;

namespace Ledger.Host.Auditing;

/// <summary>
/// The auditor's read-only API (role <c>auditor</c>, the tenant from the token): signed checkpoints, the entries exactly
/// as hashed, a resumable verification walk and signed exports; plus the public key history. Every endpoint is a GET
/// and only reads: nothing here can change the ledger. Wolverine HTTP endpoints.
/// </summary>
[Tags("Ledger")]
[Authorize(Policy = LedgerPolicies.ReadLedger)]
public static class AuditorEndpoints
{
    public const string CheckpointNotFound = "ledger.checkpoint_not_found";
    public const string SigningKeyUnavailable = "ledger.signing_key_unavailable";
    public const string ChainBroken = "ledger.chain_broken";

    /// <summary>The signing-key history as a JWK Set: public, so anyone can verify checkpoints and exports.</summary>
    [WolverineGet("/api/ledger/jwks", OperationId = "getSigningKeys"), EndpointSummary("Get the checkpoint signing keys (JWK Set)")]
    [AllowAnonymous]
    public static async Task<KeySetResult> Keys(SigningKeyHistory history, CancellationToken ct) =>
        new((await history.ReadAsync(ct)).ToJson());

    /// <summary>The JWK Set file as it is kept.</summary>
    public sealed class KeySetResult(byte[] json) : UndescribedBody
    {
        public override Task ExecuteAsync(HttpContext httpContext) => TypedResults.File(json, "application/jwk-set+json").ExecuteAsync(httpContext);
    }

    [WolverineGet("/api/ledger/checkpoints/latest", OperationId = "getLatestCheckpoint"), EndpointSummary("Get the latest signed checkpoint")]
    public static async Task<Results<Ok<CheckpointView>, ProblemHttpResult>> LatestCheckpoint(
        HttpContext http, CheckpointStore checkpoints, CancellationToken ct) =>
        await checkpoints.LatestAsync(http.User.TenantId(), ct) is { } latest
            ? TypedResults.Ok(CheckpointView.From(latest))
            : Problems.Result(StatusCodes.Status404NotFound, CheckpointNotFound, "No checkpoint", "The tenant's chain has no signed checkpoint yet.");

    [WolverineGet("/api/ledger/checkpoints/{position:long}", OperationId = "getCheckpoint"), EndpointSummary("Get the checkpoint signed at a position")]
    public static async Task<Results<Ok<CheckpointView>, ProblemHttpResult>> CheckpointAt(
        long position, HttpContext http, CheckpointStore checkpoints, CancellationToken ct) =>
        position > 0 && await checkpoints.AtAsync(http.User.TenantId(), position, ct) is { } found
            ? TypedResults.Ok(CheckpointView.From(found))
            : Problems.Result(StatusCodes.Status404NotFound, CheckpointNotFound, "No checkpoint", "No checkpoint was signed at that position.");

    [WolverineGet("/api/ledger/checkpoints", OperationId = "listCheckpoints"), EndpointSummary("List signed checkpoints")]
    public static async Task<Ok<CheckpointPage>> Checkpoints(
        long? from, long? to, int? limit, HttpContext http, CheckpointStore checkpoints, IOptions<AuditorOptions> options, CancellationToken ct)
    {
        var (first, last, size) = Page(http, from, to, limit, options.Value);
        var tenant = http.User.TenantId();
        var page = await checkpoints.RangeAsync(tenant, first, last ?? long.MaxValue, size, ct);
        var next = page.Count == size ? page[^1].Checkpoint.ChainSeq + 1 : (long?)null;
        return TypedResults.Ok(new CheckpointPage(tenant, page.Select(CheckpointView.From).ToList(), next));
    }

    [WolverineGet("/api/ledger/entries", OperationId = "listLedgerEntries"), EndpointSummary("List chain entries exactly as hashed")]
    public static async Task<EntriesResult> Entries(
        long? from, long? to, int? limit, HttpContext http, LedgerDataSources data, IOptions<AuditorOptions> options, CancellationToken ct)
    {
        var (first, last, size) = Page(http, from, to, limit, options.Value);
        var tenant = http.User.TenantId();
        var reader = new ChainEntryReader(data.App);
        var (head, _) = await reader.HeadAsync(tenant, ct);
        var end = last ?? head;
        var page = first > end ? [] : await reader.ReadAsync(tenant, first, end, size, ct);
        var next = page.Count == size && page[^1].ChainSeq < end ? page[^1].ChainSeq + 1 : (long?)null;
        return new EntriesResult(tenant, first, end, head, page, next);
    }

    [WolverineGet("/api/ledger/verify", OperationId = "verifyLedger"), EndpointSummary("Verify the hash chain and its checkpoints")]
    public static async Task<Ok<VerificationView>> Verify(
        long? from, long? to, string? cursor, HttpContext http, SignedChainVerifier verifier, IOptions<AuditorOptions> options, CancellationToken ct)
    {
        QueryValues.RefuseUnreadable(http.Request, ("from", from), ("to", to));
        var validation = new RequestValidation();
        VerificationCursor? resume = null;
        if (cursor is not null)
        {
            try
            {
                resume = VerificationCursor.Decode(cursor);
            }
            catch (FormatException)
            {
                validation.Fail("cursor", RequestValidation.InvalidFormat, "is not a cursor this API returned");
            }
            if (resume is not null && ((from is not null && from != resume.From) || (to is not null && to != resume.To)))
                validation.Fail("cursor", RequestValidation.InvalidFormat, "covers another range than from and to");
        }
        if (from is < 1) validation.Fail("from", RequestValidation.OutOfRange, "must be 1 or more");
        if (to is < 0 || (to is not null && from is not null && to < from - 1)) validation.Fail("to", RequestValidation.OutOfRange, "must not be before from");
        validation.ThrowIfInvalid();

        var step = await verifier.StepAsync(http.User.TenantId(), from ?? 1, to, resume, options.Value.VerifyEntriesPerRequest, ct);
        return TypedResults.Ok(VerificationView.Of(step));
    }

    [WolverineGet("/api/ledger/export", OperationId = "exportLedger"), EndpointSummary("Export the chain as a signed archive")]
    public static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> Export(
        long? from, long? to, string? format, HttpContext http, ExportWriter writer, CheckpointKeyProvider keys,
        IOptions<AuditorOptions> options, CancellationToken ct)
    {
        QueryValues.RefuseUnreadable(http.Request, ("from", from), ("to", to));
        var validation = new RequestValidation();
        var first = from ?? 1;
        if (first < 1) validation.Fail("from", RequestValidation.OutOfRange, "must be 1 or more");
        if (to is { } t && t < first - 1) validation.Fail("to", RequestValidation.OutOfRange, "must not be before from");
        var (extension, mediaType) = (format ?? "zip") switch
        {
            "zip" => (".zip", "application/zip"),
            "tar" => (".tar", "application/x-tar"),
            "tar.gz" or "tgz" => (".tar.gz", "application/gzip"),
            _ => ("", ""),
        };
        if (extension.Length == 0) validation.Fail("format", RequestValidation.InvalidFormat, "must be zip, tar or tar.gz");
        validation.ThrowIfInvalid();

        var tenant = http.User.TenantId();
        var end = await writer.ResolveEndAsync(tenant, to, ct);
        if (end - first + 1 > options.Value.MaxExportEntries)
        {
            validation.Fail("to", RequestValidation.OutOfRange,
                $"an export over HTTP holds at most {options.Value.MaxExportEntries} entries; export smaller ranges, or use `ledger export`");
            validation.ThrowIfInvalid();
        }

        CheckpointKey key;
        try
        {
            key = keys.Key;
        }
        catch (InvalidOperationException)
        {
            return Problems.Result(StatusCodes.Status503ServiceUnavailable, SigningKeyUnavailable, "Exports cannot be signed",
                "This server has no checkpoint signing key configured.");
        }

        var folder = Directory.CreateTempSubdirectory("ledger-export-");
        try
        {
            // `to` as asked: without one the writer reads the log's end itself, so the manifest can claim the whole log.
            ExportManifest manifest;
            try
            {
                manifest = await writer.WriteAsync(tenant, first, to, folder.FullName, key, ct);
            }
            catch (ExportRefusedException e) when (e.Reason == ExportRefusal.KeyNotActive && keys.TryReload())
            {
                // `ledger checkpoints rotate-key` wrote a new active key to the shared key file since this host read it.
                folder.Delete(recursive: true);
                folder.Create();
                manifest = await writer.WriteAsync(tenant, first, to, folder.FullName, keys.Key, ct);
            }
            var archive = Path.Combine(Path.GetTempPath(), $"ledger-export-{Guid.NewGuid():N}{extension}");
            ExportArchive.Pack(folder.FullName, archive);
            var stream = new FileStream(archive, FileMode.Open, FileAccess.Read, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            return TypedResults.File(stream, mediaType, $"ledger-{tenant}-{first}-{manifest.To}{extension}");
        }
        catch (ExportRefusedException e) when (e.Reason == ExportRefusal.KeyNotActive)
        {
            return Problems.Result(StatusCodes.Status503ServiceUnavailable, SigningKeyUnavailable, "Exports cannot be signed", e.Message);
        }
        catch (ExportRefusedException e)
        {
            return Problems.Result(StatusCodes.Status409Conflict, ChainBroken, "The chain is broken before the range", e.Message);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static (long From, long? To, int Limit) Page(HttpContext http, long? from, long? to, int? limit, AuditorOptions options)
    {
        QueryValues.RefuseUnreadable(http.Request, ("from", from), ("to", to), ("limit", limit));
        var validation = new RequestValidation();
        var first = from ?? 1;
        if (first < 1) validation.Fail("from", RequestValidation.OutOfRange, "must be 1 or more");
        if (to is { } t && t < first - 1) validation.Fail("to", RequestValidation.OutOfRange, "must not be before from");
        var size = validation.Range("limit", limit ?? options.DefaultPageSize, 1, options.MaxPageSize);
        validation.ThrowIfInvalid();
        return (first, to, size);
    }
}
