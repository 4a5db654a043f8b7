namespace TemplatePack.Tests.Run.Sweep;

/// <summary>
/// One generated value, already in its wire form (a JSON literal for bodies and GraphQL variables, percent-encoded text
/// for paths and query strings), with what the app may do with it.
/// </summary>
/// <param name="Label">What is odd about it, for reports ("NUL", "int32 overflow", "scale 28").</param>
public sealed record SweepValue(string Label, string Wire, Expectation Expect);
