using Company.Starter.Messaging.Workflows;
using Microsoft.Extensions.Logging.Abstractions;
using Temporalio.Exceptions;
using Temporalio.Testing;

namespace Company.Starter.Messaging.Tests.Workflows;

/// <summary>The saga's activities, run for real in an <see cref="ActivityEnvironment"/> (no Temporal server needed).</summary>
public sealed class FulfilmentActivitiesTests
{
    private readonly InMemoryInventory _inventory = new(NullLogger<InMemoryInventory>.Instance);
    private readonly InMemoryPayments _payments = new(NullLogger<InMemoryPayments>.Instance);
    private readonly InMemoryShipping _shipping = new(NullLogger<InMemoryShipping>.Instance);

    private FulfilmentActivities Activities => new(_inventory, _payments, _shipping);

    [Fact]
    public async Task Reserving_twice_for_an_order_reserves_once()
    {
        var environment = new ActivityEnvironment();

        var first = await environment.RunAsync(() => Activities.ReserveStockAsync(7));
        var again = await environment.RunAsync(() => Activities.ReserveStockAsync(7)); // a retry after a lost answer

        Assert.Equal(first, again);
        Assert.Equal([7L], _inventory.Reserved);
    }

    [Fact]
    public async Task Releasing_undoes_the_reservation_and_a_second_release_is_a_no_op()
    {
        var environment = new ActivityEnvironment();
        await environment.RunAsync(() => Activities.ReserveStockAsync(7));
        await environment.RunAsync(() => Activities.ReserveStockAsync(8));

        await environment.RunAsync(() => Activities.ReleaseStockAsync(7));
        await environment.RunAsync(() => Activities.ReleaseStockAsync(7));
        await environment.RunAsync(() => Activities.ReleaseStockAsync(9)); // nothing reserved: nothing to undo

        Assert.Equal([8L], _inventory.Reserved);
    }

    [Fact]
    public async Task Charging_twice_charges_once_and_refunding_twice_refunds_once()
    {
        var environment = new ActivityEnvironment();

        var first = await environment.RunAsync(() => Activities.ChargePaymentAsync(7));
        var again = await environment.RunAsync(() => Activities.ChargePaymentAsync(7));
        Assert.Equal(first, again);
        Assert.Equal([7L], _payments.Charged);

        await environment.RunAsync(() => Activities.RefundPaymentAsync(7));
        await environment.RunAsync(() => Activities.RefundPaymentAsync(7));
        Assert.Empty(_payments.Charged);
    }

    [Fact]
    public async Task Shipping_twice_ships_once()
    {
        var environment = new ActivityEnvironment();

        var first = await environment.RunAsync(() => Activities.ShipAsync(7));
        var again = await environment.RunAsync(() => Activities.ShipAsync(7));

        Assert.Equal(first, again);
        Assert.Equal([7L], _shipping.Shipped);
    }

    [Fact]
    public async Task A_rejection_is_a_non_retryable_failure_of_its_own_type()
    {
        var activities = new FulfilmentActivities(_inventory, new DecliningPayments(), _shipping);

        var failure = await Assert.ThrowsAsync<ApplicationFailureException>(() => new ActivityEnvironment().RunAsync(() => activities.ChargePaymentAsync(7)));

        Assert.True(failure.NonRetryable);
        Assert.Equal(FulfilmentRejectedException.ErrorType, failure.ErrorType);
        Assert.Equal("Card declined.", failure.Message);
    }

    [Fact]
    public async Task Any_other_failure_is_left_to_the_retry_policy()
    {
        var activities = new FulfilmentActivities(_inventory, new UnreachablePayments(), _shipping);

        await Assert.ThrowsAsync<HttpRequestException>(() => new ActivityEnvironment().RunAsync(() => activities.ChargePaymentAsync(7)));
    }

    [Fact]
    public async Task A_cancelled_activity_stops_without_an_effect()
    {
        var environment = new ActivityEnvironment();
        environment.Cancel(); // the workflow cancelled it, or the worker is shutting down

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => environment.RunAsync(() => Activities.ReserveStockAsync(7)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => environment.RunAsync(() => Activities.ChargePaymentAsync(7)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => environment.RunAsync(() => Activities.ShipAsync(7)));

        Assert.Empty(_inventory.Reserved);
        Assert.Empty(_payments.Charged);
        Assert.Empty(_shipping.Shipped);
    }

    private sealed class DecliningPayments : IPayments
    {
        public Task<string> ChargeAsync(long orderId, CancellationToken cancellationToken) => throw new FulfilmentRejectedException("Card declined.");

        public Task RefundAsync(long orderId, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class UnreachablePayments : IPayments
    {
        public Task<string> ChargeAsync(long orderId, CancellationToken cancellationToken) => throw new HttpRequestException("The payment provider did not answer.");

        public Task RefundAsync(long orderId, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
