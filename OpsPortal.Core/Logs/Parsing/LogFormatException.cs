namespace OpsPortal.Core.Logs.Parsing;

/// <summary>An nginx <c>log_format</c> string that cannot be compiled; the message names the variable and position.</summary>
internal sealed class LogFormatException : Exception
{
    public LogFormatException()
    {
    }

    public LogFormatException(string message)
        : base(message)
    {
    }

    public LogFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
