using Marten;
using Marten.Services;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Ledger.EventStore.MartenStore;

/// <summary>
/// Marten's logging without the data. Marten's default logger writes every command it runs with its parameter values
/// at Debug, and a failed one with them at Error: event data, a read model's row (a customer's tax id, an invoice's
/// address). Ledger's logs never carry personal data, so this one says that a command failed and how (the SQLSTATE or
/// the exception's kind), never what it carried; a lost append race is not logged at all (the store answers it as a
/// conflict). Marten's daemon logs through the host's logger factory as before.
/// </summary>
public sealed partial class LedgerMartenLogger(ILogger? logger = null) : IMartenLogger, IMartenSessionLogger
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public IMartenSessionLogger StartSession(IQuerySession session) => this;

    // DDL carries no data; it is what an operator wants to see when the schema changes.
    public void SchemaChange(string sql) => LogSchemaChange(_logger, sql);

    public void LogSuccess(NpgsqlCommand command)
    {
    }

    public void LogSuccess(NpgsqlBatch batch)
    {
    }

    public void LogFailure(NpgsqlCommand command, Exception ex) => Failed(ex);

    public void LogFailure(NpgsqlBatch batch, Exception ex) => Failed(ex);

    public void LogFailure(Exception ex, string message) => Failed(ex);

    public void RecordSavedChanges(IDocumentSession session, IChangeSet commit)
    {
    }

    public void OnBeforeExecute(NpgsqlCommand command)
    {
    }

    public void OnBeforeExecute(NpgsqlBatch batch)
    {
    }

    private void Failed(Exception error)
    {
        if (LedgerMarten.IsConflict(error)) return;
        LogFailed(_logger, error is PostgresException pg ? pg.SqlState : error.GetType().Name);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Marten changed the schema: {Sql}")]
    private static partial void LogSchemaChange(ILogger logger, string sql);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A Marten command failed ({ErrorKind})")]
    private static partial void LogFailed(ILogger logger, string errorKind);
}
