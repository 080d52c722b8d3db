using System.Runtime.CompilerServices;
using Bunit;

namespace OpsPortal.Tests.Web;

internal static class BunitDefaults
{
    // bUnit's WaitFor gives up after 1 s by default. With the whole suite running on 2 cores a component's
    // renders can queue longer than that (MarkdownViewTests saw 31 of 40 views rendered at 1 s, all 40 a
    // moment later), so a check that would pass failed. A wait that passes returns as soon as it passes.
    [ModuleInitializer]
    internal static void WaitLongerOnABusyMachine() => BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(10);
}
