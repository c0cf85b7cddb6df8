using System.Diagnostics;
using System.Net;
using Ledger.EndToEnd.Tests.Infrastructure;
using Ledger.TestSupport;
using Application = Ledger.Application;

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
        start.ArgumentList.Add(HostOutput.LedgerDll);
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

    [Fact]
    public async Task Invoicing_commands_set_the_issuer_publish_tax_rules_and_set_rates_each_audited_and_seen_by_the_API()
    {
        var tenant = TestDatabase.NewTenant();
        var body = Invoicing.InvoicingSettingsApiTests.IssuerBody;
        var set = await Ledger("invoicing", "issuer", "set", "--tenant", tenant, "--body", body);
        set.ExitCode.ShouldBe(0, set.Stderr);
        set.Stdout.ShouldContain("\"version\":1");
        var show = await Ledger("invoicing", "issuer", "show", "--tenant", tenant);
        show.Stdout.ShouldContain("\"legal_name\":\"Acme Iberia SL\"");

        var publish = await Ledger("invoicing", "tax-rules", "publish", "--tenant", tenant, "--if-match", "0",
            "--body", """{"effective_from":"2030-01-01","rates":[{"category":"es.vat.general","rate":"23"}]}""");
        publish.ExitCode.ShouldBe(0, publish.Stderr);
        publish.Stdout.ShouldContain("\"version\":2");
        var stale = await Ledger("invoicing", "tax-rules", "publish", "--tenant", tenant, "--if-match", "0",
            "--body", """{"effective_from":"2031-01-01","rates":[{"category":"es.vat.general","rate":"24"}]}""");
        stale.ExitCode.ShouldBe(1);
        stale.Stderr.ShouldContain("concurrency.conflict");
        var bad = await Ledger("invoicing", "exchange-rates", "set", "--tenant", tenant, "--currency", "usd", "--valid-on", "2026-01-01", "--rate", "0.9");
        bad.ExitCode.ShouldBe(1);
        bad.Stderr.ShouldContain("validation.invalid_format");
        var rate = await Ledger("invoicing", "exchange-rates", "set", "--tenant", tenant, "--currency", "USD", "--valid-on", "2026-01-01", "--rate", "0.9234");
        rate.ExitCode.ShouldBe(0, rate.Stderr);
        (await Ledger("invoicing", "tax-categories", "--tenant", tenant, "--on", "2030-06-01")).Stdout.ShouldContain("\"rules_version\":2");

        var admin = new OrderApi(app.Client(), app.Tokens.For(tenant, "tenant_admin"), tenant, app.Db.Store);
        using var profile = await admin.GetAsync("/api/invoicing/issuer");
        profile.StatusCode.ShouldBe(HttpStatusCode.OK);
        profile.Headers.ETag!.Tag.ShouldBe("\"1\"");
        using var rates = await admin.GetAsync("/api/invoicing/exchange-rates");
        (await rates.Content.ReadAsStringAsync()).ShouldContain("\"rate\":\"0.9234\"");

        var audit = new List<Application.Audit.CommandAuditEntry>();
        foreach (var entity in new[] { "fiscal-issuer", "fiscal-tax-rules", "fiscal-exchange-rates-USD", "fiscal-settings" })
            audit.AddRange((await app.Db.Store.ReadStreamAsync(tenant, Application.Audit.AuditStreams.For(entity)))
                .Select(Application.Audit.AuditEventCodec.Decode));
        audit.Select(e => (e.Action, e.Result, e.Code)).ShouldBe(
        [
            ("cli invoicing issuer set", Application.Audit.AuditResult.Success, null),
            ("cli invoicing tax-rules publish", Application.Audit.AuditResult.Success, null),
            ("cli invoicing exchange-rates set", Application.Audit.AuditResult.Success, null),
            ("cli invoicing tax-rules publish", Application.Audit.AuditResult.Failure, "concurrency.conflict"),
            ("cli invoicing exchange-rates set", Application.Audit.AuditResult.Failure, "validation.invalid_format"),
        ], ignoreOrder: true);
        (await Ledger("verify", "--tenant", tenant)).ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task One_help_lists_Ledger_and_JasperFx_commands_and_Ledger_wins_a_name_clash()
    {
        var (exitCode, stdout, stderr) = await Ledger("--help");
        exitCode.ShouldBe(0, stderr);
        foreach (var command in new[] { "token", "verify", "export", "verify-export", "dlq", "projections", "db-apply, migrate", "invoicing, settings", "run, serve",
                     "db-assert", "db-patch", "codegen", "storage", "resources", "describe" })
            stdout.ShouldContain($"  {command} ");
        stdout.ShouldNotContain("Asynchronous projection and projection rebuilds"); // Marten's projections: Ledger's rebuild is blue/green
        stdout.ShouldNotContain("Applies all outstanding changes"); // JasperFx's db-apply: migrate is
        (await Ledger("help", "projections")).Stdout.ShouldContain("rebuild");
        var nothing = await Ledger("help", "no-such-command");
        nothing.ExitCode.ShouldBe(1);
        nothing.Stderr.ShouldContain("there is no command 'no-such-command'");

        var assert = await Ledger("db-assert", "--help");
        assert.ExitCode.ShouldBe(0, assert.Stderr);
        assert.Stdout.ShouldContain("ledger db-assert");
        assert.Stdout.ShouldContain("--database");
        var storage = await Ledger("help", "storage");
        storage.ExitCode.ShouldBe(0, storage.Stderr);
        storage.Stdout.ShouldContain("clear|counts");
    }

    [Fact]
    public async Task JasperFx_commands_run_on_the_Host_db_assert_passes_on_the_migrated_schema_and_db_apply_is_migrate()
    {
        var apply = await Ledger("db-apply");
        apply.ExitCode.ShouldBe(0, apply.Stderr);
        apply.Stdout.ShouldContain($"schema {app.Db.Schema} is up to date");

        var assert = await Ledger("db-assert");
        assert.ExitCode.ShouldBe(0, assert.Stdout + assert.Stderr);
        assert.Stdout.ShouldContain("No database differences detected");

        var counts = await Ledger("storage", "counts");
        counts.ExitCode.ShouldBe(0, counts.Stdout + counts.Stderr);
        counts.Stdout.ShouldContain("Incoming");

        var codegen = await Ledger("codegen", "preview"); // TypeLoadMode.Static, no Roslyn: writing the code needs none
        codegen.ExitCode.ShouldBe(0, codegen.Stdout + codegen.Stderr);
        codegen.Stdout.ShouldContain("namespace Internal.Generated");

        var unknown = await Ledger("db-assert", "--no-such-flag");
        unknown.ExitCode.ShouldBe(1);
    }
}
