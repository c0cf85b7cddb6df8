namespace Ledger.EventStore.Tests.Canonical;

/// <summary>
/// The repository carries a copy of shared/testdata so a clone anywhere can run the vectors. Wherever the
/// shared originals are reachable, the copy must be byte-identical to them.
/// </summary>
public sealed class VendoredTestDataTests
{
    [Fact]
    public void The_repository_copy_of_the_external_vectors_is_identical_to_the_shared_originals()
    {
        var repoRoot = Ancestors().FirstOrDefault(d => File.Exists(Path.Combine(d.FullName, "Ledger.sln")));
        repoRoot.ShouldNotBeNull("the test runs from inside the repository");
        var copy = Path.Combine(repoRoot.FullName, "testdata");
        var shared = Path.Combine(repoRoot.FullName, "..", "shared", "testdata");
        Directory.Exists(copy).ShouldBeTrue();
        if (!Directory.Exists(shared)) return; // a clone apart from shared/: only the copy exists to compare

        var sharedFiles = Directory.GetFiles(shared, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(shared, f)).Order().ToList();
        var copyFiles = Directory.GetFiles(copy, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(copy, f)).Order().ToList();
        copyFiles.ShouldBe(sharedFiles);
        foreach (var file in sharedFiles)
            File.ReadAllBytes(Path.Combine(copy, file)).ShouldBe(File.ReadAllBytes(Path.Combine(shared, file)), file);
    }

    private static IEnumerable<DirectoryInfo> Ancestors()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            yield return dir;
    }
}
