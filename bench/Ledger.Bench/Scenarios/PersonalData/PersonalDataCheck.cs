using System.Globalization;
using System.Text.Json;
using Ledger.EventStore.Privacy;

namespace Ledger.Bench.Scenarios.PersonalData;

/// <summary>
/// After scenario 13's rounds, on the schema's own tables: each order of a new customer (<c>N-…</c>, and <c>E-…</c>
/// with no field to seal) made exactly one key, each returning customer (<c>R-…</c>) has exactly one, the orders without
/// personal data (<c>A-…</c>) carry none, every order with personal data names its subject and key generation (and
/// holds a sealed name and email, or none for <c>E-…</c>), and the latest ones open — through
/// <see cref="PersonalDataReader"/>, as the application role — to the name and email that were sent.
/// </summary>
public sealed record PersonalDataCheck(long NewCustomerOrders, long NewCustomerKeys, long ReturningOrders, long ReturningKeys, long ExpectedReturningKeys,
    long PlainOrders, long PlainWithPersonal, long SealedIncomplete, int Opened, int OpenedAsSent)
{
    private const int Sample = 200;

    public bool Passed => NewCustomerKeys == NewCustomerOrders && ReturningKeys == ExpectedReturningKeys && PlainWithPersonal == 0
                          && SealedIncomplete == 0 && Opened > 0 && OpenedAsSent == Opened;

    public override string ToString() =>
        $"{NewCustomerOrders:N0} new customers' orders ((b) and (e)) under {NewCustomerKeys:N0} keys, {ReturningOrders:N0} returning customers' orders under " +
        $"{ReturningKeys:N0} keys (expected {ExpectedReturningKeys:N0}), {PlainOrders:N0} orders without personal data ({PlainWithPersonal} with some), " +
        $"{SealedIncomplete} sealed records missing a subject, generation or field, the latest {Opened} opened: {OpenedAsSent} as sent" +
        (Passed ? "" : " — FAILED");

    public static async Task<PersonalDataCheck> RunAsync(Infrastructure.LedgerSchema ledger, SubjectKeys keys, long expectedReturningKeys)
    {
        long newOrders, returningOrders, plainOrders, plainWithPersonal, incomplete;
        await using (var events = ledger.Admin.CreateCommand("""
            SELECT count(*) FILTER (WHERE c ~ '^[NE]-'), count(*) FILTER (WHERE c LIKE 'R-%'), count(*) FILTER (WHERE c LIKE 'A-%'),
                   count(*) FILTER (WHERE c LIKE 'A-%' AND p IS NOT NULL AND jsonb_typeof(p) <> 'null'),
                   count(*) FILTER (WHERE (c ~ '^[NRE]-' AND (p->>'key_generation' IS NULL OR p->>'subject_id' IS DISTINCT FROM c))
                                       OR (c ~ '^[NR]-' AND (p->>'name' IS NULL OR p->>'email' IS NULL))
                                       OR (c LIKE 'E-%' AND (p->>'name' IS NOT NULL OR p->>'email' IS NOT NULL)))
              FROM (SELECT data->>'customer_id' AS c, data->'personal' AS p FROM mt_events) e
            """))
        await using (var reader = await events.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            (newOrders, returningOrders, plainOrders, plainWithPersonal, incomplete) =
                (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
        }

        long newKeys, returningKeys;
        await using (var counts = ledger.Admin.CreateCommand(
            "SELECT count(*) FILTER (WHERE subject_id ~ '^[NE]-'), count(*) FILTER (WHERE subject_id LIKE 'R-%') FROM subject_keys"))
        await using (var reader = await counts.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            (newKeys, returningKeys) = (reader.GetInt64(0), reader.GetInt64(1));
        }

        var latest = new List<(string Tenant, string Customer, PersonalRecord Record)>();
        await using (var select = ledger.Admin.CreateCommand(
            $"SELECT tenant_id, data FROM mt_events WHERE data->>'customer_id' ~ '^[NR]-' ORDER BY seq_id DESC LIMIT {Sample}"))
        await using (var reader = await select.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                using var data = JsonDocument.Parse(reader.GetString(1));
                var customer = data.RootElement.GetProperty("customer_id").GetString()!;
                if (PersonalRecord.Read(data.RootElement, null) is { } record) latest.Add((reader.GetString(0), customer, record));
            }
        }
        var opener = new PersonalDataReader(keys);
        var asSent = 0;
        foreach (var tenant in latest.GroupBy(l => l.Tenant))
        {
            var opened = await opener.OpenAsync(ledger.App, tenant.Key, [.. tenant.Select(t => t.Record)], CancellationToken.None);
            foreach (var (sent, open) in tenant.Zip(opened))
            {
                var expected = OrderCommandPath.PersonalOf(long.Parse(sent.Customer.AsSpan(2), CultureInfo.InvariantCulture));
                if (open is { Status: OpenedPersonalData.Available, Encrypted: true } && open["name"] == expected.Name && open["email"] == expected.Email)
                    asSent++;
            }
        }
        return new PersonalDataCheck(newOrders, newKeys, returningOrders, returningKeys, expectedReturningKeys, plainOrders, plainWithPersonal,
            incomplete, latest.Count, asSent);
    }
}
