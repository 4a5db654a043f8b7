using Microsoft.EntityFrameworkCore;

namespace Company.Starter.Data.Products;

// The PostgreSQL half of the keyset paging (ProductCatalog.Sqlite.cs is the SQLite one): the template keeps the file of
// the database the solution was made with, so the query below is written in the form that database answers best.
public sealed partial class ProductCatalog
{
    // The seek is a row-value comparison, (name, id) > (@name, @id), which the (name, id) index answers as a range
    // scan; the equivalent OR form is a filter over the index from its first entry, so page 1,000 would cost a thousand
    // times page 1.
    private static readonly Func<AppDbContext, string, long, int, IAsyncEnumerable<Product>> PageAfter =
        EF.CompileAsyncQuery((AppDbContext context, string name, long id, int take) =>
            context.Products.AsNoTracking()
                .Where(p => EF.Functions.GreaterThan(ValueTuple.Create(p.Name, p.Id), ValueTuple.Create(name, id)))
                .OrderBy(p => p.Name).ThenBy(p => p.Id).Take(take));
}
