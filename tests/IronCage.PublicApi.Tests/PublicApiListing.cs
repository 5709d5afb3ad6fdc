using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace IronCage.PublicApi.Tests;

/// <summary>Writes an assembly's public surface as sorted text: one line per type and per member, with nullability.</summary>
internal static class PublicApiListing
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    public static string Describe(Assembly assembly)
    {
        var builder = new StringBuilder();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            builder.AppendLine(DescribeType(type));
            foreach (var line in Members(type).Order(StringComparer.Ordinal))
            {
                builder.Append("  ").AppendLine(line);
            }
        }

        return builder.ToString().ReplaceLineEndings("\n");
    }

    private static string DescribeType(Type type)
    {
        var kind = type switch
        {
            { IsEnum: true } => "enum",
            { IsInterface: true } => "interface",
            { IsValueType: true } => type.IsDefined(typeof(IsReadOnlyAttribute)) ? "readonly struct" : "struct",
            _ when typeof(Delegate).IsAssignableFrom(type) => "delegate",
            { IsAbstract: true, IsSealed: true } => "static class",
            { IsAbstract: true } => "abstract class",
            { IsSealed: true } => "sealed class",
            _ => "class",
        };
        var bases = new List<string>();
        if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(ValueType) && baseType != typeof(Enum) && baseType != typeof(MulticastDelegate))
        {
            bases.Add(Name(baseType));
        }

        bases.AddRange(type.GetInterfaces().Where(i => i.IsPublic || i.IsNestedPublic).Select(Name).Order(StringComparer.Ordinal));
        var attributes = type.IsDefined(typeof(FlagsAttribute)) ? "[Flags] " : string.Empty;
        return $"{attributes}public {kind} {Name(type)}" + (bases.Count > 0 ? " : " + string.Join(", ", bases) : string.Empty);
    }

    private static IEnumerable<string> Members(Type type)
    {
        if (type.IsEnum)
        {
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static))
            {
                yield return $"{field.Name} = {Convert.ToInt64(field.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture)}";
            }

            yield break;
        }

        var context = new NullabilityInfoContext();
        foreach (var member in type.GetMembers(Declared))
        {
            switch (member)
            {
                case ConstructorInfo ctor when IsVisible(ctor):
                    yield return $"{Access(ctor)}ctor({Parameters(ctor, context)})";
                    break;
                case MethodInfo method when IsVisible(method) && !method.IsSpecialName:
                    var generic = method.IsGenericMethod ? "<" + string.Join(", ", method.GetGenericArguments().Select(a => a.Name)) + ">" : string.Empty;
                    yield return $"{Access(method)}{Modifiers(method)}{Nullable(method.ReturnType, context.Create(method.ReturnParameter))} {method.Name}{generic}({Parameters(method, context)})";
                    break;
                case MethodInfo op when IsVisible(op) && op.IsSpecialName && op.Name.StartsWith("op_", StringComparison.Ordinal):
                    yield return $"{Access(op)}static {Name(op.ReturnType)} {op.Name}({Parameters(op, context)})";
                    break;
                case PropertyInfo property:
                    var getter = property.GetMethod is { } g && IsVisible(g) ? g : null;
                    var setter = property.SetMethod is { } s && IsVisible(s) ? s : null;
                    if (getter is null && setter is null)
                    {
                        break;
                    }

                    var accessor = getter ?? setter!;
                    var init = setter is not null && setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit)) ? "init; " : setter is not null ? "set; " : string.Empty;
                    var required = property.IsDefined(typeof(RequiredMemberAttribute)) ? "required " : string.Empty;
                    var indexer = property.GetIndexParameters() is { Length: > 0 } index ? "[" + string.Join(", ", index.Select(p => Name(p.ParameterType))) + "]" : string.Empty;
                    yield return $"{Access(accessor)}{required}{Modifiers(accessor)}{Nullable(property.PropertyType, context.Create(property))} {property.Name}{indexer} {{ {(getter is not null ? "get; " : string.Empty)}{init}}}";
                    break;
                case FieldInfo field when field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly:
                    var constant = field.IsLiteral ? $" = {field.GetRawConstantValue()}" : string.Empty;
                    yield return $"{(field.IsPublic ? "public " : "protected ")}{(field.IsLiteral ? "const " : field.IsStatic ? "static " : string.Empty)}{(field.IsInitOnly ? "readonly " : string.Empty)}{Nullable(field.FieldType, context.Create(field))} {field.Name}{constant}";
                    break;
                case EventInfo @event when @event.AddMethod is { } add && IsVisible(add):
                    yield return $"{Access(add)}event {Name(@event.EventHandlerType!)} {@event.Name}";
                    break;
                case Type nested when nested.IsNestedPublic:
                    yield return $"nested {Name(nested)}";
                    break;
            }
        }
    }

    private static bool IsVisible(MethodBase method) => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly;

    private static string Access(MethodBase method) => method.IsPublic ? "public " : "protected ";

    private static string Modifiers(MethodInfo method)
    {
        if (method.IsStatic)
        {
            return "static ";
        }

        if (method.DeclaringType!.IsInterface)
        {
            return string.Empty;
        }

        if (method.IsAbstract)
        {
            return "abstract ";
        }

        if (method.IsVirtual && !method.IsFinal)
        {
            return method.GetBaseDefinition() != method ? "override " : "virtual ";
        }

        return method.IsVirtual && method.GetBaseDefinition() != method ? "override " : string.Empty;
    }

    private static string Parameters(MethodBase method, NullabilityInfoContext context)
        => string.Join(", ", method.GetParameters().Select(p =>
        {
            var modifier = p.IsOut ? "out " : p.ParameterType.IsByRef ? (p.IsIn ? "in " : "ref ") : p.IsDefined(typeof(ParamArrayAttribute)) ? "params " : string.Empty;
            var type = p.ParameterType.IsByRef ? p.ParameterType.GetElementType()! : p.ParameterType;
            var defaultValue = p.HasDefaultValue ? " = " + (p.DefaultValue is null ? (type.IsValueType && System.Nullable.GetUnderlyingType(type) is null ? "default" : "null") : p.DefaultValue is string text ? $"\"{text}\"" : p.DefaultValue.ToString()) : string.Empty;
            return $"{modifier}{Nullable(type, context.Create(p))} {p.Name}{defaultValue}";
        }));

    private static string Nullable(Type type, NullabilityInfo info)
    {
        if (type.IsGenericType && !type.IsValueType && info.GenericTypeArguments.Length == type.GetGenericArguments().Length)
        {
            var definition = type.GetGenericTypeDefinition().Name;
            var name = definition[..definition.IndexOf('`', StringComparison.Ordinal)];
            var arguments = type.GetGenericArguments().Select((a, i) => Nullable(a, info.GenericTypeArguments[i]));
            return $"{type.Namespace}.{name}<{string.Join(", ", arguments)}>" + (info.ReadState == NullabilityState.Nullable ? "?" : string.Empty);
        }

        var plain = Name(type);
        return !type.IsValueType && info.ReadState == NullabilityState.Nullable ? plain + "?" : plain;
    }

    private static string Name(Type type)
    {
        if (type.IsGenericParameter)
        {
            return type.Name;
        }

        if (System.Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Name(underlying) + "?";
        }

        if (type.IsArray)
        {
            return Name(type.GetElementType()!) + "[]";
        }

        var name = type.IsNested ? Name(type.DeclaringType!) + "." + type.Name : $"{type.Namespace}.{type.Name}";
        if (!type.IsGenericType)
        {
            return name;
        }

        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return (tick >= 0 ? name[..tick] : name) + "<" + string.Join(", ", type.GetGenericArguments().Select(Name)) + ">";
    }
}
