using System.Reflection;
using System.Reflection.Emit;
using Analytics.Partners.Privacy;

namespace Analytics.Partners.Tests.Privacy;

/// <summary>
/// The sampling path, read from its compiled IL: from the samplers' entry points through every method of the
/// partners assembly they call, no instruction loads, converts to or checks a floating-point number, no local or
/// field is one, and no call takes or returns one (Math.*, BigInteger's conversion to double, decimal included).
/// </summary>
public class NoFloatingPointTests
{
    private static readonly Dictionary<ushort, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => unchecked((ushort)o.Value));

    private static readonly HashSet<OpCode> FloatingOpCodes =
        [OpCodes.Ldc_R4, OpCodes.Ldc_R8, OpCodes.Conv_R4, OpCodes.Conv_R8, OpCodes.Conv_R_Un, OpCodes.Ckfinite];

    private static readonly HashSet<Type> FloatingTypes = [typeof(float), typeof(double), typeof(decimal), typeof(Half)];

    [Test]
    public void The_noise_samplers_never_touch_a_floating_point_number()
    {
        MethodBase[] roots =
        [
            typeof(DiscreteGaussian).GetMethod(nameof(DiscreteGaussian.Sample))!,
            typeof(DiscreteLaplace).GetMethod(nameof(DiscreteLaplace.Sample))!,
            typeof(CryptoRandomSource).GetMethod(nameof(CryptoRandomSource.UniformBelow))!,
        ];
        var seen = new HashSet<MethodBase>();
        var pending = new Stack<MethodBase>(roots);
        var uses = new List<string>();
        while (pending.TryPop(out var method))
        {
            if (!seen.Add(method) || method.GetMethodBody() is not { } body)
            {
                continue;
            }
            uses.AddRange(body.LocalVariables.Where(l => FloatingTypes.Contains(l.LocalType)).Select(l => $"{Name(method)}: local of type {l.LocalType.Name}"));
            foreach (var (opCode, operand) in Instructions(body.GetILAsByteArray()!))
            {
                if (FloatingOpCodes.Contains(opCode))
                {
                    uses.Add($"{Name(method)}: {opCode.Name}");
                }
                if (opCode.OperandType == OperandType.InlineField && method.Module.ResolveField(operand, GenericArguments(method.DeclaringType), null) is { } field &&
                    FloatingTypes.Contains(field.FieldType))
                {
                    uses.Add($"{Name(method)}: field {field.Name}");
                }
                if (opCode.OperandType != OperandType.InlineMethod ||
                    method.Module.ResolveMethod(operand, GenericArguments(method.DeclaringType), method.IsGenericMethod ? method.GetGenericArguments() : null) is not { } callee)
                {
                    continue;
                }
                var types = callee.GetParameters().Select(p => p.ParameterType).Append(callee is MethodInfo info ? info.ReturnType : typeof(void));
                if (types.Any(FloatingTypes.Contains) || callee.DeclaringType == typeof(Math) || callee.DeclaringType == typeof(MathF))
                {
                    uses.Add($"{Name(method)}: calls {Name(callee)}");
                }
                if (callee.Module == typeof(DiscreteGaussian).Module)
                {
                    pending.Push(callee);
                }
            }
        }
        TestContext.Out.WriteLine($"read {seen.Count} methods: {string.Join(", ", seen.Select(Name).Order(StringComparer.Ordinal))}");
        Assert.Multiple(() =>
        {
            Assert.That(seen.Select(Name), Has.Member("DiscreteLaplace.BernoulliExpAtMostOne").And.Member("DiscreteGaussian.FloorSquareRoot"), "the walk reaches the inner samplers");
            Assert.That(uses, Is.Empty);
        });
    }

    private static string Name(MethodBase method) => $"{method.DeclaringType?.Name}.{method.Name}";

    private static Type[]? GenericArguments(Type? type) => type is { IsGenericType: true } ? type.GetGenericArguments() : null;

    /// <summary>Each instruction and its 4-byte token operand (0 for other operands), decoded by the operand sizes of ECMA-335.</summary>
    private static List<(OpCode OpCode, int Operand)> Instructions(byte[] il)
    {
        var instructions = new List<(OpCode, int)>();
        var i = 0;
        while (i < il.Length)
        {
            var value = il[i] == 0xFE ? (ushort)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var opCode = OpCodesByValue[value];
            var size = opCode.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, i)),
                _ => 4,
            };
            instructions.Add((opCode, size == 4 ? BitConverter.ToInt32(il, i) : 0));
            i += size;
        }
        return instructions;
    }
}
