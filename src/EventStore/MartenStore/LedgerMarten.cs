using System.Text.Json;
using JasperFx;
using JasperFx.Events;
using JasperFx.MultiTenancy;
using Marten;
using Weasel.Core;

namespace Ledger.EventStore.MartenStore;

/// <summary>
/// How Ledger configures Marten: events in Marten's own tables (conjoined tenancy, string stream keys, Quick append
/// with the application's timestamps), Ledger's JSON (snake_case, money as strings) and names, and the chain sealer
/// on the async daemon. The application's connection never changes the schema: <see cref="MartenLedgerSchema"/>
/// applies Marten's objects and Ledger's with the owner's connection.
/// </summary>
public static class LedgerMarten
{
    /// <summary>Marten's own settings for Ledger's store; the caller adds the connection and anything host-specific.</summary>
    public static void Configure(StoreOptions options, string schema, EventShapes shapes, JsonSerializerOptions json)
        => Configure(options, schema, shapes, json, DefaultSealPolling);

    /// <summary>
    /// Whether an exception is an append that lost to a concurrent writer: the store answers it as a
    /// <see cref="ConcurrencyException"/> (a 409, or a retry), so Marten's own Error log of it is noise.
    /// </summary>
    public static bool IsConflict(Exception error) => MartenAppend.IsConflict(error);

    /// <summary>
    /// How often the async daemon looks for newly committed events, which bounds the seal lag: with Marten's defaults
    /// (250 ms busy, 1 s idle) an event waited about a second for its chain entry; every 10 ms put the p99 near
    /// 100 ms at half the saturation rate (bench scenario 10), at the cost of one small query per interval.
    /// </summary>
    public static readonly TimeSpan DefaultSealPolling = TimeSpan.FromMilliseconds(10);

    /// <summary>How long a gap in Marten's sequence stays before the daemon checks whether it can pass it.</summary>
    public static readonly TimeSpan StaleGapWait = TimeSpan.FromMilliseconds(100);

    /// <summary>The HotCold leadership lock of the daemon for <paramref name="schema"/>.</summary>
    public static int DaemonLockId(string schema) =>
        (int)(Leases.AdvisoryLease.KeyFor(schema, "marten-daemon") & int.MaxValue);

    public static void Configure(StoreOptions options, string schema, EventShapes shapes, JsonSerializerOptions json, TimeSpan sealPolling)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(shapes);
        options.DatabaseSchemaName = schema;
        options.Events.DatabaseSchemaName = schema;
        options.Events.TenancyStyle = TenancyStyle.Conjoined;
        options.Events.StreamIdentity = StreamIdentity.AsString;
        // Quick append, one round trip per save, in Marten 9's default flavour: the timestamps come from the application
        // server (each event's time as the command's clock decided it, which the chain record covers); plain Quick
        // would stamp the database's now() instead.
        options.Events.AppendMode = EventAppendMode.QuickWithServerTimestamps;
        options.Events.MetadataConfig.CorrelationIdEnabled = true;
        options.Events.MetadataConfig.CausationIdEnabled = true;
        options.Events.MetadataConfig.HeadersEnabled = true;
        // An event id names one event for good (the chain, exports and the relay's message ids rely on it).
        options.Events.EnableUniqueIndexOnEventId = true;
        // The schema is the owner's business (MartenLedgerSchema); the application's role has no right to change it.
        options.AutoCreateSchemaObjects = AutoCreate.None;
        // The codecs' own options; Marten's enum setting replaces every string-enum converter with its own (PascalCase
        // names), so the codecs' snake_case converter is put back first once Marten has set up its options.
        // Read leniently, as EventShapes.ToShape does: an append's data became its shape through a lenient reader, so
        // whatever Marten stored reads back the same way (a member the data left out is the null it was); the codecs,
        // strict, still refuse data that lacks what their event needs (a projection then stops on that event).
        var lenient = new JsonSerializerOptions(json) { RespectRequiredConstructorParameters = false };
        options.UseSystemTextJsonForSerialization(lenient, EnumStorage.AsString, Casing.SnakeCase, configure: serializer =>
        {
            foreach (var converter in lenient.Converters.OfType<System.Text.Json.Serialization.JsonStringEnumConverter>().Reverse())
                serializer.Converters.Insert(0, converter);
        });
        // The daemon that seals runs where it is asked for: the Host's AddAsyncDaemon (HotCold) sets its own mode; a CLI
        // command or a test builds one explicitly. Anywhere else (schema apply) nothing here runs it, on purpose.
        // Never Marten's default logger, which writes every command's parameter values (event data) to the log.
        options.Logger(new LedgerMartenLogger());
        // The append span and metrics of every save that appends: Ledger's own and Wolverine handlers'.
        options.Listeners.Add(new Telemetry.AppendTelemetryListener());
        options.Projections.AsyncMode = JasperFx.Events.Daemon.DaemonMode.ExternallyManaged;
        // HotCold elects its leader with an advisory lock whose id Marten wants unique per application on a database;
        // its default is one constant, so two Ledgers in two schemas of one database (tests, staging beside a demo)
        // would share one leader between them. The id comes from the schema.
        options.Projections.DaemonLockId = DaemonLockId(schema);
        options.Projections.FastPollingTime = sealPolling;
        options.Projections.SlowPollingTime = sealPolling;
        // A conflicting append draws a sequence number and rolls back, leaving a gap the daemon must pass before it
        // seals what follows. Since Marten 9.16 it passes a gap only when no live transaction could still fill it
        // (its evidence checks), so the wait before it looks can be short: with the 3 s default every conflict held
        // sealing back for seconds. The race test (SealerRaceTests: a transaction held 4 s) proves nothing is skipped.
        options.Projections.StaleSequenceThreshold = StaleGapWait;
        foreach (var (alias, shape) in shapes.Mappings)
            options.Events.MapEventType(shape, alias);
    }
}
