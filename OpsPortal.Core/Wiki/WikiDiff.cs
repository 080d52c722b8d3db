using DiffPlex;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using DiffPlex.Model;

namespace OpsPortal.Core.Wiki;

public enum DiffLineKind { Context, Deleted, Inserted, Gap }

/// <summary>A piece of a changed line; <see cref="Changed"/> marks the words that differ.</summary>
public sealed record DiffSpan(string Text, bool Changed);

/// <summary>One row of a unified diff. <see cref="DiffLineKind.Gap"/> stands for <see cref="Skipped"/> unchanged lines left out.</summary>
public sealed record DiffLine(DiffLineKind Kind, int? OldNumber, int? NewNumber, IReadOnlyList<DiffSpan> Spans, int Skipped = 0);

public sealed record WikiDiffResult(IReadOnlyList<DiffLine> Lines, int Added, int Removed)
{
    public bool Identical => Added == 0 && Removed == 0;
}

/// <summary>
/// Line diffs with word-level changes inside modified lines (DiffPlex), as a unified view with
/// unchanged stretches folded; and the three-way merge behind the conflict view.
/// </summary>
public static class WikiDiff
{
    public static WikiDiffResult Compare(string oldText, string newText, int context = 3)
    {
        var model = SideBySideDiffBuilder.Diff(oldText, newText, ignoreWhiteSpace: false, ignoreCase: false);
        var rows = new List<DiffLine>(model.NewText.Lines.Count);
        int added = 0, removed = 0;
        for (var i = 0; i < model.OldText.Lines.Count; i++)
        {
            var before = model.OldText.Lines[i];
            var after = model.NewText.Lines[i];
            if (before.Type == ChangeType.Unchanged)
            {
                rows.Add(new DiffLine(DiffLineKind.Context, before.Position, after.Position, [new DiffSpan(before.Text, false)]));
                continue;
            }
            if (before.Type is ChangeType.Deleted or ChangeType.Modified)
            {
                removed++;
                rows.Add(new DiffLine(DiffLineKind.Deleted, before.Position, null, Spans(before)));
            }
            if (after.Type is ChangeType.Inserted or ChangeType.Modified)
            {
                added++;
                rows.Add(new DiffLine(DiffLineKind.Inserted, null, after.Position, Spans(after)));
            }
        }
        return new WikiDiffResult(Fold(rows, context), added, removed);
    }

    private static List<DiffSpan> Spans(DiffPiece line)
    {
        if (line.Type != ChangeType.Modified || line.SubPieces.Count == 0)
        {
            return [new DiffSpan(line.Text ?? "", false)];
        }
        var spans = new List<DiffSpan>(line.SubPieces.Count);
        foreach (var piece in line.SubPieces)
        {
            if (piece.Type == ChangeType.Imaginary || string.IsNullOrEmpty(piece.Text))
            {
                continue;
            }
            var changed = piece.Type != ChangeType.Unchanged;
            // Merge neighbours of the same kind: fewer elements to render for a long line.
            if (spans.Count > 0 && spans[^1].Changed == changed)
            {
                spans[^1] = spans[^1] with { Text = spans[^1].Text + piece.Text };
            }
            else
            {
                spans.Add(new DiffSpan(piece.Text, changed));
            }
        }
        return spans;
    }

    /// <summary>Keeps <paramref name="context"/> unchanged lines around each change; longer unchanged runs become one gap row.</summary>
    private static List<DiffLine> Fold(List<DiffLine> rows, int context)
    {
        var keep = new bool[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Kind == DiffLineKind.Context)
            {
                continue;
            }
            for (var j = Math.Max(0, i - context); j <= Math.Min(rows.Count - 1, i + context); j++)
            {
                keep[j] = true;
            }
        }
        var folded = new List<DiffLine>();
        var skipped = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            if (keep[i])
            {
                if (skipped > 0)
                {
                    folded.Add(new DiffLine(DiffLineKind.Gap, null, null, [], skipped));
                    skipped = 0;
                }
                folded.Add(rows[i]);
            }
            else
            {
                skipped++;
            }
        }
        if (skipped > 0)
        {
            folded.Add(new DiffLine(DiffLineKind.Gap, null, null, [], skipped));
        }
        return folded;
    }

    /// <summary>
    /// Merges two edits of <paramref name="baseText"/> line by line: changes on one side only are
    /// taken; where both sides changed the same lines differently, both versions are kept between
    /// conflict markers, so nothing either person wrote is lost.
    /// </summary>
    public static (string Text, int Conflicts) Merge(string baseText, string mine, string theirs, string theirsLabel = "theirs")
    {
        var diff = ThreeWayDiffer.Instance.CreateDiffs(baseText, mine, theirs, ignoreWhiteSpace: false, ignoreCase: false, new DiffPlex.Chunkers.LineChunker());
        var lines = new List<string>();
        var conflicts = 0;
        foreach (var block in diff.DiffBlocks)
        {
            switch (block.ChangeType)
            {
                case ThreeWayChangeType.Unchanged:
                    lines.AddRange(Take(diff.PiecesBase, block.BaseStart, block.BaseCount));
                    break;
                case ThreeWayChangeType.OldOnly:
                case ThreeWayChangeType.BothSame:
                    lines.AddRange(Take(diff.PiecesOld, block.OldStart, block.OldCount));
                    break;
                case ThreeWayChangeType.NewOnly:
                    lines.AddRange(Take(diff.PiecesNew, block.NewStart, block.NewCount));
                    break;
                default:
                    conflicts++;
                    lines.Add("<<<<<<< yours");
                    lines.AddRange(Take(diff.PiecesOld, block.OldStart, block.OldCount));
                    lines.Add("=======");
                    lines.AddRange(Take(diff.PiecesNew, block.NewStart, block.NewCount));
                    lines.Add(">>>>>>> " + theirsLabel);
                    break;
            }
        }
        return (string.Join('\n', lines), conflicts);
    }

    private static IEnumerable<string> Take(IReadOnlyList<string> pieces, int start, int count) =>
        Enumerable.Range(start, count).Select(i => pieces[i].TrimEnd('\r', '\n'));
}
