namespace DirDsl.Generators;

/// <summary>Names of the incremental pipeline's steps, for caching tests.</summary>
internal static class TrackingNames
{
    public const string Experiments = nameof(Experiments);
    public const string ValidExperiments = nameof(ValidExperiments);
    public const string Stubs = nameof(Stubs);
    public const string AllExperiments = nameof(AllExperiments);
    public const string EntryPoint = nameof(EntryPoint);
}
