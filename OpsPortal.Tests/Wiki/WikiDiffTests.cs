using OpsPortal.Core.Wiki;

namespace OpsPortal.Tests.Wiki;

public sealed class WikiDiffTests
{
    [Fact]
    public void Compare_ModifiedLine_WordLevelSpans()
    {
        var diff = WikiDiff.Compare("# Title\nrestart the primary now\nend", "# Title\nrestart the replica now\nend");

        Assert.Equal((1, 1), (diff.Added, diff.Removed));
        var deleted = diff.Lines.Single(l => l.Kind == DiffLineKind.Deleted);
        var inserted = diff.Lines.Single(l => l.Kind == DiffLineKind.Inserted);
        Assert.Equal("primary", Assert.Single(deleted.Spans, s => s.Changed).Text);
        Assert.Equal("replica", Assert.Single(inserted.Spans, s => s.Changed).Text);
        Assert.Equal((2, 2), (deleted.OldNumber, inserted.NewNumber));
    }

    [Fact]
    public void Compare_LongUnchangedRuns_Folded()
    {
        var old = string.Join('\n', Enumerable.Range(1, 100).Select(i => $"line {i}"));
        var changed = old.Replace("line 50\n", "line fifty\n", StringComparison.Ordinal);

        var diff = WikiDiff.Compare(old, changed);

        Assert.Equal([46, 47], diff.Lines.Where(l => l.Kind == DiffLineKind.Gap).Select(l => l.Skipped));
        Assert.Equal(3 + 2 + 3 + 2, diff.Lines.Count);
    }

    [Fact]
    public void Compare_Identical()
    {
        Assert.True(WikiDiff.Compare("a\nb", "a\nb").Identical);
    }

    [Fact]
    public void Merge_NonOverlappingEdits_BothKept()
    {
        var (text, conflicts) = WikiDiff.Merge("a\nb\nc\nd", "A\nb\nc\nd", "a\nb\nc\nD");

        Assert.Equal(0, conflicts);
        Assert.Equal("A\nb\nc\nD", text);
    }

    [Fact]
    public void Merge_SameLineEditedDifferently_MarkersKeepBoth()
    {
        var (text, conflicts) = WikiDiff.Merge("a\nb\nc", "a\nmine\nc", "a\ntheirs\nc", "revision 2");

        Assert.Equal(1, conflicts);
        Assert.Equal("a\n<<<<<<< yours\nmine\n=======\ntheirs\n>>>>>>> revision 2\nc", text);
    }
}
