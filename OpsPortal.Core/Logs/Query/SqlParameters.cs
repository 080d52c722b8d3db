using Npgsql;
using NpgsqlTypes;

namespace OpsPortal.Core.Logs.Query;

/// <summary>Positional parameters (<c>$1</c>, <c>$2</c> …): every value of a query travels here, never in the SQL text.</summary>
public sealed class SqlParameters
{
    private readonly List<NpgsqlParameter> items = [];

    public IReadOnlyList<NpgsqlParameter> Items => items;

    /// <summary>Adds a value and returns its placeholder. A NUL in text is searched for as the <c>\x00</c> stored for it.</summary>
    public string Add(object value, NpgsqlDbType? type = null)
    {
        var parameter = new NpgsqlParameter { Value = value is string s ? StorableText.Escape(s) : value };
        if (type is { } t)
        {
            parameter.NpgsqlDbType = t;
        }
        items.Add(parameter);
        return "$" + items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    internal void CopyTo(NpgsqlCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        CopyTo(command.Parameters);
    }

    internal void CopyTo(NpgsqlParameterCollection parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var p in items)
        {
            parameters.Add(p.Clone());
        }
    }
}
