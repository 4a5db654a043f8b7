using System.Text;

namespace TemplatePack.Tests.Infrastructure;

/// <summary>
/// The metric names a PromQL expression selects, read by a small tokenizer rather than a pattern: a bare
/// `up`, `rate(name[5m])`, `name{...}` and `name offset 5m` all count, while function names, aggregation operators
/// and keywords, label names (inside `{...}`, `by (...)`, `on (...)`, ...), strings, numbers, durations and Grafana
/// variables (`$__rate_interval`) do not.
/// </summary>
public static class PromQl
{
    // Aggregation operators and keywords that are not followed by `(` in every position (`sum by (x) (...)`, `a and b`).
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile",
        "limitk", "limit_ratio", "and", "or", "unless", "atan2", "bool", "offset", "by", "without", "on", "ignoring",
        "group_left", "group_right", "inf", "nan",
    };

    // Modifiers whose parenthesised list holds label names, not selectors.
    private static readonly HashSet<string> LabelListModifiers = new(StringComparer.OrdinalIgnoreCase)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right",
    };

    public static IReadOnlyList<string> MetricNames(string expression)
    {
        var names = new List<string>();
        var text = expression;
        var i = 0;
        string? previousWord = null;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            if (c is '"' or '\'' or '`')
            {
                i = SkipString(text, i);
                previousWord = null;
                continue;
            }

            if (c == '#')
            {
                // A comment runs to the end of the line.
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }

                continue;
            }

            if (c == '{' || c == '[')
            {
                // Label matchers or a range/subquery duration: nothing in there is a metric name.
                i = SkipBalanced(text, i, c, c == '{' ? '}' : ']');
                previousWord = null;
                continue;
            }

            if (c == '(' && previousWord is not null && LabelListModifiers.Contains(previousWord))
            {
                i = SkipBalanced(text, i, '(', ')');
                previousWord = null;
                continue;
            }

            if (c == '$')
            {
                // A Grafana variable such as $__rate_interval or ${job}.
                i++;
                if (i < text.Length && text[i] == '{')
                {
                    i = SkipBalanced(text, i, '{', '}');
                }
                else
                {
                    while (i < text.Length && IsNamePart(text[i]))
                    {
                        i++;
                    }
                }

                previousWord = null;
                continue;
            }

            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                // Numbers, durations (5m, 1h30m) and hex or exponent forms: letters after a digit belong to it.
                while (i < text.Length && (IsNamePart(text[i]) || text[i] == '.' || ((text[i] == '+' || text[i] == '-') && text[i - 1] is 'e' or 'E')))
                {
                    i++;
                }

                previousWord = null;
                continue;
            }

            if (IsNameStart(c))
            {
                var start = i;
                var word = new StringBuilder();
                while (i < text.Length && IsNamePart(text[i]))
                {
                    word.Append(text[i]);
                    i++;
                }

                var name = word.ToString();
                var next = NextNonSpace(text, i);
                var isFunction = next == '(';
                var afterOffset = previousWord is not null && previousWord.Equals("offset", StringComparison.OrdinalIgnoreCase);
                if (!isFunction && !Keywords.Contains(name) && !afterOffset && !(start > 0 && text[start - 1] == '@'))
                {
                    names.Add(name);
                }

                previousWord = name;
                continue;
            }

            previousWord = null;
            i++;
        }

        return names;
    }

    private static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c is '_' or ':';

    private static bool IsNamePart(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or ':';

    private static char NextNonSpace(string text, int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        return i < text.Length ? text[i] : '\0';
    }

    private static int SkipString(string text, int i)
    {
        var quote = text[i++];
        while (i < text.Length && text[i] != quote)
        {
            i += text[i] == '\\' && quote != '`' ? 2 : 1;
        }

        return Math.Min(i + 1, text.Length);
    }

    private static int SkipBalanced(string text, int i, char open, char close)
    {
        var depth = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c is '"' or '\'' or '`')
            {
                i = SkipString(text, i);
                continue;
            }

            if (c == open)
            {
                depth++;
            }
            else if (c == close && --depth == 0)
            {
                return i + 1;
            }

            i++;
        }

        return i;
    }
}
