using Microsoft.EntityFrameworkCore;

namespace Company.Starter.Data.Products;

// The SQLite half of the keyset paging (ProductCatalog.Postgres.cs is the PostgreSQL one): the template keeps the file
// of the database the solution was made with, so the query below is written in a form that database can run.
public sealed partial class ProductCatalog
{
    // The row-value comparison (EF.Functions.GreaterThan on a tuple) is Npgsql's, so here the seek is spelled out: a
    // later name, or the same name and a later id.
    private static readonly Func<AppDbContext, string, long, int, IAsyncEnumerable<Product>> PageAfter =
        EF.CompileAsyncQuery((AppDbContext context, string name, long id, int take) =>
            context.Products.AsNoTracking()
                .Where(p => string.Compare(p.Name, name) > 0 || (p.Name == name && p.Id > id))
                .OrderBy(p => p.Name).ThenBy(p => p.Id).Take(take));
}
