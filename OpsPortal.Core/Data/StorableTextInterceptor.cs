using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OpsPortal.Core.Data;

/// <summary>
/// The one place where text from people becomes storable (<see cref="StorableText.Clean"/>): every
/// command EF sends — SaveChanges of a ticket comment, a wiki body or an incident note, an
/// <c>ExecuteUpdate</c>, a query with a user's filter — has its string and JSON parameters cleaned
/// just before it runs. Pages and endpoints therefore never fail with 22021 on a NUL that was pasted
/// into a form or sent as <c>\u0000</c> in a JSON body (docs/decisions/ADR-022).
/// </summary>
internal sealed class StorableTextInterceptor : DbCommandInterceptor
{
    public static readonly StorableTextInterceptor Instance = new();

    public override InterceptionResult<DbDataReader> ReaderExecuting(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Clean(command);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Clean(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Clean(command);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Clean(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Clean(command);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Clean(command);
        return ValueTask.FromResult(result);
    }

    private static void Clean(DbCommand command)
    {
        foreach (DbParameter parameter in command.Parameters)
        {
            parameter.Value = parameter.Value switch
            {
                string s when !StorableText.IsStorable(s) => StorableText.Clean(s),
                string[] array when !array.All(Storable) => Array.ConvertAll(array, Clean),
                List<string> list when !list.All(Storable) => list.ConvertAll(Clean),
                JsonDocument json when HasEscape(json) => JsonDocument.Parse(CleanJson(JsonNode.Parse(json.RootElement.GetRawText()))?.ToJsonString() ?? "null"),
                var other => other,
            };
        }
    }

    private static bool Storable(string? s) => s is null || StorableText.IsStorable(s);

    private static string Clean(string s) => s is null ? s! : StorableText.Clean(s);

    // A NUL or a lone surrogate can only be in JSON text as a \u escape.
    private static bool HasEscape(JsonDocument json) => json.RootElement.GetRawText().Contains("\\u", StringComparison.Ordinal);

    private static JsonNode? CleanJson(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                var cleaned = new JsonObject();
                foreach (var (name, value) in o.ToList())
                {
                    o.Remove(name);
                    cleaned[StorableText.Clean(name)] = CleanJson(value);
                }
                return cleaned;
            case JsonArray a:
                var items = a.ToList();
                a.Clear();
                return new JsonArray([.. items.Select(CleanJson)]);
            case JsonValue v when v.TryGetValue<string>(out var s):
                return JsonValue.Create(StorableText.Clean(s));
            default:
                return node;
        }
    }
}
