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
        await WithWorkerAsync(systems, async taskQueue =>
        {
            var handle = await StartAsync(1001, taskQueue);

            var status = await handle.GetResultAsync();

            Assert.Equal(FulfilmentStep.Shipped, status.Step);
            Assert.Empty(status.Compensations);
            Assert.Null(status.FailureReason);
            Assert.Equal(["reserve 1001", "charge 1001", "ship 1001"], systems.Calls);
            await AssertReplaysAsync(handle);
        });
    }

    [Fact]
    public async Task A_declined_charge_releases_the_reservation_and_refunds_nothing()
    {
        var systems = new RecordingSystems { DeclineCharge = true };
        await WithWorkerAsync(systems, async taskQueue =>
        {
            var handle = await StartAsync(1002, taskQueue);

            var status = await handle.GetResultAsync();

            Assert.Equal(FulfilmentStep.Failed, status.Step);
            Assert.Equal([FulfilmentCompensations.ReleaseStock], status.Compensations);
            Assert.Contains("Card declined.", status.FailureReason);
            // Not retried (the rejection is non-retryable), never shipped, nothing charged to refund.
            Assert.Equal(["reserve 1002", "charge 1002", "release 1002"], systems.Calls);
            await AssertReplaysAsync(handle);
        });
    }

    [Fact]
    public async Task A_charge_that_keeps_failing_is_retried_to_its_limit_then_refunded_and_released()
    {
        var systems = new RecordingSystems { ChargeUnreachable = true };
        await WithWorkerAsync(systems, async taskQueue =>
        {
            var handle = await StartAsync(1003, taskQueue);

            var status = await handle.GetResultAsync();

            Assert.Equal(FulfilmentStep.Failed, status.Step);
            // Whether the last attempt reached the provider is unknown: refund (idempotent) before releasing, last step first.
            Assert.Equal([FulfilmentCompensations.RefundPayment, FulfilmentCompensations.ReleaseStock], status.Compensations);
            Assert.Equal(3, systems.Calls.Count(call => call == "charge 1003"));
            Assert.DoesNotContain("ship 1003", systems.Calls);
            await AssertReplaysAsync(handle);
        });
    }

    [Fact]
    public async Task A_cancel_signal_stops_the_saga_and_undoes_what_it_did()
    {
        var systems = new RecordingSystems { HoldReservation = true };
        await WithWorkerAsync(systems, async taskQueue =>
        {
            var handle = await StartAsync(1004, taskQueue);
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
            Assert.Equal(["reserve 1004", "release 1004"], systems.Calls);
            await AssertReplaysAsync(handle);
        });
    }

    [Fact]
    public async Task The_api_client_starts_once_per_order_reports_the_status_and_refuses_a_late_cancel()
    {
        var systems = new RecordingSystems();
        await WithWorkerAsync(systems, async taskQueue =>
        {
            var workflows = new TemporalFulfilmentWorkflows(
                server.Environment.Client,
                Options.Create(new FulfilmentOptions { TaskQueue = taskQueue }),
                NullLogger<TemporalFulfilmentWorkflows>.Instance);

            Assert.Null(await workflows.GetStatusAsync(1005, CancellationToken));
            Assert.Equal(FulfilmentCancel.NotFound, await workflows.CancelAsync(1005, CancellationToken));

            Assert.True(await workflows.StartAsync(1005, CancellationToken));
            Assert.False(await workflows.StartAsync(1005, CancellationToken)); // the same order: refused, not run twice
            var handle = server.Environment.Client.GetWorkflowHandle<FulfilmentWorkflow, FulfilmentStatus>(FulfilmentWorkflow.IdFor(1005));
            await handle.GetResultAsync();

            var status = await workflows.GetStatusAsync(1005, CancellationToken);
            Assert.Equal(FulfilmentStep.Shipped, status?.Step);
            Assert.Equal(FulfilmentCancel.TooLate, await workflows.CancelAsync(1005, CancellationToken));
            Assert.False(await workflows.StartAsync(1005, CancellationToken)); // finished: still refused
            Assert.Single(systems.Calls, call => call == "ship 1005");
            await AssertReplaysAsync(handle);
        });
    }

    private Task<WorkflowHandle<FulfilmentWorkflow, FulfilmentStatus>> StartAsync(long orderId, string taskQueue) =>
        server.Environment.Client.StartWorkflowAsync(
            (FulfilmentWorkflow workflow) => workflow.RunAsync(orderId),
            new WorkflowOptions(FulfilmentWorkflow.IdFor(orderId), taskQueue));

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

        public async Task<string> ReserveAsync(long orderId, CancellationToken cancellationToken)
        {
            Record($"reserve {orderId}");
            if (HoldReservation)
            {
                ReservationStarted.TrySetResult();
                await ReleaseReservation.Task.WaitAsync(cancellationToken);
            }

            return $"reservation-{orderId}";
        }

        public Task ReleaseAsync(long orderId, CancellationToken cancellationToken) => Done($"release {orderId}");

        public Task<string> ChargeAsync(long orderId, CancellationToken cancellationToken)
        {
            Record($"charge {orderId}");
            return DeclineCharge ? throw new FulfilmentRejectedException("Card declined.")
                : ChargeUnreachable ? throw new HttpRequestException("The payment provider did not answer.")
                : Task.FromResult($"payment-{orderId}");
        }

        public Task RefundAsync(long orderId, CancellationToken cancellationToken) => Done($"refund {orderId}");

        public Task<string> ShipAsync(long orderId, CancellationToken cancellationToken)
        {
            Record($"ship {orderId}");
            return Task.FromResult($"shipment-{orderId}");
        }

        private Task Done(string call)
        {
            Record(call);
            return Task.CompletedTask;
        }

        private void Record(string call)
        {
            lock (_calls)
            {
                _calls.Add(call);
            }
        }
    }
}
