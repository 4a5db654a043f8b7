using System.Diagnostics;
using System.Text;

namespace TemplatePack.Tests.Infrastructure;

/// <summary>
/// A started child process with stdin closed and both output streams captured.
/// Disposing kills the whole process tree: a `dotnet app.dll` or `dotnet build` leaves children behind
/// otherwise, and a test that fails half-way must not leave a server holding a port.
/// </summary>
public sealed class RunningProcess : IAsyncDisposable
{
    // Variables that `dotnet test`/`dotnet run` may set for the harness process itself; inherited by a nested
    // `dotnet build` they point MSBuild at the wrong SDK internals, so every child starts without them.
    private static readonly string[] InheritedMsBuildVariables =
        ["MSBUILD_EXE_PATH", "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly", "VSTEST_HOST_DEBUG"];

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private RunningProcess(ProcessSpec spec)
    {
        Spec = spec;
        var info = new ProcessStartInfo(spec.FileName)
        {
            WorkingDirectory = spec.WorkingDirectory ?? System.Environment.CurrentDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in spec.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var name in InheritedMsBuildVariables)
        {
            info.Environment.Remove(name);
        }

        // Quiet, reproducible CLI: no banner or telemetry notice that could land on stderr.
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        foreach (var (name, value) in spec.Environment)
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data, _stdoutClosed);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data, _stderrClosed);
    }

    public ProcessSpec Spec { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Everything printed so far (both streams), for diagnostics while the process still runs.</summary>
    public string OutputSoFar
    {
        get
        {
            lock (_stdout)
            {
                lock (_stderr)
                {
                    return _stdout + (_stderr.Length > 0 ? "\n--- stderr ---\n" + _stderr : "");
                }
            }
        }
    }

    public static RunningProcess Start(ProcessSpec spec)
    {
        var running = new RunningProcess(spec);
        if (!running._process.Start())
        {
            throw new InvalidOperationException($"Could not start: {spec}");
        }

        // Closed stdin: a prompt (e.g. a run-script post action) reads EOF instead of waiting forever.
        running._process.StandardInput.Close();
        running._process.BeginOutputReadLine();
        running._process.BeginErrorReadLine();
        return running;
    }

    /// <summary>Waits for exit within the spec's timeout; on timeout kills the tree and reports it.</summary>
    public async Task<ProcessResult> WaitAsync(CancellationToken cancellationToken = default)
    {
        var timedOut = false;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(Spec.Timeout);
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                timedOut = true;
                Kill();
            }
        }

        if (timedOut)
        {
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        }

        // The exit event can precede the last buffered lines; wait (bounded) for both streams to reach EOF.
        await Task.WhenAny(Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task), Task.Delay(TimeSpan.FromSeconds(10), CancellationToken.None));
        return Snapshot(timedOut);
    }

    /// <summary>Kills the process and all its descendants; a no-op when it already exited.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill: nothing left to stop.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        }
        finally
        {
            _process.Dispose();
        }
    }

    private ProcessResult Snapshot(bool timedOut)
    {
        lock (_stdout)
        {
            lock (_stderr)
            {
                return new ProcessResult(Spec, timedOut ? -1 : _process.ExitCode, _stdout.ToString(), _stderr.ToString(), timedOut, _clock.Elapsed);
            }
        }
    }

    private static void Append(StringBuilder buffer, string? line, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }

        lock (buffer)
        {
            buffer.AppendLine(line);
        }
    }
}
