using System.Collections.Frozen;
using System.Reflection;
using NJsonSchema;

namespace Ledger.Messaging.Contracts;

/// <summary>
/// The JSON Schemas of every integration message (schemas/ in the repository, embedded in this assembly),
/// by message type (<c>commerce.order.paid.v1</c>, from the file name). Consumers validate every message
/// against its schema before applying it; tests validate every message the outbox publishes.
/// </summary>
public sealed class ContractSchemas
{
    private const string ResourcePrefix = "Ledger.Messaging.Schemas.";
    private static readonly Lazy<Task<ContractSchemas>> EmbeddedSchemas = new(() => LoadAsync(typeof(ContractSchemas).Assembly));

    private readonly FrozenDictionary<string, JsonSchema> schemas;

    private ContractSchemas(FrozenDictionary<string, JsonSchema> schemas) => this.schemas = schemas;

    public IReadOnlyCollection<string> MessageTypes => schemas.Keys;

    public static Task<ContractSchemas> EmbeddedAsync() => EmbeddedSchemas.Value;

    public bool Has(string messageType) => schemas.ContainsKey(messageType);

    /// <summary>What is wrong with <paramref name="json"/> as a <paramref name="messageType"/>; empty when valid.</summary>
    /// <exception cref="KeyNotFoundException">no schema for that type.</exception>
    public IReadOnlyList<string> Validate(string messageType, string json)
    {
        if (!schemas.TryGetValue(messageType, out var schema))
            throw new KeyNotFoundException($"No schema for message type '{messageType}'.");
        return [.. schema.Validate(json).Select(e => $"{e.Path}: {e.Kind}")];
    }

    private static async Task<ContractSchemas> LoadAsync(Assembly assembly)
    {
        var loaded = new Dictionary<string, JsonSchema>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            await using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            var type = resource[ResourcePrefix.Length..^".json".Length];
            loaded[type] = await JsonSchema.FromJsonAsync(await reader.ReadToEndAsync().ConfigureAwait(false)).ConfigureAwait(false);
        }
        return new ContractSchemas(loaded.ToFrozenDictionary(StringComparer.Ordinal));
    }
}
