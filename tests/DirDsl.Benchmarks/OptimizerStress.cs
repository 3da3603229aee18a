using TorchSharp;
using static TorchSharp.torch;

namespace DirDsl.Benchmarks;

/// <summary>
/// By hand: <c>dotnet run -c Release --project tests/DirDsl.Benchmarks -- stress RUNS STEPS</c>. Trains a small MLP RUNS
/// times for STEPS steps with TorchSharp's Adam and with DirDsl's (TrainingKit.CreateOptimizer) while a thread forces
/// garbage collections and finalizers without pause, and counts the runs that end in the native
/// "Expected false to be true" error (a freed temporary Scalar read during a step).
/// </summary>
public static class OptimizerStress
{
    public static int Run(int runs, int steps)
    {
        torch.set_num_threads(1);
        foreach (var (name, create) in new (string, Func<IEnumerable<TorchSharp.Modules.Parameter>, TorchSharp.Modules.OptimizerHelper>)[]
        {
            ("TorchSharp Adam", p => optim.Adam(p, 1e-3, weight_decay: 1e-4)),
            ("DirDsl SafeAdam", p => TrainingKit.CreateOptimizer(OptimizerKind.Adam, p, 1e-3, 1e-4)),
        })
        {
            int crashes = 0;
            var stepsAtCrash = new List<string>();
            for (int run = 0; run < runs; run++)
            {
                var (done, where) = Train(create, steps);
                if (done < steps)
                {
                    crashes++;
                    stepsAtCrash.Add($"{done} in {where}");
                }
            }
            Console.WriteLine($"{name}: {crashes} of {runs} runs of {steps} steps crashed{(crashes > 0 ? $" (after {string.Join(", ", stepsAtCrash)} steps)" : "")}");
        }
        return 0;
    }

    /// <summary>Steps completed before a native error (all of them when none).</summary>
    private static (int Steps, string Where) Train(Func<IEnumerable<TorchSharp.Modules.Parameter>, TorchSharp.Modules.OptimizerHelper> create, int steps)
    {
        bool stop = false;
        var collector = new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }) { IsBackground = true };
        collector.Start();
        using var model = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1));
        using var optimizer = create(model.parameters());
        using var x = randn(256, 32);
        using var y = randn(256, 1);
        int step = 0;
        try
        {
            for (; step < steps; step++)
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                (model.call(x) - y).pow(KeptScalars.Of(2)).mean().backward();   // a kept Scalar: the loss itself is not what is measured
                optimizer.step();
            }
        }
        catch (System.Runtime.InteropServices.ExternalException e)
        {
            // The first managed frame below TorchSharp's error check names the call that read a freed Scalar.
            var frame = e.StackTrace?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("at ", StringComparison.Ordinal) && !l.Contains("CheckForErrors", StringComparison.Ordinal));
            return (step, frame ?? "?");
        }
        finally
        {
            Volatile.Write(ref stop, true);
            collector.Join();
        }
        return (step, "");
    }
}
