using Npgsql;

namespace Ledger.Projections.Daemon;

/// <summary>Errors that say nothing about an event: the database or the network failed, so the step is simply tried again.</summary>
internal static class TransientErrors
{
    public static bool Is(Exception e) => e switch
    {
        PostgresException pg => pg.IsTransient || pg.SqlState.StartsWith("57P", StringComparison.Ordinal),
        NpgsqlException or TimeoutException or System.IO.IOException or System.Net.Sockets.SocketException => true,
        InvalidOperationException when e.InnerException is NpgsqlException => true,
        _ => false,
    };
}
