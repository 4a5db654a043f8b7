using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Company.Starter.Messaging;

// SQLite's part of the context (PostgreSQL needs none): the template keeps this file only in SQLite solutions.
public sealed partial class MessagingDbContext
{
    /// <summary>
    /// SQLite has no timestamp type: by default EF Core stores a DateTimeOffset as text, which SQL cannot compare, so
    /// the cleanups' <c>handled_at &lt; @cutoff</c> / <c>sent_at &lt; @cutoff</c> would not translate and would have to
    /// read every row. EF Core's DateTimeOffsetToBinaryConverter stores an integer instead (to 0.1 ms) that orders like
    /// the times it holds, so the comparison runs in SQL on an index. The app writes these times in UTC
    /// (<see cref="TimeProvider.GetUtcNow"/>).
    /// </summary>
    static partial void ConfigureDatabaseConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
}
