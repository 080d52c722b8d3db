using System.Text;

namespace OpsPortal.Core.Logs.Parsing;

/// <summary>Turns an nginx <c>log_format</c> string into a literal prefix and a list of variable segments.</summary>
internal static class LogFormatCompiler
{
    public static (byte[] Prefix, LogSegment[] Segments) Compile(string format, bool ignoreUnknownVariables)
    {
        ArgumentNullException.ThrowIfNull(format);
        if (string.IsNullOrWhiteSpace(format))
        {
            throw new LogFormatException("The log format is empty.");
        }

        var literals = new List<string>();
        var variables = new List<(LogVariable Variable, string Name, int Position)>();
        var literal = new StringBuilder();
        var i = 0;
        while (i < format.Length)
        {
            if (format[i] != '$')
            {
                literal.Append(format[i++]);
                continue;
            }

            var start = i;
            var name = ReadVariableName(format, ref i);
            if (variables.Count > 0 && literal.Length == 0)
            {
                var previous = variables[^1].Name;
                throw new LogFormatException(
                    $"${previous} and ${name} at position {start + 1} have no text between them, so a line cannot be split between the two.");
            }

            literals.Add(literal.ToString());
            literal.Clear();
            variables.Add((Resolve(name, start, ignoreUnknownVariables), name, start));
        }

        literals.Add(literal.ToString());
        if (variables.Count == 0)
        {
            throw new LogFormatException("The log format has no variables: it must contain at least one, such as $remote_addr.");
        }

        var segments = new LogSegment[variables.Count];
        for (var v = 0; v < variables.Count; v++)
        {
            var quoted = literals[v].EndsWith('"') && literals[v + 1].StartsWith('"');
            var variable = DemoteDuplicateSource(variables[v].Variable, variables);
            segments[v] = new LogSegment(variable, variables[v].Name, Encoding.UTF8.GetBytes(literals[v + 1]), quoted);
        }

        return (Encoding.UTF8.GetBytes(literals[0]), segments);
    }

    private static string ReadVariableName(string format, ref int i)
    {
        var start = i;
        i++;
        if (i < format.Length && format[i] == '{')
        {
            var close = format.IndexOf('}', i);
            if (close < 0)
            {
                throw new LogFormatException($"'${{' at position {start + 1} has no closing '}}'.");
            }

            var braced = format[(i + 1)..close];
            if (braced.Length == 0 || !braced.All(IsNameChar))
            {
                throw new LogFormatException($"'${{{braced}}}' at position {start + 1} is not a variable name.");
            }

            i = close + 1;
            return braced;
        }

        var nameStart = i;
        while (i < format.Length && IsNameChar(format[i]))
        {
            i++;
        }

        if (i == nameStart)
        {
            throw new LogFormatException($"'$' at position {start + 1} is not followed by a variable name.");
        }

        return format[nameStart..i];
    }

    private static LogVariable Resolve(string name, int position, bool ignoreUnknownVariables)
    {
        if (LogVariables.ByName.TryGetValue(name, out var variable))
        {
            return variable;
        }

        if (ignoreUnknownVariables)
        {
            return LogVariable.Skip;
        }

        throw new LogFormatException(
            $"Unknown variable ${name} at position {position + 1}. Supported: {LogVariables.SupportedList}.");
    }

    // Two variables feeding one column must not fight over it: $body_bytes_sent is the size
    // combined logs report, and $host is what nginx derives from the request (falling back to
    // $server_name), so those win and the other source is only matched.
    private static LogVariable DemoteDuplicateSource(
        LogVariable variable, List<(LogVariable Variable, string Name, int Position)> all) => variable switch
        {
            LogVariable.BytesSent when all.Exists(v => v.Variable == LogVariable.BodyBytesSent) => LogVariable.Skip,
            LogVariable.ServerName when all.Exists(v => v.Variable == LogVariable.Host) => LogVariable.Skip,
            _ => variable,
        };

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
