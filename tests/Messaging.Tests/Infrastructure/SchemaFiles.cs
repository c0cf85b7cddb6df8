using NJsonSchema;

namespace Ledger.Messaging.Tests.Infrastructure;

/// <summary>The repository's schemas/ folder, read from disk (the files the build guards and embeds).</summary>
public static class SchemaFiles
{
    public static string Directory { get; } = Find();

    public static async Task<IReadOnlyList<string>> ValidateAsync(string messageType, string json)
    {
        var schema = await JsonSchema.FromFileAsync(Path.Combine(Directory, messageType + ".json"));
        return [.. schema.Validate(json).Select(e => $"{e.Path}: {e.Kind}")];
    }

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ledger.sln")))
                return Path.Combine(dir.FullName, "schemas");
        throw new DirectoryNotFoundException("schemas/ not found above " + AppContext.BaseDirectory);
    }
}
