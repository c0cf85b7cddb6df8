using System.Diagnostics;
using System.Net;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.TestSupport;

namespace Ledger.EndToEnd.Tests;

/// <summary>The <c>ledger</c> CLI commands, run as operators run it: the built executable, in its own process.</summary>
public sealed class CliTests(LedgerAppFixture app) : IClassFixture<LedgerAppFixture>
{
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
        start.Environment["Ledger__Auth__SigningKeyPath"] = app.SigningKeyPath;
        start.Environment["Ledger__Auth__Issuer"] = LedgerAppFixture.Issuer;
        start.Environment["Ledger__Auth__Audience"] = LedgerAppFixture.Audience;
        start.Environment["ConnectionStrings__Ledger"] = app.Db.AppConnectionString;
        start.Environment["ConnectionStrings__LedgerAdmin"] = app.Db.AdminConnectionString;
        start.Environment["Ledger__Database__Schema"] = app.Db.Schema;

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Token_command_prints_only_a_token_the_app_accepts()
    {
        var tenant = TestDatabase.NewTenant();
        var (exitCode, stdout, stderr) = await Ledger("token", "--role", "clerk", "--role", "accountant", "--tenant", tenant, "--sub", "cli-user");

        exitCode.ShouldBe(0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(1, stdout);
        var token = lines[0].Trim();
        token.Split('.').Length.ShouldBe(3);

        var clerk = new OrderApi(app.Client(), token, tenant, app.Db.Store);
        var orderId = await clerk.CreateAsync();
        (await clerk.EventsAsync(orderId)).Single().Metadata.Actor.ShouldBe("cli-user");
        using var get = await clerk.GetAsync($"/api/orders/{orderId}");
        get.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Token_command_refuses_an_unknown_role()
    {
        var (exitCode, stdout, _) = await Ledger("token", "--role", "admin", "--tenant", "acme");
        exitCode.ShouldNotBe(0);
        stdout.ShouldNotContain("eyJ");
    }

    [Fact]
    public async Task Verify_command_reports_an_intact_chain_and_migrate_is_idempotent()
    {
        var tenant = TestDatabase.NewTenant();
        var clerk = new OrderApi(app.Client(), app.Tokens.For(tenant, "clerk"), tenant, app.Db.Store);
        await clerk.CreateAsync();
        await clerk.CreateAsync();

        var migrate = await Ledger("migrate");
        migrate.ExitCode.ShouldBe(0, migrate.Stderr);

        var (exitCode, stdout, stderr) = await Ledger("verify", "--tenant", tenant);
        exitCode.ShouldBe(0, stderr);
        stdout.ShouldContain("4 entries checked"); // two orders created, each with its audit entry
    }
}
