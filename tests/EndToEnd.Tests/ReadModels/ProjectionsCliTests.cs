using System.Diagnostics;
using System.Text.Json;
using Ledger.Application.Orders;
using Ledger.EventStore;
using Ledger.Host.Auth;
using Ledger.Projections;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests.ReadModels;

/// <summary><c>ledger projections status|rebuild|skip</c>, run as operators run them, against a running Host.</summary>
public sealed class ProjectionsCliTests(ReportsAppFixture app) : IClassFixture<ReportsAppFixture>
{
    [Fact]
    public async Task Status_lists_each_projection_running_with_its_position()
    {
        await app.As(TestDatabase.NewTenant(), LedgerRoles.Clerk).CreateAsync();
        var (exitCode, stdout, stderr) = await Eventually.Until(() => Ledger("projections", "status"),
            r => LedgerProjections.All.All(p => r.Stdout.Contains($"{p.Name}") && r.Stdout.Split('\n').Any(l => l.StartsWith(p.Name + " ", StringComparison.Ordinal) && l.Contains(" running "))),
            TimeSpan.FromSeconds(30), "every projection to be running");
        exitCode.ShouldBe(0, stderr);
        stdout.ShouldStartWith("PROJECTION");
        stdout.ShouldMatch(@"(?m)^orders +1 running +\d+ +\d+ +[0-9.]+  \d{4}-\d\d-\d\d "); // generation, state, position, behind, seconds, updated
    }

    [Fact]
    public async Task Rebuild_swaps_in_a_new_generation_while_the_host_keeps_serving_it()
    {
        var tenant = TestDatabase.NewTenant();
        var clerk = app.As(tenant, LedgerRoles.Clerk);
        for (var i = 0; i < 3; i++) await clerk.CreateAsync();

        var (exitCode, stdout, stderr) = await Ledger("projections", "rebuild", "orders");
        exitCode.ShouldBe(0, stderr);
        stdout.ShouldMatch(@"orders: generation \d+ is live \(generation \d+ dropped\), at position \d+\s*");
        stderr.ShouldContain("[##############################] 100%");

        // The Host follows the new generation: a new order shows up in the report.
        using var created = await clerk.PostAsync("/api/orders", Infrastructure.OrderApi.CreateBody);
        using var report = await app.Reader(tenant, LedgerRoles.Accountant)
            .GetAsync("/api/reports/orders", created.Headers.GetValues("X-Ledger-Position").Single());
        var body = JsonSerializer.Deserialize<JsonElement>(await report.Content.ReadAsStringAsync());
        body.GetProperty("items").GetArrayLength().ShouldBe(4);

        (await Ledger("projections", "rebuild", "nonesuch")).ExitCode.ShouldBe(2);
        // Nothing is stopped: nothing to retry (exit 1); an unknown name is a usage error (exit 2).
        (await Ledger("projections", "retry", "orders")).ExitCode.ShouldBe(1);
        (await Ledger("projections", "retry", "nonesuch")).ExitCode.ShouldBe(2);
    }

    [Fact]
    public async Task A_poison_event_shows_in_status_and_is_skipped_only_by_the_operators_command()
    {
        var tenant = TestDatabase.NewTenant();
        var garbled = new EventToAppend(Guid.CreateVersion7(), OrderEventCodec.Created, 1, DateTimeOffset.UtcNow,
            JsonSerializer.SerializeToElement(new { nonsense = true }), new EventMetadata("c", null, "test", null, "test"));
        await app.Db.Store.AppendAsync(tenant, [new StreamAppend("order-garbled", ExpectedVersion.NoStream, [garbled])]);

        var stopped = await Eventually.Until(() => Ledger("projections", "status"), r => r.ExitCode == 3, TimeSpan.FromSeconds(60), "the poison to stop a projection");
        stopped.Stdout.ShouldContain($"stopped on event {garbled.EventId}");
        stopped.Stdout.ShouldContain("JsonException");
        using (var health = await app.Client().GetAsync("/health/ready"))
            (await health.Content.ReadAsStringAsync()).ShouldContain("Degraded"); // still serving, but visibly not well

        var wrong = await Ledger("projections", "skip", "orders", "--event", Guid.NewGuid().ToString());
        wrong.ExitCode.ShouldBe(1);

        foreach (var name in new[] { "orders", "receivables", "sales_journal" })
        {
            await Eventually.Until(() => Ledger("projections", "status"), r => r.Stdout.Split('\n').Any(l => l.StartsWith(name + " ", StringComparison.Ordinal) && l.Contains(" failed ")),
                TimeSpan.FromSeconds(60), $"{name} to stop");
            var skipped = await Ledger("projections", "skip", name, "--event", garbled.EventId.ToString(), "--reason", "garbled test event", "--by", "ops-test");
            skipped.ExitCode.ShouldBe(0, skipped.Stderr);
            skipped.Stdout.ShouldContain($"event {garbled.EventId} skipped");
        }
        await Eventually.Until(() => Ledger("projections", "status"), r => r.ExitCode == 0, TimeSpan.FromSeconds(30), "every projection to resume");
        var recorded = await app.Db.AdminDataSource.CreateCommand(
            $"SELECT count(*) FROM projection_skips WHERE event_id = '{garbled.EventId}' AND skipped_by = 'ops-test' AND reason = 'garbled test event'").ExecuteScalarAsync();
        recorded.ShouldBe(3L);
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> Ledger(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ledger.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["ConnectionStrings__Ledger"] = app.Db.AppConnectionString;
        start.Environment["ConnectionStrings__LedgerAdmin"] = app.Db.AdminConnectionString;
        start.Environment["Ledger__Database__Schema"] = app.Db.Schema;
        start.Environment["Ledger__Database__AppRole"] = TestDatabase.AppRole;

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"ledger {string.Join(' ', args)} did not finish: {await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
