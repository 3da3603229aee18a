namespace DirDsl.Generators.Parsing;

/// <summary>Metadata names of the DSL's attributes and of the runtime types signatures are checked against.</summary>
internal static class AttributeNames
{
    /// <summary>The assembly whose reference makes the generated entry point draw figures.</summary>
    public const string FiguresAssembly = "DirDsl.Figures";

    /// <summary>The assembly whose reference gives an executable without its own Main the generated entry point.</summary>
    public const string HostingAssembly = "DirDsl.Hosting";

    public const string Experiment = "DirDsl.DirExperimentAttribute";
    public const string LabelBins = "DirDsl.LabelBinsAttribute";
    public const string Lds = "DirDsl.LdsAttribute";
    public const string Fds = "DirDsl.FdsAttribute";
    public const string Loss = "DirDsl.LossAttribute";
    public const string ShotGroups = "DirDsl.ShotGroupsAttribute";
    public const string Ablation = "DirDsl.AblationAttribute";
    public const string CrossValidation = "DirDsl.CrossValidationAttribute";
    public const string LrSchedule = "DirDsl.LrScheduleAttribute";
    public const string DenseWeight = "DirDsl.DenseWeightAttribute";
    public const string BalancedMse = "DirDsl.BalancedMseAttribute";
    public const string Rrt = "DirDsl.RrtAttribute";
    public const string Smoter = "DirDsl.SmoterAttribute";
    public const string Smogn = "DirDsl.SmognAttribute";
    public const string Search = "DirDsl.SearchAttribute";
    public const string Data = "DirDsl.DataAttribute";
    public const string Encoder = "DirDsl.EncoderAttribute";
    public const string Regressor = "DirDsl.RegressorAttribute";
    public const string Feature = "DirDsl.FeatureAttribute";
    public const string Target = "DirDsl.TargetAttribute";
    /// <summary>[Image] lives in DirDsl.Images (namespace DirDsl): without that package it does not resolve.</summary>
    public const string Image = "DirDsl.ImageAttribute";
    /// <summary>[DepthMap] lives in DirDsl.Images too.</summary>
    public const string DepthMap = "DirDsl.DepthMapAttribute";

    public const string DirSplits = "DirDsl.DirSplits`1";
    public const string DataContext = "DirDsl.DataContext";
    public const string Tensor = "global::TorchSharp.torch.Tensor";
    public const string TrainingBatch = "DirDsl.TrainingBatch";
    public const string RegressionLoss = "DirDsl.IRegressionLoss";
    public const string TensorModule = "global::TorchSharp.torch.nn.Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor>";

    /// <summary>The short name users write, for messages and locating arguments.</summary>
    public static string ShortName(string metadataName)
    {
        var name = metadataName.Substring(metadataName.LastIndexOf('.') + 1);
        return name.EndsWith("Attribute", System.StringComparison.Ordinal) ? name.Substring(0, name.Length - "Attribute".Length) : name;
    }
}
