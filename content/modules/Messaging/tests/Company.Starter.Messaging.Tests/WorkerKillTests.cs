using System.Diagnostics;
using Company.Starter.Testing;
using Microsoft.EntityFrameworkCore;

namespace Company.Starter.Messaging.Tests;

/// <summary>
/// The worker killed with SIGKILL in the middle of a batch (no shutdown, no flush, no commit of anything in flight)
/// and started again: every order still gets exactly one receipt. The worker runs as an OS process of its own, the
/// built worker next to this assembly, with its settings in environment variables, as a deployment runs it.
/// </summary>
public sealed class WorkerKillTests(TestEnvironment environment, BrokerServer broker)
{
    private const int OrderCount = 300;

    [Fact]
    public async Task A_worker_killed_mid_batch_and_restarted_gives_every_order_exactly_one_receipt()
    {
        var output = TestContext.Current.TestOutputHelper;
        await using var bed = await OrdersTestBed.CreateAsync(environment, broker);
        var placed = await bed.PlaceOrdersAsync(OrderCount / 2, TestContext.Current.CancellationToken);
        // Small batches, so that the kill finds the relay between a publish and its mark as likely as the consumer
        // between an effect and its acknowledgement.
        var settings = new Dictionary<string, string?>(bed.Settings) { ["Messaging:Relay:BatchSize"] = "25" };

        OrderCounts atKill;
        using (var first = WorkerProcess.Start(settings, "first"))
        {
            // The API keeps placing orders while the worker works, so the relay is busy too when the kill comes.
            var placing = bed.PlaceOrdersAsync(OrderCount - placed.Count, TestContext.Current.CancellationToken);
            await bed.WaitUntilAsync(c => c.Receipts >= OrderCount / 3, TimeSpan.FromSeconds(90), "the first worker handling orders", first.Tail);
            first.Kill();
            atKill = await bed.CountAsync();
            placed.AddRange(await placing);
            output?.WriteLine($"first worker killed (SIGKILL) with {atKill.Receipts} of {atKill.Orders} receipts issued, {atKill.Unsent} events unsent");
        }

        // Otherwise the kill did not land mid-batch, and the test proved nothing.
        Assert.InRange(atKill.Receipts, 1, OrderCount - 1);

        using (var second = WorkerProcess.Start(settings, "second"))
        {
            var done = await bed.WaitUntilAsync(
                c => c.Receipts >= OrderCount && c.Unsent == 0, TimeSpan.FromSeconds(120), "every order handled after the restart", second.Tail);
            output?.WriteLine($"second worker: {done.Receipts} receipts, {done.Unsent} unsent");
        }

        var counts = await bed.CountAsync();
        var receipts = await bed.QueryAsync(db => db.Receipts.Select(r => r.OrderId).ToListAsync());
        var republished = await bed.QueryAsync(db => db.OutboxMessages.CountAsync(m => m.Attempts > 1));
        Assert.Equal(OrderCount, counts.Orders);
        Assert.Equal(OrderCount, counts.Receipts);
        Assert.Equal(placed.Order(), receipts.Order()); // each order once: none missing, none twice
        Assert.Equal(OrderCount, counts.Inbox);
        Assert.Equal(OrderCount, counts.Confirmed);
        output?.WriteLine(
            $"orders {counts.Orders}, receipts {counts.Receipts} (distinct orders {counts.OrdersWithReceipt}), inbox {counts.Inbox}, " +
            $"confirmed {counts.Confirmed}, events published more than once {republished}, receipts at the kill {atKill.Receipts}");
    }

    /// <summary>The built worker (<c>dotnet Company.Starter.Worker.dll</c>) as a child process, its output kept for a failure's message.</summary>
    private sealed class WorkerProcess : IDisposable
    {
        private readonly Process _process;
        private readonly Queue<string> _lines = new();
        private readonly string _name;

        private WorkerProcess(Process process, string name)
        {
            _process = process;
            _name = name;
        }

        public static WorkerProcess Start(IReadOnlyDictionary<string, string?> settings, string name)
        {
            var worker = typeof(Program).Assembly.Location;
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
                WorkingDirectory = Path.GetDirectoryName(worker)!,
            };
            start.ArgumentList.Add(worker);

            start.Environment["DOTNET_ENVIRONMENT"] = "Production";
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
            start.Environment["Logging__Console__FormatterName"] = "simple";
            foreach (var (key, value) in settings)
            {
                start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
            }

            var process = Process.Start(start) ?? throw new InvalidOperationException("The worker process did not start.");
            var child = new WorkerProcess(process, name);
            process.OutputDataReceived += (_, e) => child.Keep(e.Data);
            process.ErrorDataReceived += (_, e) => child.Keep(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return child;
        }

        /// <summary>SIGKILL: the process ends at once, nothing of it runs again.</summary>
        public void Kill()
        {
            _process.Kill(entireProcessTree: true);
            Assert.True(_process.WaitForExit(TimeSpan.FromSeconds(30)), "The killed worker did not exit.");
        }

        /// <summary>The last lines the worker wrote, for a failure's message.</summary>
        public string Tail()
        {
            lock (_lines)
            {
                return _lines.Count == 0 ? string.Empty : $" (the {_name} worker{(_process.HasExited ? $" exited with {_process.ExitCode}" : string.Empty)}, last lines:{Environment.NewLine}{string.Join(Environment.NewLine, _lines)})";
            }
        }

        private void Keep(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_lines)
            {
                _lines.Enqueue(line);
                while (_lines.Count > 40)
                {
                    _lines.Dequeue();
                }
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(30));
            }

            _process.Dispose();
        }
    }
}
