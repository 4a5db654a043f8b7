using GraphQL.Types;
using GraphQL.Validation;
using GraphQL.Validation.Complexity;
using GraphQL.Validation.Rules.Custom;
using GraphQLParser.AST;
using Microsoft.Extensions.Options;

namespace Company.Starter.Api.GraphQL;

/// <summary>
/// What a GraphQL document may cost (<see cref="GraphQLLimits"/>), checked before anything executes: a count of the
/// fields it selects (<see cref="CountFields"/>), then, as validation rules, GraphQL.NET's depth and complexity analyzer
/// and, where introspection is off, its <see cref="NoIntrospectionValidationRule"/>. Built once per process.
/// </summary>
public sealed class GraphQLCost
{
    private readonly IntrospectionLists _introspection;
    private readonly Func<FieldImpactContext, FieldComplexityResult> _defaultImpact;

    public GraphQLCost(CatalogSchema schema, IOptions<GraphQLLimits> options, IHostEnvironment environment)
    {
        var limits = options.Value;
        schema.Initialize();
        _introspection = new IntrospectionLists(schema);
        var complexity = new ComplexityOptions { MaxDepth = limits.MaxDepth, MaxComplexity = limits.MaxComplexity };
        _defaultImpact = complexity.DefaultComplexityImpactDelegate;
        complexity.DefaultComplexityImpactDelegate = Impact;
        complexity.ValidateComplexityDelegate = context => GraphQLErrors.EnforceLimits(context, limits);

        var introspection = limits.EnableIntrospection ?? environment.IsDevelopment();
        // The complexity rule runs after the others, and only on a document they found valid.
        ValidationRules =
        [
            .. DocumentValidator.CoreRules,
            .. introspection ? Array.Empty<IValidationRule>() : [NoIntrospectionValidationRule.Instance],
            new ComplexityValidationRule(complexity),
        ];
    }

    /// <summary>The validation rules every request runs: the specification's, then the limits.</summary>
    public IReadOnlyList<IValidationRule> ValidationRules { get; }

    /// <summary>
    /// The fields the document's operations select once its fragments are expanded: every alias counts, and a fragment
    /// spread counts its fragment's fields each time it is used. Linear in the document's length, whatever the
    /// expansion's size: each fragment is measured once and remembered. Counting stops at <paramref name="cap"/> + 1.
    /// A fragment that spreads itself counts as empty here; validation then refuses the cycle.
    /// </summary>
    /// <remarks>
    /// GraphQL.NET's complexity analyzer walks a fragment's fields again at each use, which takes time exponential in
    /// the nesting of fragments that spread each other several times; refusing such documents first keeps its walk
    /// (and the other validation rules) under <paramref name="cap"/> fields.
    /// </remarks>
    public static long CountFields(GraphQLDocument document, long cap)
    {
        var fragments = new Dictionary<string, GraphQLFragmentDefinition>(StringComparer.Ordinal);
        foreach (var fragment in document.Definitions.OfType<GraphQLFragmentDefinition>())
        {
            // A repeated name is a validation error; the first is measured, as the executer would use it.
            fragments.TryAdd(fragment.FragmentName.Name.StringValue, fragment);
        }

        var counter = new FieldCounter(fragments, cap);
        var total = 0L;
        foreach (var operation in document.Definitions.OfType<GraphQLOperationDefinition>())
        {
            total = Math.Min(cap + 1, total + counter.Count(operation.SelectionSet));
        }

        return total;
    }

    /// <summary>
    /// A field's cost for the complexity analyzer. GraphQL.NET prices its own lists of every type and directive
    /// (<c>__schema { types directives }</c>) with the schema's counts, and would price the other introspection lists
    /// (a type's <c>fields</c>, a field's <c>args</c>, ...) like any list, at 20 items: an estimate that refuses the
    /// standard introspection query yet cannot be trusted for recursive ones. They get the schema's counts instead.
    /// </summary>
    private FieldComplexityResult Impact(FieldImpactContext context) =>
        _introspection.TryGetItems(context, out var items)
            ? new FieldComplexityResult(context.Configuration.DefaultObjectImpact, items)
            : _defaultImpact(context);

    private sealed class FieldCounter(Dictionary<string, GraphQLFragmentDefinition> fragments, long cap)
    {
        private readonly Dictionary<string, long> _measured = new(StringComparer.Ordinal);
        private readonly HashSet<string> _measuring = new(StringComparer.Ordinal);

        public long Count(GraphQLSelectionSet? selectionSet)
        {
            var count = 0L;
            foreach (var selection in selectionSet?.Selections ?? [])
            {
                count += selection switch
                {
                    GraphQLField field => 1 + Count(field.SelectionSet),
                    GraphQLInlineFragment inline => Count(inline.SelectionSet),
                    GraphQLFragmentSpread spread => Fragment(spread.FragmentName.Name.StringValue),
                    _ => 0,
                };
                if (count > cap)
                {
                    return cap + 1;
                }
            }

            return count;
        }

        private long Fragment(string name)
        {
            if (_measured.TryGetValue(name, out var known))
            {
                return known;
            }

            if (!fragments.TryGetValue(name, out var fragment) || !_measuring.Add(name))
            {
                return 0;
            }

            var count = Count(fragment.SelectionSet);
            _measuring.Remove(name);
            _measured[name] = count;
            return count;
        }
    }

    /// <summary>
    /// How many items each introspection list returns, from the schema itself. Where a list is reached the way the
    /// standard introspection query reaches it (<c>types { fields { args } }</c>: over every type of the schema at
    /// once), it costs the schema's average per parent, so that query's estimate is its real size. Reached any other
    /// way (<c>__type(name:)</c>, or through <c>type</c> / <c>ofType</c> / <c>interfaces</c>, where a client picks which
    /// types to recurse into), it costs the schema's largest, so no choice of path makes the estimate fall short.
    /// </summary>
    private sealed class IntrospectionLists
    {
        private readonly Dictionary<IFieldType, (IFieldType? Over, double Average, double Largest)> _lists = [];

        public IntrospectionLists(ISchema schema)
        {
            var types = schema.AllTypes.ToList();
            var complexTypes = types.OfType<IComplexGraphType>().Where(type => type is not IInputObjectGraphType).ToList();
            var fields = complexTypes.SelectMany(type => type.Fields).ToList();
            var directives = schema.Directives.ToList();

            var schemaType = (IComplexGraphType)schema.AllTypes["__Schema"]!;
            var typeType = (IComplexGraphType)schema.AllTypes["__Type"]!;
            var fieldType = (IComplexGraphType)schema.AllTypes["__Field"]!;
            var directiveType = (IComplexGraphType)schema.AllTypes["__Directive"]!;
            var allTypes = schemaType.GetField("types")!;
            var typeFields = typeType.GetField("fields")!;

            // Per type, averaged over every type (types without the list count 0), as `types { ... }` asks every type.
            Add(typeFields, allTypes, types.Count, complexTypes.Select(type => type.Fields.Count));
            Add(typeType.GetField("inputFields")!, allTypes, types.Count, types.OfType<IInputObjectGraphType>().Select(type => type.Fields.Count));
            Add(typeType.GetField("interfaces")!, allTypes, types.Count, types.OfType<IImplementInterfaces>().Select(type => type.ResolvedInterfaces.Count));
            Add(typeType.GetField("possibleTypes")!, allTypes, types.Count, types.OfType<IAbstractGraphType>().Select(type => type.PossibleTypes.Count));
            Add(typeType.GetField("enumValues")!, allTypes, types.Count, types.OfType<EnumerationGraphType>().Select(type => type.Values.Count));
            Add(fieldType.GetField("args")!, typeFields, fields.Count, fields.Select(field => field.Arguments?.Count ?? 0));
            Add(directiveType.GetField("args")!, schemaType.GetField("directives")!, directives.Count, directives.Select(directive => directive.Arguments?.Count ?? 0));
        }

        private void Add(IFieldType list, IFieldType over, int parents, IEnumerable<int> counts)
        {
            var all = counts.ToList();
            _lists[list] = (over, parents == 0 ? 0 : (double)all.Sum() / parents, all.DefaultIfEmpty(0).Max());
        }

        public bool TryGetItems(FieldImpactContext context, out double items)
        {
            if (!_lists.TryGetValue(context.FieldDefinition, out var list))
            {
                items = 0;
                return false;
            }

            items = IsOverAll(context, list.Over) ? list.Average : list.Largest;
            return true;
        }

        /// <summary>True when the field's parent is <paramref name="over"/>, itself reached over all of its parents.</summary>
        private bool IsOverAll(FieldImpactContext context, IFieldType? over)
        {
            if (context.Parent is not { } parent || parent.FieldDefinition != over)
            {
                return false;
            }

            // `types` and `directives` hang off __schema, which is one object: over everything by definition.
            return !_lists.TryGetValue(parent.FieldDefinition, out var outer) || IsOverAll(parent, outer.Over);
        }
    }
}
