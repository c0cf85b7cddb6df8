using System.Diagnostics;
using System.Security.Cryptography;
using Ledger.Application.Orders;
using Ledger.Bench.Infrastructure;
using Ledger.Domain.Orders;
using Ledger.EventStore.Privacy;

namespace Ledger.Bench.Scenarios.PersonalData;

/// <summary>
/// The client's pure crypto per order, on one thread with nothing else running, in microseconds: what
/// <see cref="SubjectKeys.ForSealingAsync"/> and the codec do around the round trip. <c>ForSealingAsync</c> makes and
/// wraps a fresh key on every call (used only when the subject has none) and unwraps the stored one when it has one;
/// the codec seals the name and the email.
/// </summary>
public static class CryptoCost
{
    private const int Iterations = 20_000;

    public sealed record Figures(Series SealTwoFields, Series NewKeyWrapped, Series Unwrap, Series EncodeSealed, Series EncodePlain)
    {
        /// <summary>A new customer's order: a fresh key made and wrapped, two fields sealed.</summary>
        public double NewCustomerUs => NewKeyWrapped.Median + SealTwoFields.Median;

        /// <summary>A returning customer's order: the same, plus the stored key unwrapped.</summary>
        public double ReturningCustomerUs => NewCustomerUs + Unwrap.Median;
    }

    public static Figures Measure(int rounds)
    {
        var ring = new MasterKeyRing(RandomNumberGenerator.GetBytes(32));
        var key = SubjectKey.Create("tenant-000", "R-07", 1);
        var (kid, wrapped) = ring.Wrap(key);
        var personal = OrderCommandPath.PersonalOf(7);
        var created = new OrderCreated(Guid.CreateVersion7(), "R-07", "EUR",
            [new OrderLine("SKU-10001", "Widget, blue, 40 mm, boxed", 2, 12.50m), new OrderLine("SKU-10002", "Gadget, red, 12 mm, loose", 1, 7.25m),
             new OrderLine("SKU-10003", "Sprocket, steel, 25 teeth", 4, 3.10m)], 49.65m, DateTimeOffset.UtcNow, personal);
        var plain = created with { Personal = null };

        var figures = new Figures(new("µs"), new("µs"), new("µs"), new("µs"), new("µs"));
        for (var round = -1; round < rounds; round++) // round -1 warms the JIT up
        {
            Add(round, figures.SealTwoFields, () =>
            {
                key.Seal("name", personal.Name!);
                key.Seal("email", personal.Email!);
            });
            Add(round, figures.NewKeyWrapped, () => ring.Wrap(SubjectKey.Create("tenant-000", "N-000000001", 0)));
            Add(round, figures.Unwrap, () => ring.Unwrap("tenant-000", "R-07", 1, kid, wrapped));
            Add(round, figures.EncodeSealed, () => OrderEventCodec.Encode(created, key));
            Add(round, figures.EncodePlain, () => OrderEventCodec.Encode(plain));
        }
        return figures;
    }

    private static void Add(int round, Series series, Action operation)
    {
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < Iterations; i++) operation();
        var us = Stopwatch.GetElapsedTime(started).TotalMicroseconds / Iterations;
        if (round >= 0) series.Add(us);
    }
}
