using System.Diagnostics.Metrics;

namespace Company.Starter.Data.Sales;

/// <summary>
/// Business metrics: what a dashboard next to the RED metrics wants to see. Created through
/// <see cref="IMeterFactory"/> so that tests can observe them without a global listener.
/// </summary>
public sealed class SalesMetrics
{
    private readonly Counter<long> _sales;
    private readonly Counter<long> _units;
    private readonly Counter<double> _revenue;

    public SalesMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(DataTelemetry.Name);
        _sales = meter.CreateCounter<long>("sales.recorded", unit: "{sale}", description: "Sales recorded.");
        _units = meter.CreateCounter<long>("sales.units", unit: "{unit}", description: "Units sold.");
        _revenue = meter.CreateCounter<double>("sales.revenue", unit: "{currency}", description: "Revenue of the sales recorded, in the shop's currency.");
    }

    public void Recorded(Sale sale)
    {
        _sales.Add(1);
        _units.Add(sale.Quantity);
        _revenue.Add((double)(sale.Quantity * sale.UnitPrice));
    }
}
