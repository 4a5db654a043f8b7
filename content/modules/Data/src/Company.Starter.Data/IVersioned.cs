namespace Company.Starter.Data;

/// <summary>An entity guarded by optimistic concurrency; <see cref="Version"/> doubles as its ETag.</summary>
public interface IVersioned
{
    long Version { get; set; }
}
