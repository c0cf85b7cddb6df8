using System.Text.Json;
using System.Text.Json.Serialization;
using Ledger.EventStore.MartenStore;

namespace Ledger.TestSupport;

/// <summary>
/// Stored shapes for the made-up event types store tests append (<see cref="TestEvents"/>): each keeps whatever JSON
/// object it is given, member for member, so a test can store any data under these names.
/// </summary>
public static class TestEventShapes
{
    public abstract class AnyData
    {
        [JsonExtensionData]
        public Dictionary<string, JsonElement> Members { get; set; } = [];
    }

    public sealed class ThingHappened : AnyData;
    public sealed class Created : AnyData;
    public sealed class Changed : AnyData;
    public sealed class ChangedV2 : AnyData;
    public sealed class Held : AnyData;
    public sealed class Later : AnyData;
    public sealed class Blocker : AnyData;
    public sealed class Poison : AnyData;

    public static EventShapes Register(EventShapes shapes)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        return shapes
            .Add("test.thing.happened", 1, typeof(ThingHappened))
            .Add("test.created", 1, typeof(Created))
            .Add("test.changed", 1, typeof(Changed))
            .Add("test.changed", 2, typeof(ChangedV2))
            .Add("test.held", 1, typeof(Held))
            .Add("test.later", 1, typeof(Later))
            .Add("test.blocker", 1, typeof(Blocker))
            .Add("test.poison", 1, typeof(Poison));
    }

    /// <summary>How the store tests' data is read into its shapes: as given, no renaming.</summary>
    // Read with the codecs' options (TestDatabase.Json): extension data keeps every member as given.
}
