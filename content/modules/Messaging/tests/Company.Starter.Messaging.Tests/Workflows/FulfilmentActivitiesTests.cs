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

    private static readonly FulfilmentOrder Seven = new(Guid.CreateVersion7(), "LAMP-1", 2, 39.80m);
    private static readonly FulfilmentOrder Eight = new(Guid.CreateVersion7(), "DESK-2", 1, 249m);

    private FulfilmentActivities Activities => new(_inventory, _payments, _shipping);

    [Fact]
    public async Task Reserving_twice_for_an_order_reserves_once()
    {
        var environment = new ActivityEnvironment();

        var first = await environment.RunAsync(() => Activities.ReserveStockAsync(Seven));
        var again = await environment.RunAsync(() => Activities.ReserveStockAsync(Seven)); // a retry after a lost answer

        Assert.Equal(first, again);
        Assert.Equal([Seven.OrderId], _inventory.Reserved);
    }

    [Fact]
    public async Task Releasing_undoes_the_reservation_and_a_second_release_is_a_no_op()
    {
        var environment = new ActivityEnvironment();
        await environment.RunAsync(() => Activities.ReserveStockAsync(Seven));
        await environment.RunAsync(() => Activities.ReserveStockAsync(Eight));

        await environment.RunAsync(() => Activities.ReleaseStockAsync(Seven.OrderId));
        await environment.RunAsync(() => Activities.ReleaseStockAsync(Seven.OrderId));
        await environment.RunAsync(() => Activities.ReleaseStockAsync(Guid.CreateVersion7())); // nothing reserved: nothing to undo

        Assert.Equal([Eight.OrderId], _inventory.Reserved);
    }

    [Fact]
    public async Task Charging_twice_charges_once_and_refunding_twice_refunds_once()
    {
        var environment = new ActivityEnvironment();

        var first = await environment.RunAsync(() => Activities.ChargePaymentAsync(Seven));
        var again = await environment.RunAsync(() => Activities.ChargePaymentAsync(Seven));
        Assert.Equal(first, again);
        Assert.Equal([Seven.OrderId], _payments.Charged);

        await environment.RunAsync(() => Activities.RefundPaymentAsync(Seven.OrderId));
        await environment.RunAsync(() => Activities.RefundPaymentAsync(Seven.OrderId));
        Assert.Empty(_payments.Charged);
    }

    [Fact]
    public async Task Shipping_twice_ships_once()
    {
        var environment = new ActivityEnvironment();

        var first = await environment.RunAsync(() => Activities.ShipAsync(Seven));
        var again = await environment.RunAsync(() => Activities.ShipAsync(Seven));

        Assert.Equal(first, again);
        Assert.Equal([Seven.OrderId], _shipping.Shipped);
    }

    [Fact]
    public async Task A_rejection_is_a_non_retryable_failure_of_its_own_type()
    {
        var activities = new FulfilmentActivities(_inventory, new DecliningPayments(), _shipping);

        var failure = await Assert.ThrowsAsync<ApplicationFailureException>(() => new ActivityEnvironment().RunAsync(() => activities.ChargePaymentAsync(Seven)));

        Assert.True(failure.NonRetryable);
        Assert.Equal(FulfilmentRejectedException.ErrorType, failure.ErrorType);
        Assert.Equal("Card declined.", failure.Message);
    }

    [Fact]
    public async Task Any_other_failure_is_left_to_the_retry_policy()
    {
        var activities = new FulfilmentActivities(_inventory, new UnreachablePayments(), _shipping);

        await Assert.ThrowsAsync<HttpRequestException>(() => new ActivityEnvironment().RunAsync(() => activities.ChargePaymentAsync(Seven)));
    }

    [Fact]
    public async Task A_cancelled_activity_stops_without_an_effect()
    {
        var environment = new ActivityEnvironment();
        environment.Cancel(); // the workflow cancelled it, or the worker is shutting down

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => environment.RunAsync(() => Activities.ReserveStockAsync(Seven)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => environment.RunAsync(() => Activities.ChargePaymentAsync(Seven)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => environment.RunAsync(() => Activities.ShipAsync(Seven)));

        Assert.Empty(_inventory.Reserved);
        Assert.Empty(_payments.Charged);
        Assert.Empty(_shipping.Shipped);
    }

    private sealed class DecliningPayments : IPayments
    {
        public Task<string> ChargeAsync(FulfilmentOrder order, CancellationToken cancellationToken) => throw new FulfilmentRejectedException("Card declined.");

        public Task RefundAsync(Guid orderId, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class UnreachablePayments : IPayments
    {
        public Task<string> ChargeAsync(FulfilmentOrder order, CancellationToken cancellationToken) => throw new HttpRequestException("The payment provider did not answer.");

        public Task RefundAsync(Guid orderId, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
