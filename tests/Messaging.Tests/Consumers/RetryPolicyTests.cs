using System.Net.Sockets;
using Ledger.Messaging.Consumers;
using Ledger.Messaging.Contracts;
using Npgsql;

namespace Ledger.Messaging.Tests.Consumers;

public sealed class RetryPolicyTests
{
    [Fact]
    public void Retries_back_off_exponentially_up_to_the_maximum_and_each_delay_has_its_queue()
    {
        var schedule = new RetrySchedule(new ConsumerSettings
        {
            MaxAttempts = 6, FirstRetryDelay = TimeSpan.FromSeconds(1), MaxRetryDelay = TimeSpan.FromSeconds(10), OutageRetryDelay = TimeSpan.FromSeconds(5),
        });
        Enumerable.Range(1, 5).Select(schedule.DelayAfter).Select(d => d.TotalSeconds).ShouldBe([1, 2, 4, 8, 10]);
        schedule.AllDelays.Select(d => d.TotalSeconds).ShouldBe([1, 2, 4, 8, 10, 5]);
    }

    [Fact]
    public void Failures_are_classified_permanent_transient_or_database_outage()
    {
        static bool Never(Exception _) => false;
        DeliveryResult.Classify(new MessageRejectedException("schema_violation", "no"), Never).ShouldBe(FailureKind.Permanent);
        DeliveryResult.Classify(new InvalidOperationException("declared permanent"), e => e is InvalidOperationException).ShouldBe(FailureKind.Permanent);
        DeliveryResult.Classify(new TimeoutException("slow service"), Never).ShouldBe(FailureKind.Transient);
        DeliveryResult.Classify(new NpgsqlException("down", new SocketException((int)SocketError.ConnectionRefused)), Never).ShouldBe(FailureKind.Outage);
        DeliveryResult.Classify(new PostgresException("shutting down", "FATAL", "FATAL", "57P01"), Never).ShouldBe(FailureKind.Outage);
        DeliveryResult.Classify(new PostgresException("unique", "ERROR", "ERROR", "23505"), Never).ShouldBe(FailureKind.Transient);
    }
}
