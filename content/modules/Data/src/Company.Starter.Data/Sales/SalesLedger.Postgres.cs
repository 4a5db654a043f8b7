using Microsoft.EntityFrameworkCore;

namespace Company.Starter.Data.Sales;

// The PostgreSQL half of the sales summary (SalesLedger.Sqlite.cs is the SQLite one): bucketing time is SQL that each
// database spells its own way, and the template keeps the file of the database the solution was made with.
public sealed partial class SalesLedger
{
    private async Task<IReadOnlyList<SalesBucket>> QueryBucketsAsync(
        TimeBucket bucket, DateTime from, DateTime to, CancellationToken cancellationToken)
    {
        var width = bucket.Width();

        // date_bin (PostgreSQL 14+) snaps each timestamp to the start of its bucket; any width works, not only units.
        return await db.Database.SqlQuery<SalesBucket>($"""
            SELECT date_bin({width}, s.occurred_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket_start,
                   count(*) AS sales,
                   sum(s.quantity)::bigint AS units,
                   sum(s.quantity * s.unit_price) AS revenue
            FROM sales AS s
            WHERE s.occurred_at >= {from} AND s.occurred_at < {to}
            GROUP BY 1
            ORDER BY 1
            """).ToListAsync(cancellationToken);
    }
}
