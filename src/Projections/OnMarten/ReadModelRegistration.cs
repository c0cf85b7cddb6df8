using System.Text.Json;
using JasperFx.Events.Projections;
using Ledger.EventStore.MartenStore;
using Ledger.Projections.Model;
using Marten;
using Npgsql;

namespace Ledger.Projections.OnMarten;

/// <summary>Registers read models as async projections on a Marten store.</summary>
public static class ReadModelRegistration
{
    /// <summary>
    /// Each read model as a projection: <paramref name="generation"/> null for the live projections (writing through
    /// the views), a number for the projections that build that generation (Marten version n).
    /// </summary>
    public static IReadOnlyList<ReadModelProjection> Create(IEnumerable<IReadModel> models, NpgsqlDataSource db, EventShapes shapes,
        JsonSerializerOptions json, ProjectionOptions settings, int? generation = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return [.. models.Select(model => new ReadModelProjection(model, generation, shapes, json, new ProjectionSkipList(db, model.Name), settings.SetBased))];
    }

    /// <summary>
    /// Adds the projections to the store as async projections, <see cref="ProjectionOptions.BatchSize"/> events a page.
    /// Nothing is skipped silently: an event a projection cannot apply, or cannot even deserialize, pauses it
    /// (<see cref="ProjectionSupervisor"/> takes it from there).
    /// </summary>
    public static void AddReadModels(this StoreOptions options, IEnumerable<ReadModelProjection> projections, ProjectionOptions settings)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(settings);
        options.Projections.Errors.SkipApplyErrors = false;
        options.Projections.Errors.SkipSerializationErrors = false;
        foreach (var projection in projections)
        {
            var name = projection.Model.Name;
            options.Projections.Add(projection, ProjectionLifecycle.Async, name, async => async.BatchSize = settings.BatchSize);
            // Marten wraps a custom projection in a source of its own; its version and event filter are set there.
            var source = options.Projections.All.OfType<ProjectionBase>().Single(p => p.Name == name);
            if (projection.Generation is { } g and > 1) source.Version = (uint)g;
            foreach (var shape in projection.EventShapes) source.IncludeType(shape);
        }
    }
}
