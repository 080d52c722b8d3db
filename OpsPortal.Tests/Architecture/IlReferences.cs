using System.Reflection;
using System.Reflection.Emit;

namespace OpsPortal.Tests.Architecture;

/// <summary>
/// The types a compiled type refers to: its signatures and the operands of its method bodies' IL,
/// so <c>db.Set&lt;WikiPage&gt;()</c> inside a method counts as much as a field of that type.
/// </summary>
internal static class IlReferences
{
    private const BindingFlags Declared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    public static IEnumerable<Type> Of(Type type)
    {
        var direct = new List<Type?> { type.BaseType };
        direct.AddRange(type.GetInterfaces());
        direct.AddRange(type.GetFields(Declared).Select(f => f.FieldType));
        direct.AddRange(type.GetProperties(Declared).Select(p => p.PropertyType));
        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            direct.AddRange(method.GetParameters().Select(p => p.ParameterType));
            if (method is MethodInfo info)
            {
                direct.Add(info.ReturnType);
            }
            direct.AddRange(InBody(method));
        }
        return direct.OfType<Type>().SelectMany(Expand).Distinct();
    }

    public static IEnumerable<Type> Expand(Type type)
    {
        if (type.IsGenericParameter)
        {
            yield break;
        }
        if (type.HasElementType)
        {
            foreach (var inner in Expand(type.GetElementType()!))
            {
                yield return inner;
            }
            yield break;
        }
        if (type.IsGenericType)
        {
            yield return type.GetGenericTypeDefinition();
            foreach (var inner in type.GetGenericArguments().SelectMany(Expand))
            {
                yield return inner;
            }
            yield break;
        }
        yield return type;
    }

    /// <summary>The methods and fields a type's method bodies call or load (e.g. <c>DateTime.get_UtcNow</c>).</summary>
    public static IEnumerable<MemberInfo> MembersUsedBy(Type type) =>
        type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)).SelectMany(m => Operands(m)).Where(m => m is not Type);

    /// <summary>
    /// The methods a type's method bodies load as a token (<c>ldtoken</c>): an expression tree such as Hangfire's
    /// <c>jobs.Create&lt;DeployJob&gt;(j =&gt; j.RunAsync(…))</c>, so the method is called later by reflection.
    /// </summary>
    public static IEnumerable<MethodBase> MethodTokensLoadedBy(Type type) =>
        type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared))
            .SelectMany(m => Operands(m, OperandType.InlineTok)).OfType<MethodBase>();

    private static IEnumerable<Type> InBody(MethodBase method)
    {
        foreach (var local in method.GetMethodBody()?.LocalVariables ?? [])
        {
            yield return local.LocalType;
        }
        foreach (var member in Operands(method))
        {
            foreach (var type in TypesOf(member))
            {
                yield return type;
            }
        }
    }

    private static IEnumerable<MemberInfo> Operands(MethodBase method, OperandType? only = null)
    {
        var body = method.GetMethodBody();
        if (body is null)
        {
            yield break;
        }
        var il = body.GetILAsByteArray() ?? [];
        var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var i = 0;
        while (i < il.Length)
        {
            var op = il[i] == 0xFE ? OpCodesByValue[unchecked((short)(0xFE00 | il[i + 1]))] : OpCodesByValue[il[i]];
            i += op.Size;
            switch (op.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    if ((only is null || op.OperandType == only) && Resolve(method.Module, BitConverter.ToInt32(il, i), typeArgs, methodArgs) is { } member)
                    {
                        yield return member;
                    }
                    i += 4;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + (4 * BitConverter.ToInt32(il, i));
                    break;
                default:
                    i += OperandSize(op.OperandType);
                    break;
            }
        }
    }

    private static int OperandSize(OperandType operand) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4,
    };

    private static MemberInfo? Resolve(Module module, int token, Type[]? typeArgs, Type[]? methodArgs)
    {
        try
        {
            return module.ResolveMember(token, typeArgs, methodArgs);
        }
        catch (Exception ex) when (ex is ArgumentException or MissingMemberException or TypeLoadException or BadImageFormatException)
        {
            return null; // a token of a generic context this walk does not reconstruct
        }
    }

    private static IEnumerable<Type> TypesOf(MemberInfo member)
    {
        switch (member)
        {
            case Type t:
                yield return t;
                break;
            case FieldInfo f:
                yield return f.DeclaringType!;
                yield return f.FieldType;
                break;
            case MethodBase m:
                yield return m.DeclaringType!;
                if (m is MethodInfo info)
                {
                    yield return info.ReturnType;
                    foreach (var arg in info.IsGenericMethod ? info.GetGenericArguments() : [])
                    {
                        yield return arg;
                    }
                }
                break;
        }
    }
}
