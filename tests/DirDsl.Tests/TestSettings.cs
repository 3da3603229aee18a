using Xunit;

// torch's random generator is global to the process: tests that train and compare runs bit for bit (resume, streaming
// against in-memory, same-seed determinism) would race if another class trained at the same time and drew from it
// between a reseed and a model's initialisation. The assembly's tests therefore run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
