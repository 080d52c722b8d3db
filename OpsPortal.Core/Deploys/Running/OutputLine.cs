namespace OpsPortal.Core.Deploys.Running;

/// <summary>One line as read from the script, before masking and numbering.</summary>
internal readonly record struct OutputLine(DateTimeOffset At, bool IsError, string Text);
