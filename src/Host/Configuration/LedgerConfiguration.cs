using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace Ledger.Host.Configuration;

/// <summary>Where settings come from, shared by the web app and the CLI.</summary>
public static class LedgerConfiguration
{
    /// <summary>
    /// Adds the appsettings files next to the executable as the lowest-precedence source, so the app finds its
    /// defaults whatever directory it is started from; files in the content root and the environment still win.
    /// </summary>
    public static void AddBaseDirectoryDefaults(IConfigurationBuilder configuration, string environmentName)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        // The file provider is set explicitly: a source without one resolves paths against the builder's base path.
        var directory = new PhysicalFileProvider(AppContext.BaseDirectory);
        configuration.Sources.Insert(0, JsonFile(directory, $"appsettings.{environmentName}.json"));
        configuration.Sources.Insert(0, JsonFile(directory, "appsettings.json"));
    }

    private static JsonConfigurationSource JsonFile(PhysicalFileProvider directory, string name) =>
        new() { FileProvider = directory, Path = name, Optional = true, ReloadOnChange = false };

    /// <summary>The CLI's configuration: appsettings (next to the executable, then the current directory) and the environment.</summary>
    public static IConfigurationRoot ForCli(string environmentName)
    {
        var builder = new ConfigurationBuilder();
        AddBaseDirectoryDefaults(builder, environmentName);
        return builder
            .SetBasePath(Directory.GetCurrentDirectory())
            .AddJsonFile("appsettings.json", optional: true, reloadOnChange: false)
            .AddJsonFile($"appsettings.{environmentName}.json", optional: true, reloadOnChange: false)
            .AddEnvironmentVariables()
            .Build();
    }

    public static string CliEnvironmentName() =>
        Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT")
        ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT")
        ?? Environments.Production;

    public static LedgerDatabaseOptions Database(IConfiguration configuration) =>
        configuration.GetSection(LedgerDatabaseOptions.Section).Get<LedgerDatabaseOptions>() ?? new();

    public static LedgerAuthOptions Auth(IConfiguration configuration) =>
        configuration.GetSection(LedgerAuthOptions.Section).Get<LedgerAuthOptions>() ?? new();
}
