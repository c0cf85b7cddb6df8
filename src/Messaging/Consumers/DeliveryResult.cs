using System.Net.Sockets;
using Ledger.Messaging.Contracts;
using Npgsql;

namespace Ledger.Messaging.Consumers;

internal enum Disposition { Applied, Duplicate, Failed }

/// <summary>Why a delivery failed, which decides where it goes next.</summary>
internal enum FailureKind
{
    /// <summary>Might work next time: retried with backoff, dead-lettered after the last attempt.</summary>
    Transient,

    /// <summary>Will never work as it is: dead-lettered at once.</summary>
    Permanent,

    /// <summary>The database could not be reached: not the message's fault, retried without using up an attempt.</summary>
    Outage,
}

internal sealed record DeliveryResult(Disposition Disposition, string? MessageId, string? MessageType, Exception? Error = null, FailureKind Kind = FailureKind.Transient)
{
    public static FailureKind Classify(Exception error, Func<Exception, bool> isPermanent) => error switch
    {
        MessageRejectedException => FailureKind.Permanent,
        _ when isPermanent(error) => FailureKind.Permanent,
        _ when IsDatabaseOutage(error) => FailureKind.Outage,
        _ => FailureKind.Transient,
    };

    /// <summary>The database is down, restarting or unreachable (as opposed to refusing this message's writes).</summary>
    public static bool IsDatabaseOutage(Exception error) => error switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal)
            || pg.SqlState is "57P01" or "57P02" or "57P03" or "53300",
        NpgsqlException npgsql => npgsql.InnerException is SocketException or IOException or TimeoutException || npgsql.IsTransient,
        SocketException => true,
        _ => error.InnerException is { } inner && IsDatabaseOutage(inner),
    };
}
