using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core;
using OpsPortal.Core.Data;
using OpsPortal.Web.Features.Auth;
using OpsPortal.Web.Hosting;

namespace OpsPortal.Tests.Architecture;

/// <summary>
/// The parts of docs/conventions.md that a build can check: lifetimes, what components inject, one
/// refusal type, one event-kind convention, time through TimeProvider, and the allowed references
/// between Core features. Each test names the rule it guards in its failure message.
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly Assembly Core = typeof(Refusal).Assembly;
    private static readonly Assembly Web = typeof(OpsPortalHost).Assembly;
    private static readonly Type[] CoreTypes = Core.GetTypes();
    private static readonly Type[] OurTypes = [.. CoreTypes, .. Web.GetTypes()];
    private static readonly Lazy<IServiceCollection> AppServices = new(RegisteredServices);

    /// <summary>Scoped on purpose (ADR-001): ASP.NET Identity's managers and what the circuit itself is.</summary>
    private static readonly HashSet<Type> ScopedByDesign =
    [
        typeof(Core.Auth.UserAdminService), // over Identity's scoped UserManager; pages reach it through ActingUser.RunScopedAsync
        typeof(ActingUser), // who acts in this circuit
        typeof(OpsPortal.Web.Common.CircuitPresence), // whether this circuit has a browser attached
        typeof(RevalidatingAuthStateProvider), // the circuit's authentication state
        typeof(OpsSignInManager), // Identity's SignInManager, scoped by its design
        typeof(OpsDbContext), // for Identity's stores and the CLI verbs; feature code uses IDbContextFactory
    ];

    /// <summary>Known exceptions to a rule, each with the reason it stands; remove the line when the reason goes.</summary>
    private static readonly HashSet<string> ErrorTuplesStill =
    [
        // Owned by the ingest branch (HTTP ingest, ADR-023), in flight while this test landed.
        "Web.Features.Logs.Ingest.LogsIngestEndpoints.ResolveSourceAsync",
    ];

    /// <summary>Core features that any feature may use: the spine.</summary>
    private static readonly HashSet<string> Spine = ["", "Common", "Data", "Events", "Auth", "Markdown", "Processes"];

    /// <summary>
    /// Reads of another feature's tables that are known and accepted for now (docs/architecture.md), each with its
    /// reason. Empty since Verification reads deploys through <c>DeployQueries</c>; keep it that way.
    /// </summary>
    private static readonly HashSet<(string From, string Owner)> TableReadsByDesign = [];

    /// <summary>
    /// Which other features a Core feature may use (besides the spine). Data (the model) and Demo (seeds all) may use any.
    /// Naming another feature's event kinds (its <c>XxxEventKinds</c> constants, compiled in) is listening on the spine,
    /// not using that feature: Subscriptions hears incident events without an entry for Incidents.
    /// </summary>
    private static readonly Dictionary<string, string[]> AllowedFeatureReferences = new()
    {
        ["Alerts"] = ["Incidents", "Logs", "Notifications", "OnCall", "Services", "Tickets"],
        ["Backups"] = [],
        ["Dashboards"] = ["Alerts", "Deploys", "Incidents", "Logs", "Metrics", "Services"],
        ["Deploys"] = ["Logs", "Tickets"],
        ["Incidents"] = ["Deploys", "Logs", "Notifications", "OnCall", "Services", "Tickets", "Wiki"],
        ["Logs"] = [],
        ["Metrics"] = [],
        ["Notifications"] = [],
        ["OnCall"] = ["Notifications", "Services", "Subscriptions"],
        ["Services"] = ["Deploys", "Logs", "Wiki"],
        ["Subscriptions"] = ["Deploys", "Notifications", "Services", "Tickets", "Wiki"],
        ["Tickets"] = [],
        ["Verification"] = ["Deploys", "Logs", "Services"],
        ["Wiki"] = [],
    };

    [Fact]
    public void RegisteredServices_OurScopedOnes_AreOnlyThoseScopedByDesign()
    {
        var scoped = AppServices.Value
            .Where(d => d.Lifetime == ServiceLifetime.Scoped && (IsOurs(d.ServiceType) || IsOurs(d.ImplementationType)))
            .Select(d => d.ImplementationType ?? d.ServiceType)
            .Where(t => !ScopedByDesign.Contains(t))
            .Select(Name)
            .ToList();

        Assert.True(scoped.Count == 0,
            "Feature services are singletons over IDbContextFactory<OpsDbContext> (ADR-001); registered scoped: " + string.Join(", ", scoped));
    }

    [Fact]
    public void RegisteredServices_SingletonsAndTransients_DependOnNoScopedService()
    {
        var lifetimes = Lifetimes();
        var captive = AppServices.Value
            .Where(d => d.Lifetime != ServiceLifetime.Scoped && IsOurs(d.ImplementationType))
            // An authentication handler is made per request, in the request's scope.
            .Where(d => !IsAuthenticationHandler(d.ImplementationType!))
            .SelectMany(d => d.ImplementationType!.GetConstructors()
                .SelectMany(c => c.GetParameters())
                .Where(p => Scoped(lifetimes, p.ParameterType))
                .Select(p => $"{Name(d.ImplementationType)} takes {Name(p.ParameterType)}"))
            .Distinct()
            .ToList();

        Assert.True(captive.Count == 0,
            "A singleton (or a transient a page keeps for hours) must not hold a scoped service such as OpsDbContext: " + string.Join("; ", captive));
    }

    [Fact]
    public void Components_InjectNoScopedManagerNorScopeFactory()
    {
        var lifetimes = Lifetimes();
        var wrong = new List<string>();
        foreach (var component in Web.GetTypes().Where(t => typeof(ComponentBase).IsAssignableFrom(t)))
        {
            // A page left out of interactive routing renders once per request, in the request's scope.
            var perRequest = component.GetCustomAttribute<ExcludeFromInteractiveRoutingAttribute>() is not null;
            foreach (var property in component.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                         .Where(p => p.GetCustomAttribute<InjectAttribute>() is not null))
            {
                var type = property.PropertyType;
                var scopedManager = Scoped(lifetimes, type)
                    && !ScopedByDesign.Contains(type)
                    && (IsOurs(type) || type.Namespace?.StartsWith("Microsoft.AspNetCore.Identity", StringComparison.Ordinal) == true);
                var scopes = type == typeof(IServiceScopeFactory) || type == typeof(IServiceProvider) || type == typeof(OpsDbContext);
                if (scopes || (scopedManager && !perRequest))
                {
                    wrong.Add($"{Name(component)} injects {Name(type)}");
                }
            }
        }

        Assert.True(wrong.Count == 0,
            "Components inject singleton feature services and ActingUser; a scoped manager lives as long as the circuit (ADR-001): " + string.Join("; ", wrong));
    }

    [Fact]
    public void Refusals_OneTypeAndOneKind()
    {
        var second = OurTypes
            .Where(t => !t.IsDefined(typeof(CompilerGeneratedAttribute)))
            .Where(t => (t.IsEnum && t.Name.Contains("Refusal", StringComparison.Ordinal) && t != typeof(RefusalKind))
                || (!IsStatic(t) && t != typeof(Refusal) && (t.Name.EndsWith("Refusal", StringComparison.Ordinal) || t.Name.EndsWith("Refused", StringComparison.Ordinal)))
                || (typeof(Exception).IsAssignableFrom(t) && t.Name.Contains("Refus", StringComparison.Ordinal)))
            .Select(Name)
            .ToList();

        Assert.True(second.Count == 0, "A refusal is Core's Refusal(kind, title, detail) in a Result; found another shape: " + string.Join(", ", second));
    }

    [Fact]
    public void Methods_ReturnNoErrorTuples()
    {
        var tuples = OurTypes
            .SelectMany(t => t.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Where(m => m.ReturnParameter.GetCustomAttribute<TupleElementNamesAttribute>()?.TransformNames
                .Any(n => n is not null && (n.Contains("error", StringComparison.OrdinalIgnoreCase) || n.Equals("Refusal", StringComparison.Ordinal))) == true)
            .Select(m => $"{Name(m.DeclaringType!)}.{m.Name}")
            .Where(m => !ErrorTuplesStill.Contains(m))
            .ToList();

        Assert.True(tuples.Count == 0, "Say no with Result<T>, not a (value, error) tuple: " + string.Join(", ", tuples));
    }

    [Fact]
    public void EventKinds_OneClassPerFeature_DottedAndUnique()
    {
        var classes = CoreTypes.Where(t => t.Name.EndsWith("EventKinds", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(classes);
        var problems = new List<string>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var kinds in classes)
        {
            var feature = Feature(kinds);
            if (!IsStatic(kinds) || feature is null or "" || kinds.Name == "EventKinds" || kinds.Namespace!.Count(c => c == '.') != 2)
            {
                problems.Add($"{Name(kinds)} is not a static XxxEventKinds in its feature's namespace");
            }
            var constants = kinds.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).ToList();
            foreach (var field in constants.Where(f => !f.Name.EndsWith("Subject", StringComparison.Ordinal) && !f.Name.EndsWith("SubjectType", StringComparison.Ordinal)))
            {
                var kind = (string)field.GetRawConstantValue()!;
                if (!System.Text.RegularExpressions.Regex.IsMatch(kind, "^[a-z_]+\\.[a-z_]+\\z"))
                {
                    problems.Add($"{kinds.Name}.{field.Name} = \"{kind}\" is not \"feature.verb_past\"");
                }
                if (!seen.TryAdd(kind, $"{kinds.Name}.{field.Name}"))
                {
                    problems.Add($"\"{kind}\" is declared by {seen[kind]} and {kinds.Name}.{field.Name}");
                }
            }
        }

        Assert.True(problems.Count == 0, "Event kinds live in the feature's XxxEventKinds (docs/conventions.md): " + string.Join("; ", problems));
    }

    [Fact]
    public void CoreAndWeb_ReadTheClockOnlyThroughTimeProvider()
    {
        string[] clocks = ["get_UtcNow", "get_Now", "get_Today"];
        var direct = OurTypes
            .SelectMany(t => IlReferences.MembersUsedBy(t).Select(m => (Type: t, Member: m)))
            .Where(x => x.Member is MethodInfo { DeclaringType: var d } m && (d == typeof(DateTime) || d == typeof(DateTimeOffset)) && clocks.Contains(m.Name))
            .Select(x => $"{Name(x.Type)} reads {x.Member.DeclaringType!.Name}.{x.Member.Name[4..]}")
            .Distinct()
            .ToList();

        Assert.True(direct.Count == 0, "Inject TimeProvider so tests can move time (docs/conventions.md): " + string.Join("; ", direct));
    }

    [Fact]
    public void CoreFeatures_ReferenceOnlyTheSpineAndAllowedFeatures()
    {
        var wrong = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in CoreTypes)
        {
            var from = Feature(type);
            if (from is null || Spine.Contains(from) || from is "Data" or "Demo")
            {
                continue;
            }
            Assert.True(AllowedFeatureReferences.ContainsKey(from), $"Core feature {from} is new: add it to AllowedFeatureReferences with the features it may use.");
            foreach (var used in IlReferences.Of(type))
            {
                var to = Feature(used);
                if (to is not null && to != from && !Spine.Contains(to) && !AllowedFeatureReferences[from].Contains(to))
                {
                    wrong.Add($"{from} → {to} ({Name(Outermost(type))} uses {Name(used)})");
                }
            }
        }

        Assert.True(wrong.Count == 0, "A Core feature uses a feature it may not (docs/architecture.md): " + string.Join("; ", wrong));
    }

    [Fact]
    public void CoreFeatures_ReferenceEachOtherOneWayOnly()
    {
        // Features that use each other, directly or around a loop (Tickets → Services → Deploys → Tickets), are one
        // feature in several folders: none can be understood, tested or changed alone. (The reference test above
        // holds the code to this table.)
        var cycles = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var start in AllowedFeatureReferences.Keys)
        {
            FindCycles(start, [start], cycles);
        }

        Assert.True(cycles.Count == 0, "Core features that use each other (break the cycle: an interface in the spine, or move the shared piece): " + string.Join("; ", cycles));
    }

    /// <summary>Walks the allowed references from the last feature of <paramref name="path"/>; a walk back to its first is a cycle, named once (from its smallest feature).</summary>
    private static void FindCycles(string start, List<string> path, SortedSet<string> cycles)
    {
        foreach (var next in AllowedFeatureReferences.GetValueOrDefault(path[^1], []))
        {
            if (next == start && path.Min(StringComparer.Ordinal) == start)
            {
                cycles.Add(string.Join(" → ", path.Append(start)));
            }
            else if (!path.Contains(next))
            {
                FindCycles(start, [.. path, next], cycles);
            }
        }
    }

    [Fact]
    public void CoreFeatures_QueryNoOtherFeaturesTables()
    {
        var entities = EntityTypes();
        var wrong = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in CoreTypes)
        {
            var from = Feature(type);
            if (from is null || from is "Data" or "Demo")
            {
                continue;
            }
            // db.WikiPages and db.Set<WikiPage>() both hand out a DbSet<WikiPage>; an entity a service returns is fine.
            foreach (var entity in IlReferences.MembersUsedBy(type).OfType<MethodInfo>()
                         .Where(m => m.ReturnType is { IsGenericType: true } r && r.GetGenericTypeDefinition() == typeof(DbSet<>))
                         .Select(m => m.ReturnType.GetGenericArguments()[0])
                         .Where(entities.Contains))
            {
                var owner = Feature(entity);
                if (owner != from && owner is not ("Auth" or "Events") && !TableReadsByDesign.Contains((from, owner!)))
                {
                    wrong.Add($"{Name(Outermost(type))} ({from}) queries {owner}'s table of {entity.Name}");
                }
            }
        }

        Assert.True(wrong.Count == 0,
            "A feature queries its own tables; another feature's data comes through that feature's service or hook: " + string.Join("; ", wrong));
    }

    [Fact]
    public void IlReferences_SeeAGenericMethodCallInABody()
    {
        // The walks above are only as good as this: a Set<T>() call inside a method body is seen.
        Assert.Contains(typeof(OpsPortal.Core.Wiki.WikiPage), IlReferences.Of(typeof(Probe)));
        Assert.Contains(IlReferences.MembersUsedBy(typeof(Probe)),
            m => m is MethodInfo { Name: "Set" } set && set.ReturnType == typeof(DbSet<OpsPortal.Core.Wiki.WikiPage>));
        Assert.Contains(IlReferences.MembersUsedBy(typeof(Probe)), m => m is MethodInfo { Name: "get_UtcNow" } now && now.DeclaringType == typeof(DateTime));
    }

    private static class Probe
    {
        public static object Touch(OpsDbContext db) => db.Set<OpsPortal.Core.Wiki.WikiPage>();

        public static DateTime Now() => DateTime.UtcNow;
    }

    private static IServiceCollection RegisteredServices()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration["OPSPORTAL_DATABASE"] = "Host=127.0.0.1;Port=1;Username=nobody;Password=none;Database=none";
        builder.Configuration["OpsPortal:RunJobs"] = "false";
        builder.AddOpsPortal();
        return builder.Services;
    }

    private static Dictionary<Type, ServiceLifetime> Lifetimes()
    {
        var lifetimes = new Dictionary<Type, ServiceLifetime>();
        foreach (var d in AppServices.Value)
        {
            lifetimes[d.ServiceType] = d.Lifetime;
            if (d.ImplementationType is { } impl)
            {
                lifetimes.TryAdd(impl, d.Lifetime);
            }
        }
        return lifetimes;
    }

    private static HashSet<Type> EntityTypes()
    {
        using var db = new OpsDbContext(new DbContextOptionsBuilder<OpsDbContext>().UseNpgsql("Host=127.0.0.1;Port=1").Options);
        return [.. db.Model.GetEntityTypes().Select(e => e.ClrType).Where(t => t.Assembly == Core)];
    }

    /// <summary>Registered scoped, as itself (UserManager&lt;AppUser&gt;) or as an open generic.</summary>
    private static bool Scoped(Dictionary<Type, ServiceLifetime> lifetimes, Type type) =>
        (lifetimes.TryGetValue(type, out var lifetime) || (type.IsGenericType && lifetimes.TryGetValue(type.GetGenericTypeDefinition(), out lifetime)))
        && lifetime == ServiceLifetime.Scoped;

    private static bool IsOurs(Type? type) => type is not null && (type.Assembly == Core || type.Assembly == Web);

    private static bool IsAuthenticationHandler(Type type) =>
        type.BaseType is { } b && (b.IsGenericType && b.GetGenericTypeDefinition() == typeof(Microsoft.AspNetCore.Authentication.AuthenticationHandler<>)
            || IsAuthenticationHandler(b));

    private static bool IsStatic(Type type) => type.IsAbstract && type.IsSealed;

    private static Type Outermost(Type type) => type.DeclaringType is { } outer ? Outermost(outer) : type;

    /// <summary>"Wiki" for OpsPortal.Core.Wiki.*, "" for OpsPortal.Core itself, null outside Core.</summary>
    private static string? Feature(Type type)
    {
        if (type.Assembly != Core || type.Namespace is not { } ns || !ns.StartsWith("OpsPortal.Core", StringComparison.Ordinal))
        {
            return null;
        }
        var parts = ns.Split('.');
        return parts.Length > 2 ? parts[2] : "";
    }

    private static string Name(Type? type) => type is null ? "?" : type.FullName?.Replace("OpsPortal.", "", StringComparison.Ordinal) ?? type.Name;
}
