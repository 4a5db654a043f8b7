using Microsoft.EntityFrameworkCore;

namespace Company.Starter.Data.Sales;

// The SQLite half of the sales summary (SalesLedger.Postgres.cs is the PostgreSQL one): bucketing time is SQL that each
// database spells its own way, and the template keeps the file of the database the solution was made with.
public sealed partial class SalesLedger
{
    private async Task<IReadOnlyList<SalesBucket>> QueryBucketsAsync(
        TimeBucket bucket, DateTime from, DateTime to, CancellationToken cancellationToken)
    {
        var format = bucket switch
        {
            TimeBucket.Minute => "%Y-%m-%d %H:%M:00",
            TimeBucket.Hour => "%Y-%m-%d %H:00:00",
            _ => "%Y-%m-%d 00:00:00",
        };

        // SQLite keeps DateTime as sortable ISO-8601 text; strftime truncates it to the bucket's start. It has no
        // decimal type either (EF Core stores decimals as text), so revenue is rounded to cents and read back as text.
        var rows = await db.Database.SqlQuery<SalesBucket>($"""
            SELECT strftime({format}, s.occurred_at) AS bucket_start,
                   count(*) AS sales,
                   sum(s.quantity) AS units,
                   CAST(round(sum(s.quantity * CAST(s.unit_price AS REAL)), 2) AS TEXT) AS revenue
            FROM sales AS s
            WHERE s.occurred_at >= {from} AND s.occurred_at < {to}
            GROUP BY 1
            ORDER BY 1
            """).ToListAsync(cancellationToken);

        // The text read back carries no time zone: the buckets are UTC, as the timestamps they were cut from.
        return [.. rows.Select(r => r with { BucketStart = DateTime.SpecifyKind(r.BucketStart, DateTimeKind.Utc) })];
    }
}
