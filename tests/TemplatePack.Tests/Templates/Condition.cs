using System.Text.RegularExpressions;

namespace TemplatePack.Tests.Templates;

/// <summary>
/// Evaluates the conditions modules write in module.json (<c>(!UsePostgres &amp;&amp; !UseRedis)</c>, and in flags
/// <c>({protocols} == "rest")</c>) the way the template engine does: <c>!</c>, <c>&amp;&amp;</c>, <c>||</c>,
/// <c>==</c>, <c>!=</c>, parentheses, flags, <c>{option}</c> references, string literals, true and false. An option
/// that allows several values equals a string when the string is one of them (as the engine reads
/// <c>protocols == "grpc"</c>). Anything else is a declaration the harness cannot read, and fails loudly.
/// </summary>
public static partial class Condition
{
    public static bool Evaluate(
        string expression,
        IReadOnlyDictionary<string, bool> flags,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? options = null)
    {
        var parser = new Parser(Tokenize(expression), expression, flags, options ?? new Dictionary<string, IReadOnlyList<string>>());
        var value = parser.Or();
        parser.End();
        return value.AsBool(expression);
    }

    private static List<string> Tokenize(string expression)
    {
        var tokens = new List<string>();
        var read = 0;
        foreach (Match match in Token().Matches(expression))
        {
            // The matches must tile the expression: a gap is a character no token accounts for.
            if (match.Index != read)
            {
                break;
            }

            read += match.Length;
            if (!match.Groups["space"].Success)
            {
                tokens.Add(match.Value);
            }
        }

        return read == expression.Length ? tokens : throw new FormatException($"Cannot read the condition '{expression}'.");
    }

    [GeneratedRegex("""(?<space>\s+)|&&|\|\||==|!=|!|\(|\)|"[^"]*"|\{[A-Za-z]+\}|[A-Za-z_][A-Za-z0-9_]*""")]
    private static partial Regex Token();

    private readonly record struct Value(bool? Bool, IReadOnlyList<string>? Strings)
    {
        public bool AsBool(string expression) =>
            Bool ?? throw new FormatException($"'{expression}': a string where a condition was expected.");
    }

    private sealed class Parser(
        List<string> tokens,
        string expression,
        IReadOnlyDictionary<string, bool> flags,
        IReadOnlyDictionary<string, IReadOnlyList<string>> options)
    {
        private int _next;

        public void End()
        {
            if (_next != tokens.Count)
            {
                throw new FormatException($"'{expression}': unexpected '{tokens[_next]}'.");
            }
        }

        public Value Or()
        {
            var left = And();
            while (Accept("||"))
            {
                var right = And();
                left = new Value(left.AsBool(expression) | right.AsBool(expression), null);
            }

            return left;
        }

        private Value And()
        {
            var left = Equality();
            while (Accept("&&"))
            {
                var right = Equality();
                left = new Value(left.AsBool(expression) & right.AsBool(expression), null);
            }

            return left;
        }

        private Value Equality()
        {
            var left = Unary();
            if (Accept("==") || Accept("!="))
            {
                var negate = tokens[_next - 1] == "!=";
                var right = Unary();
                var equal = left.Strings is { } l && right.Strings is { } r
                    ? l.Intersect(r, StringComparer.OrdinalIgnoreCase).Any()
                    : left.Bool == right.Bool && left.Bool is not null;
                return new Value(equal != negate, null);
            }

            return left;
        }

        private Value Unary()
        {
            if (Accept("!"))
            {
                return new Value(!Unary().AsBool(expression), null);
            }

            if (Accept("("))
            {
                var inner = Or();
                Expect(")");
                return inner;
            }

            var token = _next < tokens.Count ? tokens[_next++] : throw new FormatException($"'{expression}' ends early.");
            return token switch
            {
                "true" => new Value(true, null),
                "false" => new Value(false, null),
                ['"', .. var text, '"'] => new Value(null, [text]),
                ['{', .. var option, '}'] => options.TryGetValue(option, out var values)
                    ? new Value(null, values)
                    : throw new FormatException($"'{expression}' refers to the option {option}, which the scenario's choices do not hold."),
                _ => flags.TryGetValue(token, out var flag)
                    ? new Value(flag, null)
                    : throw new FormatException($"'{expression}' refers to {token}, which no module declares as a flag."),
            };
        }

        private bool Accept(string token)
        {
            if (_next < tokens.Count && tokens[_next] == token)
            {
                _next++;
                return true;
            }

            return false;
        }

        private void Expect(string token)
        {
            if (!Accept(token))
            {
                throw new FormatException($"'{expression}': expected '{token}'.");
            }
        }
    }
}
