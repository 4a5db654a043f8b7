using Company.Starter.Messaging.Workflows;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Temporalio.Client;
using Temporalio.Worker;

namespace Company.Starter.Messaging.Tests.Workflows;

/// <summary>
/// The saga end to end on Temporal's time-skipping test server (retry backoffs pass in no time), each run then replayed
/// from its own history to prove the workflow code deterministic: a change that would break runs in flight fails here.
/// </summary>
public sealed class FulfilmentWorkflowTests(TemporalTestServer server) : IClassFixture<TemporalTestServer>
{
    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_order_is_reserved_charged_and_shipped()
    {
        var systems = new RecordingSystems();
        var order = NewOrder();
        await WithWorkerAsync(systems, async taskQueue =>
        {
            var handle = await StartAsync(order, taskQueue);

            var status = await handle.GetResultAsync();

            Assert.Equal(FulfilmentStep.Shipped, status.Step);
            Assert.Equal(order.OrderId, status.OrderId);
            // Every forward step got the order as the API read it: what to reserve, what to charge, what to ship.
            Assert.All(systems.Orders, received => Assert.Equal(order, received));
            Assert.Equal(3, systems.Orders.Count);
            Assert.Empty(status.Compensations);
            Assert.Null(status.FailureReason);
            Assert.Equal([$"reserve {order.OrderId}", $"charge {order.OrderId}", $"ship {order.OrderId}"], systems.Calls);
            await AssertReplaysAsync(handle);
        });
    }

    [Fact]
    public async Task A_declined_charge_releases_the_reservation_and_refunds_nothing()
    {
        var systems = new RecordingSystems { DeclineCharge = true };
        var order = NewOrder();
        await WithWorkerAsync(systems, async taskQueue =>
        {
            var handle = await StartAsync(order, taskQueue);

            var status = await handle.GetResultAsync();

            Assert.Equal(FulfilmentStep.Failed, status.Step);
            Assert.Equal([FulfilmentCompensations.ReleaseStock], status.Compensations);
            Assert.Contains("Card declined.", status.FailureReason);
            // Not retried (the rejection is non-retryable), never shipped, nothing charged to refund.
            Assert.Equal([$"reserve {order.OrderId}", $"charge {order.OrderId}", $"release {order.OrderId}"], systems.Calls);
            await AssertReplaysAsync(handle);
        });
    }

    [Fact]
    public async Task A_charge_that_keeps_failing_is_retried_to_its_limit_then_refunded_and_released()
    {
        var systems = new RecordingSystems { ChargeUnreachable = true };
        var order = NewOrder();
        await WithWorkerAsync(systems, async taskQueue =>
        {
            var handle = await StartAsync(order, taskQueue);

            var status = await handle.GetResultAsync();

            Assert.Equal(FulfilmentStep.Failed, status.Step);
            // Whether the last attempt reached the provider is unknown: refund (idempotent) before releasing, last step first.
            Assert.Equal([FulfilmentCompensations.RefundPayment, FulfilmentCompensations.ReleaseStock], status.Compensations);
            Assert.Equal(3, systems.Calls.Count(call => call == $"charge {order.OrderId}"));
            Assert.DoesNotContain($"ship {order.OrderId}", systems.Calls);
            await AssertReplaysAsync(handle);
        });
    }

    [Fact]
    public async Task A_cancel_signal_stops_the_saga_and_undoes_what_it_did()
    {
        var systems = new RecordingSystems { HoldReservation = true };
        var order = NewOrder();
        await WithWorkerAsync(systems, async taskQueue =>
        {
            var handle = await StartAsync(order, taskQueue);
            await systems.ReservationStarted.Task.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken);

            var during = await handle.QueryAsync(workflow => workflow.Status);
            Assert.Equal(FulfilmentStep.ReservingStock, during.Step);
            Assert.False(during.CancelRequested);

            await handle.SignalAsync(workflow => workflow.CancelAsync());
            Assert.True((await handle.QueryAsync(workflow => workflow.Status)).CancelRequested);
            systems.ReleaseReservation.SetResult(); // the step in flight finishes; the saga stops before the next

            var status = await handle.GetResultAsync();

            Assert.Equal(FulfilmentStep.Cancelled, status.Step);
            Assert.Equal([FulfilmentCompensations.ReleaseStock], status.Compensations);
            Assert.Equal([$"reserve {order.OrderId}", $"release {order.OrderId}"], systems.Calls);
            await AssertReplaysAsync(handle);
        });
    }

    [Fact]
    public async Task The_api_client_starts_once_per_order_reports_the_status_and_refuses_a_late_cancel()
    {
        var systems = new RecordingSystems();
        var order = NewOrder();
        await WithWorkerAsync(systems, async taskQueue =>
        {
            var workflows = new TemporalFulfilmentWorkflows(
                server.Environment.Client,
                Options.Create(new FulfilmentOptions { TaskQueue = taskQueue }),
                NullLogger<TemporalFulfilmentWorkflows>.Instance);

            Assert.Null(await workflows.GetStatusAsync(order.OrderId, CancellationToken));
            Assert.Equal(FulfilmentCancel.NotFound, await workflows.CancelAsync(order.OrderId, CancellationToken));

            Assert.True(await workflows.StartAsync(order, CancellationToken));
            Assert.False(await workflows.StartAsync(order, CancellationToken)); // the same order: refused, not run twice
            var handle = server.Environment.Client.GetWorkflowHandle<FulfilmentWorkflow, FulfilmentStatus>(FulfilmentWorkflow.IdFor(order.OrderId));
            await handle.GetResultAsync();

            var status = await workflows.GetStatusAsync(order.OrderId, CancellationToken);
            Assert.Equal(FulfilmentStep.Shipped, status?.Step);
            Assert.Equal(FulfilmentCancel.TooLate, await workflows.CancelAsync(order.OrderId, CancellationToken));
            Assert.False(await workflows.StartAsync(order, CancellationToken)); // finished: still refused
            Assert.Single(systems.Calls, call => call == $"ship {order.OrderId}");
            await AssertReplaysAsync(handle);
        });
    }

    /// <summary>An order as the API hands it to the saga: its own id, what to reserve and what to charge.</summary>
    private static FulfilmentOrder NewOrder() => new(Guid.CreateVersion7(), "LAMP-1", 2, 39.80m);

    private Task<WorkflowHandle<FulfilmentWorkflow, FulfilmentStatus>> StartAsync(FulfilmentOrder order, string taskQueue) =>
        server.Environment.Client.StartWorkflowAsync(
            (FulfilmentWorkflow workflow) => workflow.RunAsync(order),
            new WorkflowOptions(FulfilmentWorkflow.IdFor(order.OrderId), taskQueue));

    /// <summary>Runs <paramref name="test"/> while a worker with the saga and these systems polls a task queue of its own.</summary>
    private async Task WithWorkerAsync(RecordingSystems systems, Func<string, Task> test)
    {
        var environment = server.Environment; // skips here when the test server could not be started
        var taskQueue = $"fulfilment-{Guid.NewGuid():N}";
        using var worker = new TemporalWorker(
            environment.Client,
            new TemporalWorkerOptions(taskQueue)
                .AddAllActivities(new FulfilmentActivities(systems, systems, systems))
                .AddWorkflow<FulfilmentWorkflow>());
        await worker.ExecuteAsync(() => test(taskQueue), CancellationToken);
    }

    /// <summary>Replays the run from its recorded history with today's workflow code: throws on any non-determinism.</summary>
    private static async Task AssertReplaysAsync(WorkflowHandle handle)
    {
        var history = await handle.FetchHistoryAsync();
        var replayer = new WorkflowReplayer(new WorkflowReplayerOptions().AddWorkflow<FulfilmentWorkflow>());
        var result = await replayer.ReplayWorkflowAsync(history);
        Assert.Null(result.ReplayFailure);
    }

    /// <summary>The three systems in one, recording every call in order, with the failures a test asks for.</summary>
    private sealed class RecordingSystems : IInventory, IPayments, IShipping
    {
        private readonly List<string> _calls = [];
        private readonly List<FulfilmentOrder> _orders = [];

        public bool DeclineCharge { get; init; }

        public bool ChargeUnreachable { get; init; }

        public bool HoldReservation { get; init; }

        public TaskCompletionSource ReservationStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource ReleaseReservation { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyList<string> Calls
        {
            get
            {
                lock (_calls)
                {
                    return _calls.ToArray();
                }
            }
        }

        /// <summary>The orders the forward steps received, in call order.</summary>
        public IReadOnlyList<FulfilmentOrder> Orders
        {
            get
            {
                lock (_calls)
                {
                    return _orders.ToArray();
                }
            }
        }

        public async Task<string> ReserveAsync(FulfilmentOrder order, CancellationToken cancellationToken)
        {
            Record($"reserve {order.OrderId}", order);
            if (HoldReservation)
            {
                ReservationStarted.TrySetResult();
                await ReleaseReservation.Task.WaitAsync(cancellationToken);
            }

            return $"reservation-{order.OrderId}";
        }

        public Task ReleaseAsync(Guid orderId, CancellationToken cancellationToken) => Done($"release {orderId}");

        public Task<string> ChargeAsync(FulfilmentOrder order, CancellationToken cancellationToken)
        {
            Record($"charge {order.OrderId}", order);
            return DeclineCharge ? throw new FulfilmentRejectedException("Card declined.")
                : ChargeUnreachable ? throw new HttpRequestException("The payment provider did not answer.")
                : Task.FromResult($"payment-{order.OrderId}");
        }

        public Task RefundAsync(Guid orderId, CancellationToken cancellationToken) => Done($"refund {orderId}");

        public Task<string> ShipAsync(FulfilmentOrder order, CancellationToken cancellationToken)
        {
            Record($"ship {order.OrderId}", order);
            return Task.FromResult($"shipment-{order.OrderId}");
        }

        private Task Done(string call)
        {
            Record(call);
            return Task.CompletedTask;
        }

        private void Record(string call, FulfilmentOrder? order = null)
        {
            lock (_calls)
            {
                _calls.Add(call);
                if (order is not null)
                {
                    _orders.Add(order);
                }
            }
        }
    }
}
