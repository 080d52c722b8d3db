using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using OpsPortal.Core;
using OpsPortal.Web.Hosting;

namespace OpsPortal.Tests.Architecture;

/// <summary>
/// Core types are internal unless Web or another Core feature needs them (docs/conventions.md): a public
/// type is a promise to the rest of the code base, so one that nobody outside its feature folder uses is
/// a mistake the build should catch. Tests, e2e and bench see internals (InternalsVisibleTo).
/// </summary>
public sealed class CoreVisibilityTests
{
    private static readonly Assembly Core = typeof(Refusal).Assembly;
    private static readonly Assembly Web = typeof(OpsPortalHost).Assembly;

    private static readonly Lazy<string[]> SourcesOutsideCore = new(() => [.. Sources("OpsPortal.Web").Select(File.ReadAllText)]);

    /// <summary>Core's sources with their feature folder ("Wiki" for OpsPortal.Core/Wiki/**, "" at Core's top).</summary>
    private static readonly Lazy<(string Folder, string Text)[]> CoreSources = new(() =>
    [
        .. Sources("OpsPortal.Core").Select(f =>
        {
            var parts = Path.GetRelativePath(Path.Combine(RepoRoot(), "OpsPortal.Core"), f).Split(Path.DirectorySeparatorChar);
            return (parts.Length > 1 ? parts[0] : "", File.ReadAllText(f));
        }),
    ]);

    [Fact]
    public void CorePublicTypes_AreUsedOutsideTheirFeatureFolder()
    {
        var usedByWeb = TypesWebReferences();
        var publicTypes = Core.GetTypes().Where(t => t.IsPublic && !IsGenerated(t)).ToList();
        var needed = publicTypes
            .Where(t => usedByWeb.Contains(t.FullName!) || ConstantsNamedOutsideItsFeature(t))
            .Concat(TypesOtherCoreFeaturesUse())
            .ToHashSet();
        ExposedBy(needed);
        var needless = publicTypes
            .Where(t => !needed.Contains(t))
            .Select(t => t.FullName!.Replace("OpsPortal.Core.", "", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(needless.Count == 0,
            "Make these Core types internal: nothing outside their feature folder uses them (docs/conventions.md): " + string.Join(", ", needless));
    }

    [Fact]
    public void CorePublicMethods_AreCalledOutsideTheirFeatureFolder()
    {
        // A needless public method is a promise nobody asked for, and it keeps its parameter types public too.
        var called = MethodsCalledOutsideTheirFeature();
        var needless = new List<string>();
        foreach (var type in Core.GetTypes().Where(t => t.IsVisible && !IsGenerated(t) && !t.IsInterface))
        {
            var name = type.FullName!.Replace("OpsPortal.Core.", "", StringComparison.Ordinal);
            var implementations = type.GetInterfaces().SelectMany(i => type.GetInterfaceMap(i).TargetMethods).ToHashSet();
            needless.AddRange(type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(m => !m.IsSpecialName && !m.IsVirtual && !implementations.Contains(m) && !IsGenerated(m) && !called.Contains(Key(m)))
                .Select(m => $"{name}.{m.Name}({string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name))})"));
        }

        Assert.True(needless.Count == 0,
            "Make these Core methods internal: nothing outside their feature folder calls them (docs/conventions.md): " + string.Join("; ", needless.Order(StringComparer.Ordinal)));
    }

    [Fact]
    public void CoreMethodsTakenAsTokens_ArePublic()
    {
        // Hangfire refuses to run a job whose method is not public (jobs.Create<DeployJob>(j => j.RunAsync(…)) would throw).
        var hidden = Web.GetTypes().Concat(Core.GetTypes()).SelectMany(IlReferences.MethodTokensLoadedBy)
            .Where(m => m.DeclaringType is { } owner && owner.Assembly == Core && !m.IsSpecialName && !(m.IsPublic && owner.IsVisible))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}").Distinct().Order(StringComparer.Ordinal).ToList();

        Assert.True(hidden.Count == 0, "These Core methods are called by reflection (an expression tree, e.g. a Hangfire job) and must be public: " + string.Join(", ", hidden));
    }

    [Fact]
    public void TypesWebReferences_ListsCoreTypesUsedOnlyInsideMethodBodies()
    {
        // The test above is only as good as this: Web's TypeRef table names a Core type a method body uses
        // (Actors.From calls Actor's constructor), and a nested type's outer type.
        var used = TypesWebReferences();
        Assert.Contains(typeof(OpsPortal.Core.Auth.Actor).FullName!, used);
        Assert.Contains(typeof(Refusal).FullName!, used);
        Assert.DoesNotContain(typeof(CoreVisibilityTests).FullName!, used);
    }

    /// <summary>
    /// Adds what the public members of the needed types expose: the compiler keeps those public (a
    /// constructor's parameters above all, since dependency injection calls only public constructors).
    /// To make such a type internal, narrow the member that exposes it.
    /// </summary>
    private static void ExposedBy(HashSet<Type> needed)
    {
        var pending = new Queue<Type>(needed);
        while (pending.TryDequeue(out var type))
        {
            foreach (var exposed in Surface(type).SelectMany(IlReferences.Expand).Select(Outermost).Where(t => t.Assembly == Core && t.IsPublic))
            {
                if (needed.Add(exposed))
                {
                    pending.Enqueue(exposed);
                }
            }
        }
    }

    /// <summary>The types a type's public and protected members name, its nested public types' included.</summary>
    private static IEnumerable<Type> Surface(Type type)
    {
        const BindingFlags Visible = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var types = new List<Type?> { type.BaseType };
        types.AddRange(type.GetInterfaces());
        types.AddRange(type.GetFields(Visible).Where(f => f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly).Select(f => f.FieldType));
        foreach (var method in type.GetMethods(Visible).Cast<MethodBase>().Concat(type.GetConstructors(Visible))
                     .Where(m => m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly))
        {
            types.AddRange(method.GetParameters().Select(p => p.ParameterType));
            types.Add((method as MethodInfo)?.ReturnType);
        }
        types.AddRange(type.GetNestedTypes(BindingFlags.Public).SelectMany(Surface));
        return types.OfType<Type>();
    }

    /// <summary>
    /// Full names of the top-level Core types OpsPortal.Web.dll refers to: every type a signature, an
    /// attribute or a method body of Web names is a row of its TypeRef table (a nested type's row points
    /// at its outer type's row, which is there too).
    /// </summary>
    private static HashSet<string> TypesWebReferences()
    {
        using var stream = File.OpenRead(Web.Location);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var handle in reader.TypeReferences)
        {
            var reference = reader.GetTypeReference(handle);
            if (reference.ResolutionScope.Kind == HandleKind.AssemblyReference
                && reader.GetString(reader.GetAssemblyReference((AssemblyReferenceHandle)reference.ResolutionScope).Name) == Core.GetName().Name)
            {
                used.Add($"{reader.GetString(reference.Namespace)}.{reader.GetString(reference.Name)}");
            }
        }
        return used;
    }

    /// <summary>
    /// Core methods that Web's code or another Core feature folder's code calls (generic ones by their definition),
    /// and those any code takes as a token for reflection: Hangfire runs a job's method only when it is public.
    /// </summary>
    private static HashSet<(Module, int)> MethodsCalledOutsideTheirFeature()
    {
        var called = new HashSet<(Module, int)>();
        foreach (var type in Web.GetTypes().Concat(Core.GetTypes()))
        {
            called.UnionWith(IlReferences.MethodTokensLoadedBy(type).Select(Key));
            foreach (var method in IlReferences.MembersUsedBy(type).OfType<MethodBase>()
                         .Where(m => m.DeclaringType is { } owner && owner.Assembly == Core && (type.Assembly == Web || Folder(Outermost(owner)) != Folder(Outermost(type)))))
            {
                called.Add(Key(method));
            }
        }
        return called;
    }

    private static (Module, int) Key(MethodBase method) =>
        (method is MethodInfo { IsGenericMethod: true } generic ? generic.GetGenericMethodDefinition() : method) is var m ? (m.Module, m.MetadataToken) : default;

    /// <summary>Top-level Core types that a type of another Core feature folder uses (signatures and IL).</summary>
    private static HashSet<Type> TypesOtherCoreFeaturesUse()
    {
        var used = new HashSet<Type>();
        foreach (var type in Core.GetTypes())
        {
            foreach (var other in IlReferences.Of(type).Select(Outermost).Where(u => u.Assembly == Core && Folder(u) != Folder(type)))
            {
                used.Add(other);
            }
        }
        return used;
    }

    /// <summary>
    /// A constant is copied into the code that reads it, so no compiled reference shows who uses
    /// <c>Roles.Admin</c> or an event kind; for a type declaring public constants, the sources of Web
    /// and of the other Core feature folders are read for <c>TypeName.</c>.
    /// </summary>
    private static bool ConstantsNamedOutsideItsFeature(Type type)
    {
        if (!type.GetFields(BindingFlags.Public | BindingFlags.Static).Any(f => f.IsLiteral))
        {
            return false;
        }
        var named = new Regex($@"\b{Regex.Escape(type.Name)}\.", RegexOptions.CultureInvariant);
        var folder = Folder(type);
        return SourcesOutsideCore.Value.Concat(CoreSources.Value.Where(s => s.Folder != folder).Select(s => s.Text)).Any(named.IsMatch);
    }

    private static IEnumerable<string> Sources(string project) =>
        Directory.EnumerateFiles(Path.Combine(RepoRoot(), project), "*.*", SearchOption.AllDirectories)
            .Where(f => (f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OpsPortal.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("OpsPortal.sln not found above the test binaries.");
    }

    /// <summary>"Wiki" for OpsPortal.Core.Wiki.Search.*, "" for OpsPortal.Core itself.</summary>
    private static string Folder(Type type) => type.Namespace?.Split('.') is { Length: > 2 } parts ? parts[2] : "";

    private static Type Outermost(Type type) => type.DeclaringType is { } outer ? Outermost(outer) : type;

    /// <summary>EF migrations are generated code (dotnet ef writes them public); records' and lambdas' helpers are the compiler's.</summary>
    private static bool IsGenerated(Type type) =>
        type.IsDefined(typeof(CompilerGeneratedAttribute)) || type.Namespace == "OpsPortal.Core.Data.Migrations";

    /// <summary>Records' <c>Deconstruct</c>, <c>&lt;Clone&gt;$</c> and equality operators are the compiler's.</summary>
    private static bool IsGenerated(MethodInfo method) =>
        method.IsDefined(typeof(CompilerGeneratedAttribute)) || method.Name is "Deconstruct" or "<Clone>$" or "Equals" or "GetHashCode" or "ToString";
}
