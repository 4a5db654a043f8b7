namespace TemplatePack.Tests.Run.Sweep;

/// <summary>
/// The schema-driven sweep of one app: requests generated from its OpenAPI document (REST and the security module's
/// endpoints), its proto's HTTP rules (gRPC JSON transcoding) and its GraphQL schema, each operation's share in the
/// order generated, then shuffled with the seed so that every protocol is in flight at once. Bounded by
/// <paramref name="perOperationCap"/> and <paramref name="totalCap"/>; which requests a cap drops is the seed's choice,
/// and the report says how many were generated.
/// </summary>
public sealed class SchemaSweep
{
    private SchemaSweep(List<BadRequest> requests, Dictionary<string, int> generated)
    {
        Requests = requests;
        Generated = generated;
    }

    public IReadOnlyList<BadRequest> Requests { get; }

    /// <summary>Requests generated per protocol, before the caps.</summary>
    public IReadOnlyDictionary<string, int> Generated { get; }

    /// <param name="hashingCap">The cap for an operation whose body carries a password: each of its requests may cost a
    /// password hash (Argon2id, 64 MiB), which on a 2-core machine is what bounds the sweep's time.</param>
    /// <param name="refusalsOnly">
    /// Operations sent only the inputs they must refuse, each with the reason a legal input cannot be judged in the
    /// harness (e.g. a password reset email needs an SMTP server the app under test does not have).
    /// </param>
    public static SchemaSweep Build(
        SweepContext context, OpenApiOperations openApi, string? proto, GraphQLSchema? graphQL, int perOperationCap, int hashingCap, int totalCap,
        IReadOnlyDictionary<string, string>? refusalsOnly = null)
    {
        var groups = new List<(List<BadRequest> Requests, int Cap)>();
        foreach (var operation in openApi.Operations)
        {
            var generatedForOperation = OperationSweep.For(operation, context)
                .Where(r => refusalsOnly?.ContainsKey(operation.Name) != true || r.Expect == Expectation.MustReject)
                .ToList();
            var hashes = operation.Body?.Properties.Values.Any(p => p.Role == TextRole.Secret) == true;
            groups.Add((generatedForOperation, hashes ? hashingCap : perOperationCap));
        }

        if (proto is not null)
        {
            groups.AddRange(ProtoOperations.Parse(proto, openApi.Properties).Select(operation => (OperationSweep.For(operation, context).ToList(), perOperationCap)));
        }

        if (graphQL is not null)
        {
            groups.AddRange(GraphQLSweep.For(graphQL, openApi.Properties, context).GroupBy(r => r.Category.Split(' ')[1]).Select(g => (g.ToList(), perOperationCap)));
        }

        var generated = groups.SelectMany(g => g.Requests).GroupBy(r => r.Protocol).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var requests = groups.SelectMany(group => Sample(group.Requests, group.Cap, context.Random)).ToList();
        Shuffle(requests, context.Random);
        return new SchemaSweep(requests.Take(totalCap).ToList(), generated);
    }

    /// <summary>All of a group under the cap; above it, a seeded sample that keeps must-reject cases first (NUL ones first of all).</summary>
    private static IEnumerable<BadRequest> Sample(List<BadRequest> group, int cap, Random random)
    {
        if (group.Count <= cap)
        {
            return group;
        }

        var mustReject = group.Where(r => r.Expect == Expectation.MustReject).ToList();
        var mayAccept = group.Where(r => r.Expect == Expectation.MayAccept).ToList();
        Shuffle(mustReject, random);
        Shuffle(mayAccept, random);
        // NUL first: the character most likely to get past validation into a driver or parser that fails on it
        // (PostgreSQL's text types cannot hold it), so a cap never drops it for a field.
        mustReject = [.. mustReject.OrderBy(r => r.Category.Contains("NUL", StringComparison.Ordinal) ? 0 : 1)];
        var keptMayAccept = Math.Min(mayAccept.Count, Math.Max(cap / 4, cap - mustReject.Count));
        return mustReject.Take(cap - keptMayAccept).Concat(mayAccept.Take(keptMayAccept));
    }

    private static void Shuffle<T>(List<T> list, Random random)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }
}
