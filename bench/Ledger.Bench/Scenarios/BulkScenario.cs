using System.Security.Cryptography;
using Ledger.Bench.Infrastructure;
using Ledger.Bench.Report;
using Ledger.EventStore;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Bench.Scenarios;

/// <summary>
/// Scenario 3: a bulk import, batches of 1,000 events (100 new streams × 10 events, one tenant per batch, ten
/// tenants taking turns), one writer. Ledger appends each batch as one atomic append; the baseline writes the same
/// rows (same columns, keys and indexes as Ledger's events table, hashes included) with one binary COPY per batch.
/// </summary>
public sealed class BulkScenario(BenchSettings settings, BenchDatabase database, Payloads payloads)
{
    private const int Tenants = 10;
    private const int StreamsPerBatch = 100;

    /// <summary>Ledger's events table, without its append-only triggers and without the function that fills it.</summary>
    public const string EventsTableLikeLedgers = """
        CREATE TABLE events (
            seq bigint GENERATED ALWAYS AS IDENTITY, tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
            tenant_id text NOT NULL, chain_seq bigint NOT NULL, stream_id text NOT NULL, stream_version bigint NOT NULL,
            event_id uuid NOT NULL, event_type text NOT NULL, type_version integer NOT NULL, occurred_at timestamptz NOT NULL,
            data jsonb NOT NULL, metadata jsonb NOT NULL, entry_hash bytea NOT NULL, chain_hash bytea NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            PRIMARY KEY (tenant_id, chain_seq), UNIQUE (tenant_id, stream_id, stream_version), UNIQUE (tenant_id, event_id),
            CHECK (chain_seq > 0 AND stream_version > 0 AND type_version > 0),
            CHECK (octet_length(entry_hash) = 32 AND octet_length(chain_hash) = 32),
            CHECK (jsonb_typeof(data) = 'object' AND jsonb_typeof(metadata) = 'object'));
        CREATE INDEX events_read_order ON events (tx_id, seq);
        """;

    public async Task<ScenarioOutcome> RunAsync()
    {
        var batch = settings.BulkBatch;
        var perStream = batch / StreamsPerBatch;
        Log.Line($"3. Bulk append: {settings.BulkEvents:N0} events per round in batches of {batch:N0}");
        var ledger = await database.CreateLedgerAsync("s3");
        var store = ledger.Store();
        var baseline = await database.CreateBaselineAsync("s3_base", EventsTableLikeLedgers);
        var metadata = Ledger.EventStore.Chain.LedgerRecord.MetadataJson(Payloads.Metadata).GetRawText();
        var hashes = Enumerable.Range(0, 64).Select(_ => RandomNumberGenerator.GetBytes(32)).ToArray();
        var chainSeq = new long[Tenants];
        var ledgerBatches = 0L;
        var baselineBatches = 0L;
        var analyzed = false;

        var ledgerSide = new Side("store", async warmUp =>
        {
            var count = Count(warmUp);
            var result = await LoadDriver.Timed(count, async () =>
            {
                for (var done = 0; done < count; done += batch)
                {
                    var b = ledgerBatches++;
                    var appends = Enumerable.Range(0, StreamsPerBatch).Select(s => new StreamAppend($"bulk-{b}-{s}", ExpectedVersion.NoStream,
                        [.. Enumerable.Range(0, perStream).Select(v => payloads.Event(b + s + v))])).ToList();
                    await store.AppendAsync(Preload.TenantId((int)(b % Tenants)), appends);
                }
            });
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
                    var tenant = (int)(b % Tenants);
                    await using var connection = await baseline.OpenConnectionAsync();
                    await using var writer = await connection.BeginBinaryImportAsync(
                        "COPY events (tenant_id, chain_seq, stream_id, stream_version, event_id, event_type, type_version, occurred_at, data, metadata, entry_hash, chain_hash) FROM STDIN (FORMAT BINARY)");
                    for (var s = 0; s < StreamsPerBatch; s++)
                    {
                        for (var v = 1; v <= perStream; v++)
                        {
                            await writer.StartRowAsync();
                            await writer.WriteAsync(Preload.TenantId(tenant), NpgsqlDbType.Text);
                            await writer.WriteAsync(++chainSeq[tenant], NpgsqlDbType.Bigint);
                            await writer.WriteAsync($"bulk-{b}-{s}", NpgsqlDbType.Text);
                            await writer.WriteAsync((long)v, NpgsqlDbType.Bigint);
                            await writer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                            await writer.WriteAsync(Payloads.EventType, NpgsqlDbType.Text);
                            await writer.WriteAsync(1, NpgsqlDbType.Integer);
                            await writer.WriteAsync(DateTime.UtcNow, NpgsqlDbType.TimestampTz);
                            await writer.WriteAsync(payloads.Text(b + s + v - 1), NpgsqlDbType.Jsonb);
                            await writer.WriteAsync(metadata, NpgsqlDbType.Jsonb);
                            await writer.WriteAsync(hashes[(s + v) % 64], NpgsqlDbType.Bytea);
                            await writer.WriteAsync(hashes[(s + v + 1) % 64], NpgsqlDbType.Bytea);
                        }
                    }
                    await writer.CompleteAsync();
                }
            });
            await AnalyzeAfterWarmUp();
            return result;
        });

        var outcomes = await Rounds.Rotate(settings.BulkRounds, "events/s", [baselineSide, ledgerSide], label: "3");
        return new ScenarioOutcome([new ResultRow
        {
            Scenario = "3. Bulk append",
            Measure = $"events/s, {settings.BulkEvents:N0} events in batches of {batch:N0} (100 streams × {perStream}), 1 writer",
            Figures = outcomes[1].Against(outcomes[0]),
            Goal = "≥ 0.5×",
            GoalRatio = 0.5,
            Notes = "baseline: binary COPY of the same rows, one COPY per batch, into a table with Ledger's columns, keys and indexes; " +
                    $"CPU per event: {outcomes[1].CpuPerOperation} (baseline {outcomes[0].CpuPerOperation})",
        }], []);

        // The warm-up is the preload: once both tables hold its rows, fresh statistics before the measured rounds.
        async Task AnalyzeAfterWarmUp()
        {
            if (analyzed || ledgerBatches == 0 || baselineBatches == 0) return;
            analyzed = true;
            await BenchDatabase.AnalyzeAsync(ledger.Admin, "events", "streams", "chain_heads");
            await BenchDatabase.AnalyzeAsync(baseline, "events");
        }
    }

    private int Count(bool warmUp) => warmUp ? Math.Max(settings.BulkBatch, settings.BulkEvents / 10) : settings.BulkEvents;
}
