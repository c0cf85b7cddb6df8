using Ledger.Application.Audit;
using Ledger.Application.Orders;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests.Messaging;

/// <summary>
/// A payment whose handling fails for a reason that is neither a refusal nor an outage — here a trigger the test puts
/// on the event table for one order's stream, raising an error a given number of times — is retried after a cooldown
/// (100 ms, doubling, in these settings), applied once when the failure passes, and dead-lettered with the error after
/// its last attempt when it does not. Replayed once the cause is gone, it is applied once.
/// </summary>
public sealed class InboundFailureTests(MessagingAppFixture app) : IClassFixture<MessagingAppFixture>
{
    private const int MaxAttempts = 5; // the setting's default

    [Fact]
    public async Task A_payment_that_fails_twice_is_retried_and_applied_once()
    {
        var gateway = new Inbound(app);
        var order = await gateway.AwaitingPaymentAsync();
        await using var failure = await FailingAppends.InstallAsync(app, OrderStreams.For(order), times: 2);
        var message = Guid.NewGuid();

        await gateway.ConfirmAsync(message, order);
        await gateway.WaitPaidAsync(order);

        (await failure.RaisedAsync()).ShouldBe(3, "two failed attempts, then the third passed the trigger");
        (await gateway.PaidCountAsync(order)).ShouldBe(1);
        (await gateway.MessageAuditAsync(order)).ShouldHaveSingleItem().Entry.Result.ShouldBe(AuditResult.Success);
        (await gateway.DeadLetters.ListAsync(null, 1000, default)).ShouldNotContain(l => l.MessageId == message.ToString("D"));
    }

    [Fact]
    public async Task A_payment_that_keeps_failing_is_dead_lettered_with_the_error_after_its_last_attempt_and_replays_once_fixed()
    {
        var gateway = new Inbound(app);
        var order = await gateway.AwaitingPaymentAsync();
        var message = Guid.NewGuid();
        var letter = default(Ledger.Host.Messaging.Inbound.DeadLetter);
        await using (var failure = await FailingAppends.InstallAsync(app, OrderStreams.For(order), times: int.MaxValue))
        {
            await gateway.ConfirmAsync(message, order);
            letter = (await gateway.WaitForDeadLettersAsync(l => l.MessageId == message.ToString("D"), 1)).Single();
            (await failure.RaisedAsync()).ShouldBe(MaxAttempts);
        }

        letter.Attempts.ShouldBe(MaxAttempts);
        letter.ErrorType.ShouldBe("Marten.Exceptions.MartenCommandException"); // Marten wraps the database's error
        letter.ErrorMessage!.ShouldContain("simulated failure");
        letter.ErrorCode.ShouldBeNull("a failure, not a refusal: it has no code");
        (await gateway.PaidCountAsync(order)).ShouldBe(0);
        (await gateway.MessageAuditAsync(order)).ShouldBeEmpty("nothing was decided");

        // The cause is gone (the trigger dropped): replayed through the inbox, applied once.
        (await gateway.DeadLetters.ReplayAsync(message.ToString("D"), "payments", default)).ShouldHaveSingleItem();
        await gateway.WaitPaidAsync(order);
        await Eventually.Until(() => gateway.DeadLetters.ListAsync("payments", 1000, default),
            l => l.All(x => x.MessageId != message.ToString("D")), Inbound.Timeout, "the replayed letter to leave the dead letters");
        (await gateway.DeadLetters.ReplayAsync(message.ToString("D"), "payments", default)).ShouldBeEmpty();
        (await gateway.PaidCountAsync(order)).ShouldBe(1);
        (await gateway.MessageAuditAsync(order)).ShouldHaveSingleItem().Entry.Result.ShouldBe(AuditResult.Success);
    }

    [Fact]
    public async Task Replaying_a_dead_letter_whose_message_was_handled_meanwhile_changes_nothing()
    {
        var gateway = new Inbound(app);
        var order = await gateway.Clerk.CreateAsync();
        var message = Guid.NewGuid();
        await gateway.ConfirmAsync(message, order); // refused: no payment requested
        await gateway.WaitForDeadLettersAsync(l => l.MessageId == message.ToString("D"), 1);
        (await gateway.Clerk.PostAsync($"/api/orders/{order}/payment-requests")).EnsureSuccessStatusCode();
        await gateway.ConfirmAsync(message, order); // the gateway sends it again: handled
        await gateway.WaitPaidAsync(order);

        (await gateway.DeadLetters.ReplayAsync(message.ToString("D"), "payments", default)).ShouldHaveSingleItem();
        await Eventually.Until(() => gateway.DeadLetters.ListAsync("payments", 1000, default),
            l => l.All(x => x.MessageId != message.ToString("D")), Inbound.Timeout, "the replayed letter to leave the dead letters");
        (await gateway.PaidCountAsync(order)).ShouldBe(1);
        (await gateway.InboxStatusAsync(message)).ShouldBe("Handled");
        (await gateway.MessageAuditAsync(order)).Select(a => a.Entry.Result).ShouldBe([AuditResult.Failure, AuditResult.Success],
            "the refusal and the copy that was applied; the replay ran nothing");
    }

    [Fact]
    public async Task Dead_letters_are_listed_per_consumer_found_by_id_counted_and_purged()
    {
        var gateway = new Inbound(app);
        var order = await gateway.Clerk.CreateAsync(); // refuses payments
        var ids = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };
        foreach (var id in ids) await gateway.ConfirmAsync(id, order);
        var wanted = ids.Select(i => i.ToString("D")).ToHashSet();
        await gateway.WaitForDeadLettersAsync(l => wanted.Contains(l.MessageId), 3);
        var dlq = gateway.DeadLetters;

        (await dlq.ListAsync("payments", 1000, default)).Count(l => wanted.Contains(l.MessageId)).ShouldBe(3);
        (await dlq.ListAsync(null, 2, default)).Count.ShouldBe(2);
        (await dlq.ListAsync("invoicing", 1000, default)).ShouldNotContain(l => wanted.Contains(l.MessageId));
        (await dlq.FindAsync(ids[1].ToString("D"), "payments", default))!.Body.ShouldContain(order.ToString("D"));
        (await dlq.CountsAsync(default))["payments"].ShouldBeGreaterThanOrEqualTo(3);
        await Should.ThrowAsync<ArgumentException>(() => dlq.ListAsync("nobody", 10, default));

        (await dlq.PurgeAsync("payments", default))["payments"].ShouldBeGreaterThanOrEqualTo(3);
        (await dlq.ListAsync("payments", 1000, default)).ShouldBeEmpty();
    }
}

/// <summary>
/// A trigger on Marten's event table (created by the schema's owner) that raises <c>simulated failure</c> for inserts
/// into one stream, the first <c>times</c> times, and counts how often it was reached; dropped on dispose.
/// </summary>
internal sealed class FailingAppends : IAsyncDisposable
{
    private readonly MessagingAppFixture app;
    private readonly string name;

    private FailingAppends(MessagingAppFixture app, string name) => (this.app, this.name) = (app, name);

    public static async Task<FailingAppends> InstallAsync(MessagingAppFixture app, string stream, int times)
    {
        var name = "test_fail_" + Guid.NewGuid().ToString("N")[..10];
        var schema = app.Db.Schema;
        await using var command = app.Db.AdminDataSource.CreateCommand($"""
            CREATE SEQUENCE "{schema}".{name};
            CREATE FUNCTION "{schema}".{name}() RETURNS trigger LANGUAGE plpgsql AS $f$
            BEGIN
              IF NEW.stream_id = '{stream}' THEN
                IF nextval('"{schema}".{name}') <= {times} THEN
                  RAISE EXCEPTION 'simulated failure of {stream}';
                END IF;
              END IF;
              RETURN NEW;
            END $f$;
            CREATE TRIGGER {name} BEFORE INSERT ON "{schema}".mt_events FOR EACH ROW EXECUTE FUNCTION "{schema}".{name}();
            GRANT USAGE ON SEQUENCE "{schema}".{name} TO {TestDatabase.AppRole};
            """);
        await command.ExecuteNonQueryAsync();
        return new FailingAppends(app, name);
    }

    /// <summary>How many inserts into the stream reached the trigger (failed or passed).</summary>
    public async Task<long> RaisedAsync()
    {
        await using var command = app.Db.AdminDataSource.CreateCommand($"""SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM "{app.Db.Schema}".{name}""");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        await using var command = app.Db.AdminDataSource.CreateCommand($"""
            DROP TRIGGER {name} ON "{app.Db.Schema}".mt_events;
            DROP FUNCTION "{app.Db.Schema}".{name}();
            DROP SEQUENCE "{app.Db.Schema}".{name};
            """);
        await command.ExecuteNonQueryAsync();
    }
}
