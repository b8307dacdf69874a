using System.Reflection;
using System.Reflection.Emit;

namespace Analytics.Host.Tests.Architecture;

/// <summary>
/// Which namespaces (folders) of one assembly use which others: every type's base type, interfaces, attributes,
/// fields, properties, method signatures and the types, methods and fields its method bodies touch (read from the
/// IL), so a reference written anywhere in the code counts, qualified or not.
/// </summary>
public static class NamespaceDependencies
{
    private const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value, o => o.OperandType);

    /// <summary>Edges "from -> to" between distinct folders (namespaces) of <paramref name="assembly"/>, each with one use that makes it.</summary>
    /// <param name="assembly">The assembly.</param>
    /// <param name="folderOf">The folder a namespace counts as (e.g. its first level below the root).</param>
    public static Dictionary<(string From, string To), string> Of(Assembly assembly, Func<string, string> folderOf)
    {
        var edges = new Dictionary<(string, string), string>();
        foreach (var (type, used) in Uses(assembly))
        {
            if (used.Assembly == assembly && used.Namespace is { } to && folderOf(to) != folderOf(type.Namespace ?? ""))
            {
                edges.TryAdd((folderOf(type.Namespace ?? ""), folderOf(to)), $"{type.FullName} uses {used.FullName}");
            }
        }
        return edges;
    }

    /// <summary>Every namespace, of any assembly, that <paramref name="assembly"/> uses, each with one type that makes it.</summary>
    public static Dictionary<string, string> UsedNamespaces(Assembly assembly)
    {
        var used = new Dictionary<string, string>();
        foreach (var (type, target) in Uses(assembly))
        {
            used.TryAdd(target.Namespace ?? "", $"{type.FullName} uses {target.FullName}");
        }
        return used;
    }

    private static IEnumerable<(Type Type, Type Used)> Uses(Assembly assembly) =>
        assembly.GetTypes().SelectMany(type => Referenced(type).Select(used => (type, used)));

    private static List<Type> Referenced(Type type)
    {
        var found = new List<Type>();
        void Add(Type? t)
        {
            if (t is null)
            {
                return;
            }
            if (t.HasElementType)
            {
                Add(t.GetElementType());
                return;
            }
            if (t.IsGenericType && !t.IsGenericTypeDefinition)
            {
                Add(t.GetGenericTypeDefinition());
                foreach (var argument in t.GetGenericArguments())
                {
                    Add(argument);
                }
                return;
            }
            if (!t.IsGenericParameter)
            {
                found.Add(t);
            }
        }
        void Attributes(IEnumerable<CustomAttributeData> attributes)
        {
            foreach (var attribute in attributes)
            {
                Add(attribute.AttributeType);
            }
        }

        Add(type.BaseType);
        foreach (var i in type.GetInterfaces())
        {
            Add(i);
        }
        Attributes(type.CustomAttributes);
        foreach (var field in type.GetFields(Everything))
        {
            Add(field.FieldType);
            Attributes(field.CustomAttributes);
        }
        foreach (var property in type.GetProperties(Everything))
        {
            Add(property.PropertyType);
        }
        foreach (var method in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
        {
            if (method is MethodInfo info)
            {
                Add(info.ReturnType);
            }
            foreach (var parameter in method.GetParameters())
            {
                Add(parameter.ParameterType);
            }
            Attributes(method.CustomAttributes);
            foreach (var used in BodyReferences(method))
            {
                Add(used);
            }
        }
        return found;
    }

    /// <summary>The declaring types of the members and the types a method's IL names.</summary>
    private static IEnumerable<Type> BodyReferences(MethodBase method)
    {
        var body = method.GetMethodBody();
        var il = body?.GetILAsByteArray();
        if (body is null || il is null)
        {
            yield break;
        }
        foreach (var local in body.LocalVariables)
        {
            yield return local.LocalType;
        }
        var typeArguments = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var at = 0;
        while (at < il.Length)
        {
            short code = il[at++];
            if (code == 0xFE)
            {
                code = (short)(0xFE00 | il[at++]);
            }
            var operand = Operands.TryGetValue(code, out var kind) ? kind : OperandType.InlineNone;
            if (operand is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
            {
                var token = BitConverter.ToInt32(il, at);
                Type? used = null;
                try
                {
                    var member = method.Module.ResolveMember(token, typeArguments, methodArguments);
                    used = member as Type ?? member?.DeclaringType;
                }
                catch (ArgumentException)
                {
                }
                if (used is not null)
                {
                    yield return used;
                }
            }
            at += operand switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
                _ => 4,
            };
        }
    }
}
