using Company.Starter.Data.Sales;

namespace Company.Starter.Api.Sales;

public sealed record SaleResponse(long Id, long ProductId, int Quantity, decimal UnitPrice, DateTime OccurredAt)
{
    public static SaleResponse From(Sale sale) =>
        new(sale.Id, sale.ProductId, sale.Quantity, sale.UnitPrice, DateTime.SpecifyKind(sale.OccurredAt, DateTimeKind.Utc));
}
