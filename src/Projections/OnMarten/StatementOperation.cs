using System.Data.Common;
using Weasel.Core;
using Weasel.Storage;

namespace Ledger.Projections.OnMarten;

/// <summary>
/// One read-model statement queued on a Marten session, for Marten to run in its batch. Marten's own
/// <c>QueueSqlCommand</c> gives a null parameter a type of its guessing (text), which fails where the SQL leaves the
/// type to PostgreSQL (<c>pg_advisory_xact_lock_shared($5)</c> with <c>$5</c> null); here each value keeps the type
/// Npgsql infers from it, as when the statement runs on its own (<see cref="Model.ProjectionStatement.ToBatchCommand"/>).
/// </summary>
internal sealed class StatementOperation(string sql, object?[] parameters) : Weasel.Storage.IStorageOperation, NoDataReturnedCall
{
    public void ConfigureCommand(ICommandBuilder builder, IStorageSession session)
    {
        var placeholders = builder.AppendWithDbParameters(sql, '?');
        for (var i = 0; i < placeholders.Length; i++)
        {
            placeholders[i].ResetDbType();
            placeholders[i].Value = parameters[i] ?? DBNull.Value;
        }
    }

    public Type DocumentType => typeof(StatementOperation);

    public Task PostprocessAsync(DbDataReader reader, IList<Exception> exceptions, CancellationToken token) => Task.CompletedTask;

    public OperationRole Role() => OperationRole.Other;
}
