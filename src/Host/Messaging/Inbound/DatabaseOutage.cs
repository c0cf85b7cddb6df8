using System.Net.Sockets;
using Npgsql;

namespace Ledger.Host.Messaging.Inbound;

/// <summary>The database is down, restarting or unreachable (as opposed to refusing this message's writes).</summary>
public static class DatabaseOutage
{
    public static bool Is(Exception error) => error switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal)
            || pg.SqlState is "57P01" or "57P02" or "57P03" or "53300",
        NpgsqlException npgsql => npgsql.InnerException is SocketException or IOException or TimeoutException || npgsql.IsTransient,
        SocketException => true,
        _ => error.InnerException is { } inner && Is(inner),
    };
}
