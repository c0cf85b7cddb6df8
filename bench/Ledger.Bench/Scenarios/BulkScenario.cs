using System.Diagnostics;
using System.Security.Cryptography;
using Ledger.Bench.Infrastructure;
using Ledger.Bench.Report;
using Ledger.EventStore;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Bench.Scenarios;

/// <summary>
/// Scenario 3: a bulk import, batches of 1,000 events (100 new streams × 10 events, one tenant per batch, ten tenants
/// taking turns), one writer. Ledger appends each batch as one atomic append through its store on Marten, with the
/// sealer running as in the Host, and a round ends when its last event is sealed: the chain is part of the work. The
/// baseline writes the same rows with binary COPY, one transaction per batch, into tables made like Ledger's (Marten's
/// streams and events, Ledger's chain: same columns, keys, indexes and the events' foreign key), hashes included.
/// </summary>
public sealed class BulkScenario(BenchSettings settings, BenchDatabase database, Payloads payloads)
{
    private const int Tenants = 10;
    private const int StreamsPerBatch = 100;
    private static readonly TimeSpan SealDeadline = TimeSpan.FromMinutes(5);

    /// <summary>Ledger's three tables as Marten and the chain migration made them in <paramref name="ledger"/>, without their append-only triggers.</summary>
    private static string TablesLike(string ledger) => $"""
        CREATE TABLE mt_streams (LIKE "{ledger}".mt_streams INCLUDING ALL);
        CREATE TABLE mt_events (LIKE "{ledger}".mt_events INCLUDING ALL);
        ALTER TABLE mt_events ADD FOREIGN KEY (tenant_id, stream_id) REFERENCES mt_streams (tenant_id, id);
        CREATE TABLE ledger_chain (LIKE "{ledger}".ledger_chain INCLUDING ALL);
        """;

    public async Task<ScenarioOutcome> RunAsync()
    {
        var batch = settings.BulkBatch;
        var perStream = batch / StreamsPerBatch;
        Log.Line($"3. Bulk append: {settings.BulkEvents:N0} events per round in batches of {batch:N0}");
        await using var ledger = await database.CreateLedgerAsync("s3");
        var baseline = await database.CreateBaselineAsync("s3_base", TablesLike(ledger.Name));
        var hashes = Enumerable.Range(0, 64).Select(_ => RandomNumberGenerator.GetBytes(32)).ToArray();
        var mtDotnetType = $"{typeof(BenchOrderRecorded).FullName}, {typeof(BenchOrderRecorded).Assembly.GetName().Name}";
        var headers = $$"""{"actor": "{{Payloads.Metadata.Actor}}", "origin": "{{Payloads.Metadata.Origin}}"}""";
        var chainSeq = new long[Tenants];
        var seq = 0L;
        var ledgerBatches = 0L;
        var baselineBatches = 0L;
        var analyzed = false;
        var appendedRates = new Series("events/s");

        var ledgerSide = new Side("store, until sealed", async warmUp =>
        {
            var count = Count(warmUp);
            var appended = TimeSpan.Zero;
            var result = await LoadDriver.Timed(count, async () =>
            {
                var started = Stopwatch.GetTimestamp();
                for (var done = 0; done < count; done += batch)
                {
                    var b = ledgerBatches++;
                    var appends = Enumerable.Range(0, StreamsPerBatch).Select(s => new StreamAppend($"bulk-{b}-{s}", ExpectedVersion.NoStream,
                        [.. Enumerable.Range(0, perStream).Select(v => payloads.Event(b + s + v))])).ToList();
                    await ledger.Store.AppendAsync(Preload.TenantId((int)(b % Tenants)), appends);
                }
                appended = Stopwatch.GetElapsedTime(started);
                await ledger.SealedAsync(SealDeadline);
            });
            if (!warmUp) appendedRates.Add(count / appended.TotalSeconds);
            await AnalyzeAfterWarmUp();
            return result;
        });
        var baselineSide = new Side("binary COPY", async warmUp =>
        {
            var count = Count(warmUp);
            var result = await LoadDriver.Timed(count, async () =>
            {
                for (var done = 0; done < count; done += batch)
                {
                    var b = baselineBatches++;
                    var tenant = Preload.TenantId((int)(b % Tenants));
                    var now = DateTime.UtcNow;
                    await using var connection = await baseline.OpenConnectionAsync();
                    await using var transaction = await connection.BeginTransactionAsync();
                    await using (var streams = await connection.BeginBinaryImportAsync(
                        "COPY mt_streams (tenant_id, id, version, timestamp, created) FROM STDIN (FORMAT BINARY)"))
                    {
                        for (var s = 0; s < StreamsPerBatch; s++)
                        {
                            await streams.StartRowAsync();
                            await streams.WriteAsync(tenant, NpgsqlDbType.Varchar);
                            await streams.WriteAsync($"bulk-{b}-{s}", NpgsqlDbType.Varchar);
                            await streams.WriteAsync((long)perStream, NpgsqlDbType.Bigint);
                            await streams.WriteAsync(now, NpgsqlDbType.TimestampTz);
                            await streams.WriteAsync(now, NpgsqlDbType.TimestampTz);
                        }
                        await streams.CompleteAsync();
                    }
                    var first = seq;
                    await using (var events = await connection.BeginBinaryImportAsync(
                        "COPY mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, correlation_id, headers) FROM STDIN (FORMAT BINARY)"))
                    {
                        for (var s = 0; s < StreamsPerBatch; s++)
                        {
                            for (var v = 1; v <= perStream; v++)
                            {
                                await events.StartRowAsync();
                                await events.WriteAsync(++seq, NpgsqlDbType.Bigint);
                                await events.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                                await events.WriteAsync($"bulk-{b}-{s}", NpgsqlDbType.Varchar);
                                await events.WriteAsync((long)v, NpgsqlDbType.Bigint);
                                await events.WriteAsync(payloads.Text(b + s + v - 1), NpgsqlDbType.Jsonb);
                                await events.WriteAsync(Payloads.EventType, NpgsqlDbType.Varchar);
                                await events.WriteAsync(now, NpgsqlDbType.TimestampTz);
                                await events.WriteAsync(tenant, NpgsqlDbType.Varchar);
                                await events.WriteAsync(mtDotnetType, NpgsqlDbType.Varchar);
                                await events.WriteAsync(Payloads.Metadata.CorrelationId, NpgsqlDbType.Varchar);
                                await events.WriteAsync(headers, NpgsqlDbType.Jsonb);
                            }
                        }
                        await events.CompleteAsync();
                    }
                    await using (var chain = await connection.BeginBinaryImportAsync(
                        "COPY ledger_chain (tenant_id, chain_seq, seq_id, entry_hash, chain_hash) FROM STDIN (FORMAT BINARY)"))
                    {
                        for (var e = first + 1; e <= seq; e++)
                        {
                            await chain.StartRowAsync();
                            await chain.WriteAsync(tenant, NpgsqlDbType.Text);
                            await chain.WriteAsync(++chainSeq[b % Tenants], NpgsqlDbType.Bigint);
                            await chain.WriteAsync(e, NpgsqlDbType.Bigint);
                            await chain.WriteAsync(hashes[e % 64], NpgsqlDbType.Bytea);
                            await chain.WriteAsync(hashes[(e + 1) % 64], NpgsqlDbType.Bytea);
                        }
                        await chain.CompleteAsync();
                    }
                    await transaction.CommitAsync();
                }
            });
            await AnalyzeAfterWarmUp();
            return result;
        });

        var outcomes = await Rounds.Rotate(settings.BulkRounds, "events/s", [baselineSide, ledgerSide], label: "3");
        return new ScenarioOutcome([new ResultRow
        {
            Scenario = "3. Bulk append",
            Measure = $"events/s, {settings.BulkEvents:N0} events in batches of {batch:N0} (100 streams × {perStream}), 1 writer, until sealed",
            Figures = outcomes[1].Against(outcomes[0]),
            Goal = "≥ 0.5×",
            GoalRatio = 0.5,
            Notes = "Ledger: MartenEventStore.AppendAsync, one append per batch, with ChainSealer on the async daemon (the Host's setting); " +
                    $"the round ends when the last event is sealed; the appends alone ran at {appendedRates.Describe()}; " +
                    "baseline: binary COPY of the same rows (streams, events, chain entries with hashes), one transaction per batch, into " +
                    "tables made LIKE Marten's mt_streams and mt_events and Ledger's ledger_chain (same columns, keys and indexes, the " +
                    $"events' foreign key); CPU per event: {outcomes[1].CpuPerOperation} (baseline {outcomes[0].CpuPerOperation})",
        }], []);

        // The warm-up is the preload: once both schemas hold its rows, fresh statistics before the measured rounds.
        async Task AnalyzeAfterWarmUp()
        {
            if (analyzed || ledgerBatches == 0 || baselineBatches == 0) return;
            analyzed = true;
            await BenchDatabase.AnalyzeAsync(ledger.Admin, "mt_events", "mt_streams", "ledger_chain", "ledger_chain_heads");
            await BenchDatabase.AnalyzeAsync(baseline, "mt_events", "mt_streams", "ledger_chain");
        }
    }

    private int Count(bool warmUp) => warmUp ? Math.Max(settings.BulkBatch, settings.BulkEvents / 10) : settings.BulkEvents;
}
