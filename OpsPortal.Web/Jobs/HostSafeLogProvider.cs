using Hangfire.Logging;
using LogLevel = Hangfire.Logging.LogLevel;

namespace OpsPortal.Web.Jobs;

/// <summary>
/// Hangfire logs through one process-wide provider, and each app host that starts replaces it with
/// its own logger factory. With several hosts in one process (the test suite), a host that stopped
/// leaves the others logging into its disposed factory, and Hangfire calls that throw turn into 500s.
/// This provider goes quiet instead of throwing once its factory is gone. One host per process (a
/// real deployment) never sees the difference.
/// </summary>
internal sealed class HostSafeLogProvider(ILoggerFactory factory) : ILogProvider
{
    private readonly Hangfire.AspNetCore.AspNetCoreLogProvider _inner = new(factory);

    public ILog GetLogger(string name) => new SafeLog(_inner, name);

    private sealed class SafeLog(ILogProvider provider, string name) : ILog
    {
        private ILog? _log;
        private bool _disposed;

        public bool Log(LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            if (_disposed)
            {
                return false;
            }
            try
            {
                _log ??= provider.GetLogger(name);
                return _log.Log(logLevel, messageFunc, exception);
            }
            catch (ObjectDisposedException)
            {
                _disposed = true;
                return false;
            }
        }
    }
}
