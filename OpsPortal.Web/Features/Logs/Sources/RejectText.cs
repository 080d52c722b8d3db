using System.Text.RegularExpressions;

namespace OpsPortal.Web.Features.Logs.Sources;

/// <summary>What a Viewer sees of a reject's reason: the reason, without the piece of the line it quotes.</summary>
public static partial class RejectText
{
    /// <summary>
    /// "bad $status 'root:x:0:0'" becomes "bad $status '…'" (the value is the line's, FieldDecoder.Bad); the
    /// parser's other reasons quote only the format ("expected '\"' at column 9") and stay as they are.
    /// </summary>
    public static string ForViewer(string reason) => BadValue().Replace(reason, "$1'…'");

    [GeneratedRegex("^(bad [^ ]+ )'.*'$", RegexOptions.Singleline)]
    private static partial Regex BadValue();
}
