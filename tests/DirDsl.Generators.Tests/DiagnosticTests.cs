using DirDsl.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace DirDsl.Generators.Tests;

/// <summary>One test per DIRnnn: the markup {|DIRnnn:...|} is the exact span; no other diagnostic may appear.</summary>
public sealed class DiagnosticTests
{
    private static async Task Verify(ExperimentSource source)
    {
        var test = new CSharpAnalyzerTest<ExperimentAnalyzer, DefaultVerifier>
        {
            TestCode = source.ToString(),
            ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
        };
        test.TestState.AdditionalReferences.AddRange(TestCompilation.References);
        await test.RunAsync();
    }

    [Fact]
    public Task ValidExperiment_HasNoDiagnostic() => Verify(new ExperimentSource
    {
        Extra = "[Lds(Kernel.Gaussian, Size = 5, Sigma = 2)] [Fds(Momentum = 0.9)] [Loss(LossKind.Huber, Beta = 0.3)] [DenseWeight(Alpha = 0.5)] [BalancedMse(BalancedMseKind.Gai)] [Ablation(Seeds = 3)] [Smoter(Neighbours = 3)] [Smogn(Perturbation = 0.05, Relevance = RelevanceKind.Rarity)] [Search(Kernels = new[] { Kernel.Gaussian, Kernel.Laplace }, Sizes = new[] { 3, 5 }, Sigmas = new[] { 1.0, 2.0 }, Momentums = new[] { 0.9, 0.99 }, BinCounts = new[] { 10, 20 })]",
    });

    /// <summary>The analyzer on an executable (the generator is not run here, so a missing Main is also CS5001).</summary>
    private static async Task VerifyExecutable(string source, bool hosting, bool userMain, string main = "static class Program { static void Main() => System.Console.WriteLine(typeof(Exp)); }")
    {
        var test = new CSharpAnalyzerTest<ExperimentAnalyzer, DefaultVerifier>
        {
            TestCode = source + (userMain ? "\n" + main : ""),
            ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
        };
        test.TestState.OutputKind = OutputKind.ConsoleApplication;
        test.TestState.AdditionalReferences.AddRange(hosting ? TestCompilation.References : TestCompilation.CoreReferences);
        if (!userMain) test.ExpectedDiagnostics.Add(DiagnosticResult.CompilerError("CS5001"));
        await test.RunAsync();
    }

    [Fact]
    public Task ExecutableWithoutMainOrHosting_WarnsOnTheClassName() =>
        VerifyExecutable(new ExperimentSource { Name = "{|DIR103:Exp|}" }.ToString(), hosting: false, userMain: false);

    [Fact]
    public async Task ExecutableWithHostingOrItsOwnMain_HasNoDir103()
    {
        await VerifyExecutable(new ExperimentSource().ToString(), hosting: true, userMain: false);
        await VerifyExecutable(new ExperimentSource().ToString(), hosting: false, userMain: true);
    }

    [Fact]
    public async Task OwnEntryPointThatNeverNamesTheExperiment_IsDir106()
    {
        await VerifyExecutable(new ExperimentSource().ToString(), hosting: true, userMain: true,
            main: "static class Program { static void {|DIR106:Main|}() => System.Console.WriteLine(\"Hello, World!\"); }");
        // A Main that hands the arguments to DirDsl's command line runs the experiment: no warning.
        await VerifyExecutable(new ExperimentSource().ToString(), hosting: true, userMain: true,
            main: "static class Program { static int Main(string[] args) => DirDsl.Hosting.DirCommandLine.Run(args, System.Array.Empty<DirDsl.ExperimentEntry>()); }");
    }

    [Fact]
    public Task NonPartialClass_ReportsErrorOnClassName() => Verify(new ExperimentSource { Modifiers = "public class", Name = "{|DIR001:Exp|}" });

    [Fact]
    public Task EvenKernelSize_ReportsErrorOnSizeArgument() => Verify(new ExperimentSource { Extra = "[Lds(Kernel.Gaussian, Size = {|DIR002:4|})]" });

    [Fact]
    public Task SmallFdsKernelSize_ReportsErrorOnSizeArgument() => Verify(new ExperimentSource { Extra = "[Fds(Size = {|DIR002:1|})]" });

    [Fact]
    public Task ZeroSigma_ReportsErrorOnSigmaArgument() => Verify(new ExperimentSource { Extra = "[Lds(Sigma = {|DIR003:0|})]" });

    [Fact]
    public Task MomentumOfOne_ReportsErrorOnMomentumArgument() => Verify(new ExperimentSource { Extra = "[Fds(Momentum = {|DIR004:1.0|})]" });

    [Fact]
    public Task NegativeStartEpoch_ReportsErrorOnStartEpochArgument() => Verify(new ExperimentSource { Extra = "[Fds(StartEpoch = {|DIR005:-1|}, StartSmooth = 1)]" });

    [Fact]
    public Task StartSmoothNotAfterStartEpoch_ReportsErrorOnStartSmoothArgument() => Verify(new ExperimentSource { Extra = "[Fds(StartEpoch = 2, StartSmooth = {|DIR006:2|})]" });

    [Fact]
    public Task LdsWithReweightNone_ReportsErrorOnReweightArgument() => Verify(new ExperimentSource { Extra = "[Lds(Reweight = {|DIR007:Reweight.None|})]" });

    [Fact]
    public Task MaxNotAboveMin_ReportsErrorOnMaxArgument() => Verify(new ExperimentSource { Bins = "[LabelBins(Min = 5, Max = {|DIR008:5|}, Count = 50)]" });

    [Fact]
    public Task ZeroBinCount_ReportsErrorOnCountArgument() => Verify(new ExperimentSource { Bins = "[LabelBins(Min = 0, Max = 5, Count = {|DIR009:0|})]" });

    /// <summary>An image record: one [Image] member, a target, and a parameterless encoder factory (no input width).</summary>
    private static ExperimentSource ImageExperiment(string image, string type = "string") => new()
    {
        Record = $"public sealed record Row([property: {image}] {type} Path, [property: Target] double Y);",
        Encoder = "[Encoder(FeatureDim = 4)] public static nn.Module<Tensor, Tensor> Encoder() => nn.Sequential(nn.Flatten(), nn.Linear(64 * 64, 4));",
    };

    [Fact]
    public async Task ImageRecords_OfEachSourceType_HaveNoDiagnostic()
    {
        await Verify(ImageExperiment("Image(64, Color = ImageColor.Gray, Mean = 0.4, Std = 0.2, Padding = 8, Flip = false, BadImages = BadRecordPolicy.Skip)"));
        await Verify(ImageExperiment("Image(32)", "byte[]"));
        await Verify(ImageExperiment("Image(32, Augment = false)", "float[]"));
        await Verify(ImageExperiment("Image(304, Height = 228, Padding = 16)"));
    }

    [Theory]
    [InlineData("Image({|#0:0|})", "Path", "Size must be 1 to 4096 pixels, not 0")]
    [InlineData("Image({|#0:5000|})", "Path", "Size must be 1 to 4096 pixels, not 5000")]
    [InlineData("Image(64, Std = {|#0:0|})", "Path", "Std must be a positive finite number, not 0")]
    [InlineData("Image(64, Mean = {|#0:double.NaN|})", "Path", "Mean must be a finite number, not NaN")]
    [InlineData("Image(32, Padding = {|#0:33|})", "Path", "Padding must be 0 to Size (32) pixels, not 33")]
    [InlineData("Image(size: {|#0:-1|})", "Path", "Size must be 1 to 4096 pixels, not -1")]
    [InlineData("Image(32, Height = {|#0:5000|})", "Path", "Height must be 1 to 4096 pixels, or 0 for a square image, not 5000")]
    [InlineData("Image(32, Height = 16, Padding = {|#0:20|})", "Path", "Padding must be 0 to the shorter side (16) pixels, not 20")]
    public async Task WrongImageArgument_IsDir041OnTheArgument_NamingTheMember(string image, string member, string message)
    {
        var test = new CSharpAnalyzerTest<ExperimentAnalyzer, DefaultVerifier>
        {
            TestCode = ImageExperiment(image).ToString(),
            ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
        };
        test.TestState.AdditionalReferences.AddRange(TestCompilation.References);
        test.ExpectedDiagnostics.Add(new DiagnosticResult(DiagnosticDescriptors.ImageSetting).WithLocation(0).WithArguments(member, message));
        await test.RunAsync();
    }

    [Fact]
    public Task NegativePadding_IsDir041OnThePaddingArgument() => Verify(ImageExperiment("Image(64, Padding = {|DIR041:-1|})"));

    [Fact]
    public Task UndefinedImageColor_IsDir039OnTheArgument() => Verify(ImageExperiment("Image(64, Color = {|DIR039:(ImageColor)5|})"));


    private static ExperimentSource DepthExperiment(string depth, string type = "string", string extra = "") => new()
    {
        Record = $"public sealed record Row([property: Image(16)] string Photo, [property: {depth}] {type} Depth);",
        Encoder = "[Encoder(FeatureDim = 4)] public static nn.Module<Tensor, Tensor> Encoder() => nn.Conv2d(3, 4, 1);",
        Extra = extra,
    };

    [Fact]
    public async Task DepthMapRecords_OfEachSourceType_HaveNoDiagnostic()
    {
        await Verify(DepthExperiment("DepthMap(16, 16, Scale = 0.001, Min = 0.1, Max = 10, MissingValue = 65535)"));
        await Verify(DepthExperiment("DepthMap(8, 12)", "float[]", "[Fds(StartBin = 2)] [Lds(StartBin = 9, Padding = LdsPadding.Reflect)]"));
    }

    [Theory]
    [InlineData("DepthMap({|#0:0|}, 16)", "Height must be 1 to 4096 pixels, not 0")]
    [InlineData("DepthMap(16, {|#0:5000|})", "Width must be 1 to 4096 pixels, not 5000")]
    [InlineData("DepthMap(16, 16, Scale = {|#0:0|})", "Scale (stored value to target unit) must be a finite number above 0, not 0")]
    [InlineData("DepthMap(16, 16, Scale = {|#0:double.PositiveInfinity|})", "Scale (stored value to target unit) must be a finite number above 0, not Infinity")]
    [InlineData("DepthMap(16, 16, Min = 5, Max = {|#0:5|})", "the valid range (Min, Max] needs a finite Min and Max above it, not (5, 5]")]
    [InlineData("DepthMap(16, 16, Min = {|#0:double.NegativeInfinity|})", "the valid range (Min, Max] needs a finite Min and Max above it, not (-Infinity, Infinity]")]
    [InlineData("DepthMap(16, 16, MissingValue = {|#0:double.PositiveInfinity|})", "MissingValue must be a finite stored value, or NaN for none, not Infinity")]
    public async Task WrongDepthMapArgument_IsDir048OnTheArgument_NamingTheMember(string depth, string message)
    {
        var test = new CSharpAnalyzerTest<ExperimentAnalyzer, DefaultVerifier>
        {
            TestCode = DepthExperiment(depth).ToString(),
            ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
        };
        test.TestState.AdditionalReferences.AddRange(TestCompilation.References);
        test.ExpectedDiagnostics.Add(new DiagnosticResult(DiagnosticDescriptors.DepthMapSetting).WithLocation(0).WithArguments("Depth", message));
        await test.RunAsync();
    }

    [Fact]
    public Task NegativeDepthScale_IsDir048OnTheScaleArgument() => Verify(DepthExperiment("DepthMap(16, 16, Scale = {|DIR048:-0.001|})"));

    [Fact]
    public async Task DepthMapRecordShapes_AreDir022OnTheMemberAtFault()
    {
        // A map of another type, a [Target] beside the map, a map without an image, two maps.
        await Verify(new ExperimentSource { Record = "public sealed record Row([property: Image(16)] string Photo, [property: DepthMap(8, 8)] double[] {|DIR022:Depth|});" });
        await Verify(new ExperimentSource { Record = "public sealed record Row([property: Image(16)] string Photo, [property: DepthMap(8, 8)] string Depth, [property: Target] double {|DIR022:Y|});" });
        await Verify(new ExperimentSource { Record = "public sealed record Row([property: Feature] double X, [property: DepthMap(8, 8)] string {|DIR022:Depth|});" });
        await Verify(new ExperimentSource { Record = "public sealed record Row([property: Image(16)] string Photo, [property: DepthMap(8, 8)] string A, [property: DepthMap(8, 8)] string {|DIR022:B|});" });
    }

    [Fact]
    public async Task StartBinOutsideTheBins_IsDir049OnTheArgument()
    {
        // The default experiment has 50 bins: 0..49.
        await Verify(new ExperimentSource { Extra = "[Lds(StartBin = {|DIR049:50|})]" });
        await Verify(new ExperimentSource { Extra = "[Fds(StartBin = {|DIR049:-1|})]" });
        var test = new CSharpAnalyzerTest<ExperimentAnalyzer, DefaultVerifier>
        {
            TestCode = new ExperimentSource { Extra = "[Lds(StartBin = {|#0:60|})]" }.ToString(),
            ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
        };
        test.TestState.AdditionalReferences.AddRange(TestCompilation.References);
        test.ExpectedDiagnostics.Add(new DiagnosticResult(DiagnosticDescriptors.StartBin).WithLocation(0).WithArguments("LDS", "49", "60"));
        await test.RunAsync();
    }

    [Fact]
    public Task ScalarOnlyMethodOnADepthMap_IsDir046_AndFdsIsNot() =>
        Verify(DepthExperiment("DepthMap(8, 8)", extra: "[Fds] [{|DIR046:BalancedMse(BalancedMseKind.Bni)|}]"));
    [Fact]
    public async Task ImageRecordShapes_AreDir022OnTheMemberAtFault()
    {
        // An unsupported member type, two images, and an image beside [Feature] members.
        await Verify(new ExperimentSource { Record = "public sealed record Row([property: Image(64)] int {|DIR022:Path|}, [property: Target] double Y);" });
        await Verify(new ExperimentSource { Record = "public sealed record Row([property: Image(64)] string A, [property: Image(64)] string {|DIR022:B|}, [property: Target] double Y);" });
        await Verify(new ExperimentSource { Record = "public sealed record Row([property: Image(64)] string A, [property: Feature] double {|DIR022:X|}, [property: Target] double Y);" });
    }

    [Fact]
    public async Task UndefinedEnumValue_ReportsErrorOnTheArgument_NamingTheValidValues()
    {
        await Verify(new ExperimentSource { Extra = "[Fds(Kernel = {|DIR039:(Kernel)7|})]" });
        // Positional arguments are found too, and the message names the valid values.
        var test = new CSharpAnalyzerTest<ExperimentAnalyzer, DefaultVerifier>
        {
            TestCode = new ExperimentSource { Extra = "[Loss({|#0:(LossKind)42|})]" }.ToString(),
            ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
        };
        test.TestState.AdditionalReferences.AddRange(TestCompilation.References);
        test.ExpectedDiagnostics.Add(new DiagnosticResult(DiagnosticDescriptors.UndefinedEnumValue).WithLocation(0)
            .WithArguments("kind", "42", "LossKind", "Mse, L1, Huber, FocalL1, FocalMse"));
        await test.RunAsync();
    }

    [Fact]
    public Task InvertedShotThresholds_ReportsErrorOnFewBelow() =>
        Verify(new ExperimentSource { Extra = "[ShotGroups(ManyAbove = 20, FewBelow = {|DIR040:100|})]" });

    [Fact]
    public Task AbsurdBinCount_WarnsOnCount() =>
        Verify(new ExperimentSource { Bins = "[LabelBins(Min = 0, Max = 5, Count = {|DIR104:1_000_000|})]" });

    [Fact]
    public async Task SettingsThatDoNothing_WarnOnTheirArguments()
    {
        await Verify(new ExperimentSource { Extra = "[Loss(LossKind.L1, Beta = {|DIR105:0.5|})]" });
        await Verify(new ExperimentSource { Extra = "[Loss(LossKind.Huber, Gamma = {|DIR105:2|})]" });
        await Verify(new ExperimentSource { Experiment = "[DirExperiment(Epochs = 10, Patience = {|DIR105:10|})]" });
        await Verify(new ExperimentSource { Experiment = "[DirExperiment(Epochs = 10)]", Extra = "[LrSchedule(ScheduleKind.MultiStep, Milestones = {|DIR105:new[] { 5, 12 }|})]" });
        // The same settings where they act: no diagnostic.
        await Verify(new ExperimentSource { Experiment = "[DirExperiment(Epochs = 10, Patience = 3)]", Extra = "[Loss(LossKind.Huber, Beta = 0.5)] [LrSchedule(ScheduleKind.MultiStep, Milestones = new[] { 5, 8 })]" });
    }

    [Fact]
    public Task ZeroEpochs_ReportsErrorOnEpochsArgument() => Verify(new ExperimentSource { Experiment = "[DirExperiment(Epochs = {|DIR010:0|})]" });

    [Fact]
    public Task ZeroBatchSize_ReportsErrorOnBatchSizeArgument() => Verify(new ExperimentSource { Experiment = "[DirExperiment(BatchSize = {|DIR011:0|})]" });

    [Fact]
    public Task NegativeLearningRate_ReportsErrorOnLearningRateArgument() => Verify(new ExperimentSource { Experiment = "[DirExperiment(LearningRate = {|DIR012:-0.1|})]" });

    [Fact]
    public async Task MissingOrZeroFeatureDim_ReportsErrorOnTheEncoderAttribute_WithOrWithoutFds()
    {
        // Left out: on [Encoder] itself (FDS or not, the regressor needs the width).
        await Verify(new ExperimentSource
        {
            Extra = "[Fds]",
            Encoder = "[{|DIR013:Encoder|}] public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Linear(inputDim, 4);",
        });
        // Zero, without [Fds]: on the FeatureDim argument, and the message is about the encoder, not FDS.
        var test = new CSharpAnalyzerTest<ExperimentAnalyzer, DefaultVerifier>
        {
            TestCode = new ExperimentSource
            {
                Encoder = "[Encoder(FeatureDim = {|#0:0|})] public static nn.Module<Tensor, Tensor> Encoder(int inputDim) => nn.Linear(inputDim, 4);",
            }.ToString(),
            ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
        };
        test.TestState.AdditionalReferences.AddRange(TestCompilation.References);
        test.ExpectedDiagnostics.Add(new DiagnosticResult(DiagnosticDescriptors.EncoderFeatureDim).WithLocation(0).WithArguments("0"));
        await test.RunAsync();
        Assert.DoesNotContain("FDS", DiagnosticDescriptors.EncoderFeatureDim.MessageFormat.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public Task NoDataMember_ReportsErrorOnClassName() => Verify(new ExperimentSource { Modifiers = "public partial class", Name = "{|DIR014:Exp|}", Data = "" });

    [Fact]
    public Task TwoDataMembers_ReportsErrorOnTheSecond() => Verify(new ExperimentSource
    {
        Members = "[Data] public static DirSplits<Row> {|DIR015:Other|}() => throw new System.NotSupportedException();",
    });

    [Fact]
    public Task DataMemberWithWrongSignature_ReportsErrorOnMember() => Verify(new ExperimentSource
    {
        Data = "[Data] public static System.Collections.Generic.List<Row> {|DIR016:Load|}() => new();",
    });

    [Fact]
    public Task EncoderWithWrongSignature_ReportsErrorOnMember() => Verify(new ExperimentSource
    {
        // int or long is right (TorchSharp's Linear takes long); a double width is not.
        Encoder = "[Encoder(FeatureDim = 4)] public static nn.Module<Tensor, Tensor> {|DIR017:Encoder|}(double inputDim) => nn.Linear((long)inputDim, 4);",
    });

    [Fact]
    public Task LossTypeNotALoss_ReportsErrorOnTheTypeArgument() => Verify(new ExperimentSource
    {
        Record = "public sealed record Row([property: Feature] double X, [property: Feature] string Kind, [property: Target] double Y); public sealed class NotALoss { }",
        Extra = "[Loss({|DIR042:typeof(NotALoss)|})]",
    });

    [Fact]
    public Task LossTypeWithoutParameterlessConstructor_ReportsErrorOnTheTypeArgument() => Verify(new ExperimentSource
    {
        Record = "public sealed record Row([property: Feature] double X, [property: Feature] string Kind, [property: Target] double Y); "
            + "public sealed class ScaledLoss(double scale) : IRegressionLoss { public Tensor Elementwise(Tensor p, Tensor t) => (p - t).abs() * scale; }",
        Extra = "[Loss({|DIR042:typeof(ScaledLoss)|})]",
    });

    [Fact]
    public Task BsamRhoZero_ReportsErrorOnRhoArgument() => Verify(new ExperimentSource { Extra = "[Bsam(Rho = {|DIR044:0|})]" });

    [Fact]
    public Task TrainingStepWithWrongSignature_ReportsErrorOnTheMethod() => Verify(new ExperimentSource
    {
        Members = "public static Tensor {|DIR043:TrainingStep|}(TrainingBatch batch) => batch.Targets;",
    });

    [Fact]
    public Task NegativeHuberBeta_ReportsErrorOnBetaArgument() => Verify(new ExperimentSource { Extra = "[Loss(LossKind.Huber, Beta = {|DIR018:-1|})]" });

    [Fact]
    public Task ZeroFocalGamma_ReportsErrorOnGammaArgument() => Verify(new ExperimentSource { Extra = "[Loss(LossKind.FocalL1, Gamma = {|DIR018:0|})]" });

    [Fact]
    public Task OverlappingShotGroups_ReportsErrorOnTheLaterList() => Verify(new ExperimentSource
    {
        Bins = "[LabelBins(Min = 0, Max = 4, Count = 4)]",
        Extra = "[ShotGroups(Many = new[] { 0, 1 }, Medium = {|DIR019:new[] { 1 }|}, Few = new[] { 2, 3 })]",
    });

    [Fact]
    public Task ShotGroupsLeavingBinsOut_ReportsErrorOnTheLastList() => Verify(new ExperimentSource
    {
        Bins = "[LabelBins(Min = 0, Max = 4, Count = 4)]",
        Extra = "[ShotGroups(Many = new[] { 0 }, Medium = new[] { 1 }, Few = {|DIR020:new[] { 2 }|})]",
    });

    [Fact]
    public Task NoLabelBins_ReportsErrorOnClassName() => Verify(new ExperimentSource { Bins = "", Modifiers = "public partial class", Name = "{|DIR021:Exp|}" });

    [Fact]
    public async Task ArrayTargetLength_IsDir045OnTheLengthArgument()
    {
        // An array target without its length, with a length below 1, and a length on a number member.
        await Verify(new ExperimentSource { Record = "public sealed record Row([property: Feature] double X, [property: {|DIR045:Target|}] double[] Y);" });
        await Verify(new ExperimentSource { Record = "public sealed record Row([property: Feature] double X, [property: Target(Length = {|DIR045:0|})] float[] Y);" });
        await Verify(new ExperimentSource { Record = "public sealed record Row([property: Feature] double X, [property: Target(Length = {|DIR045:2|})] double Y);" });
    }

    [Fact]
    public async Task VectorTargets_CompileWithoutDiagnostics_UnlessMixedOrOnAnImage()
    {
        await Verify(new ExperimentSource { Record = "public sealed record Row([property: Feature] double X, [property: Target] double Y, [property: Target] int Z);" });
        await Verify(new ExperimentSource { Record = "public sealed record Row([property: Feature] double X, [property: Target(Length = 3)] float[] Y);" });
        await Verify(new ExperimentSource { Record = "public sealed record Row([property: Feature] double X, [property: Target(Length = 2)] float[] Y, [property: Target] double {|DIR022:Z|});" });
    }

    [Fact]
    public async Task ScalarOnlyMethodWithVectorTarget_IsDir046OnTheMethodAttribute()
    {
        const string record = "public sealed record Row([property: Feature] double X, [property: Target] double Y, [property: Target] double Z);";
        await Verify(new ExperimentSource { Record = record, Extra = "[{|DIR046:Fds|}]" });
        await Verify(new ExperimentSource { Record = record, Extra = "[{|DIR046:BalancedMse(BalancedMseKind.Bni)|}]" });
        await Verify(new ExperimentSource { Record = record, Extra = "[{|DIR046:Smoter|}]" });
    }

    [Fact]
    public Task RecordWithoutTarget_ReportsErrorOnTheRecordType() => Verify(new ExperimentSource
    {
        Record = "public sealed record {|DIR022:Row|}([property: Feature] double X, double Y);",
    });

    [Fact]
    public async Task UnsupportedFeatureType_ReportsErrorOnTheRecordMember_NamingTheRecord()
    {
        var test = new CSharpAnalyzerTest<ExperimentAnalyzer, DefaultVerifier>
        {
            TestCode = new ExperimentSource
            {
                Record = "public sealed record Row([property: Feature] System.DateTime {|#0:When|}, [property: Target] double Y);",
            }.ToString(),
            ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
        };
        test.TestState.AdditionalReferences.AddRange(TestCompilation.References);
        test.ExpectedDiagnostics.Add(new DiagnosticResult(DiagnosticDescriptors.RecordShape).WithLocation(0).WithArguments("Row",
            "[Feature] member 'When' has unsupported type 'System.DateTime' (use a number, bool, string, enum, float[] or double[], or a nullable number or bool for missing values)"));
        await test.RunAsync();
        await Verify(new ExperimentSource { Record = "public sealed record Row([property: Feature] double X, [property: Target] double? {|DIR022:Y|});" });
    }

    [Fact]
    public Task NoEncoder_ReportsErrorOnClassName() => Verify(new ExperimentSource { Encoder = "", Modifiers = "public partial class", Name = "{|DIR023:Exp|}" });

    [Fact]
    public Task NegativeWeightDecay_ReportsErrorOnWeightDecayArgument() => Verify(new ExperimentSource { Experiment = "[DirExperiment(WeightDecay = {|DIR024:-1e-4|})]" });

    [Fact]
    public Task ZeroTargetScale_ReportsErrorOnTargetScaleArgument() => Verify(new ExperimentSource { Experiment = "[DirExperiment(TargetScale = {|DIR024:0|})]" });

    [Fact]
    public Task InvertedClamp_ReportsErrorOnClampMinArgument() => Verify(new ExperimentSource { Extra = "[Fds(ClampMin = {|DIR025:3|}, ClampMax = 2)]" });

    [Fact]
    public Task FdsKernelWiderThanBins_ReportsErrorOnSizeArgument() => Verify(new ExperimentSource
    {
        Bins = "[LabelBins(Min = 0, Max = 5, Count = 2)]",
        Extra = "[Fds(Size = {|DIR026:5|})]",
    });

    [Fact]
    public Task GenericExperiment_ReportsErrorOnClassName() => Verify(new ExperimentSource { Modifiers = "public partial class", Name = "{|DIR027:Exp|}<T>" });

    [Fact]
    public Task RegressorWithWrongSignature_ReportsErrorOnMember() => Verify(new ExperimentSource
    {
        Members = "[Regressor] public static nn.Module<Tensor, Tensor> {|DIR028:Head|}() => nn.Linear(4, 1);",
    });

    [Fact]
    public Task IntegerBinsWithWrongMax_ReportsErrorOnIntegerArgument() => Verify(new ExperimentSource { Bins = "[LabelBins(Min = 0, Max = 50, Count = 40, Integer = {|DIR029:true|})]" });

    [Fact]
    public Task InvertedCountClip_ReportsErrorOnClipMinArgument() => Verify(new ExperimentSource { Extra = "[Lds(Reweight = Reweight.Inverse, ClipMin = {|DIR030:1000|}, ClipMax = 5)]" });

    [Fact]
    public Task MultiStepWithoutMilestones_ReportsErrorOnAttribute() => Verify(new ExperimentSource { Extra = "[{|DIR031:LrSchedule(ScheduleKind.MultiStep)|}]" });

    [Fact]
    public Task ZeroSeeds_ReportsErrorOnSeedsArgument() => Verify(new ExperimentSource { Extra = "[Lds] [Ablation(Seeds = {|DIR032:0|})]" });

    [Fact]
    public Task ZeroDenseWeightAlpha_ReportsErrorOnAlphaArgument() => Verify(new ExperimentSource { Extra = "[DenseWeight(Alpha = {|DIR033:0|})]" });

    [Fact]
    public Task NegativeNoiseSigma_ReportsErrorOnInitNoiseSigmaArgument() => Verify(new ExperimentSource { Extra = "[BalancedMse(BalancedMseKind.Bni, InitNoiseSigma = {|DIR034:-1|})]" });

    [Fact]
    public Task RrtWithoutLds_ReportsErrorOnRrtAttribute() => Verify(new ExperimentSource { Extra = "[{|DIR035:Rrt(Epochs = 5)|}]" });

    [Fact]
    public Task SmognWithoutNeighbours_ReportsErrorOnNeighboursArgument() => Verify(new ExperimentSource { Extra = "[Smogn(Neighbours = {|DIR036:0|})]" });

    [Fact]
    public Task SmoterThresholdAboveOne_ReportsErrorOnThresholdArgument() => Verify(new ExperimentSource { Extra = "[Smoter(Threshold = {|DIR036:1.5|})]" });

    [Fact]
    public Task SearchWithEvenSize_ReportsErrorOnSizesArgument() => Verify(new ExperimentSource { Extra = "[Lds] [Search(Sizes = {|DIR037:new[] { 3, 4 }|})]" });

    [Fact]
    public Task SearchWithRepeatedSigma_ReportsErrorOnSigmasArgument() => Verify(new ExperimentSource { Extra = "[Fds] [Search(Sigmas = {|DIR037:new[] { 1.0, 1.0 }|})]" });

    [Fact]
    public Task SearchWithTooFewBinsForFds_ReportsErrorOnBinCountsArgument() => Verify(new ExperimentSource { Extra = "[Fds(Size = 9)] [Search(BinCounts = {|DIR037:new[] { 4, 20 }|})]" });

    [Fact]
    public Task SearchWithoutLdsOrFds_ReportsErrorOnSearchAttribute() => Verify(new ExperimentSource { Extra = "[{|DIR038:Search(Sizes = new[] { 3, 5 })|}]" });

    [Fact]
    public async Task CrossValidationWithTooFewFolds_ReportsErrorOnFoldsArgument()
    {
        await Verify(new ExperimentSource { Extra = "[CrossValidation(Folds = {|DIR047:2|})]" });
        await Verify(new ExperimentSource { Extra = "[CrossValidation]" });
    }

    [Fact]
    public async Task SearchOfTheTraining_NeedsNoMethod_AndChecksEachAxis()
    {
        // Learning rates, weight decays, epochs and batch sizes are searched for any model, LDS or not.
        await Verify(new ExperimentSource { Extra = "[Search(LearningRates = new[] { 1e-3, 1e-2 }, WeightDecays = new[] { 0.0, 1e-4 }, Epochs = new[] { 5, 10 }, BatchSizes = new[] { 32, 64 })]" });
        await Verify(new ExperimentSource { Extra = "[Search(LearningRates = {|DIR037:new[] { 1e-3, 0.0 }|})]" });
        await Verify(new ExperimentSource { Extra = "[Search(WeightDecays = {|DIR037:new[] { -1e-4 }|})]" });
        await Verify(new ExperimentSource { Extra = "[Search(Epochs = {|DIR037:new[] { 0, 5 }|})]" });
        await Verify(new ExperimentSource { Extra = "[Search(BatchSizes = {|DIR037:new[] { 32, 32 }|})]" });
        // A method axis still needs the method.
        await Verify(new ExperimentSource { Extra = "[{|DIR038:Search(Sizes = new[] { 3, 5 }, LearningRates = new[] { 1e-3 })|}]" });
    }

    [Fact]
    public Task SearchMomentumsWithoutFds_ReportsErrorOnMomentumsArgument() => Verify(new ExperimentSource { Extra = "[Lds] [Search(Momentums = {|DIR038:new[] { 0.9 }|})]" });

    [Fact]
    public Task LdsKernelWiderThanBins_WarnsOnSizeArgument() => Verify(new ExperimentSource
    {
        Bins = "[LabelBins(Min = 0, Max = 5, Count = 3)]",
        Extra = "[Lds(Size = {|DIR100:5|})]",
    });

    [Fact]
    public Task AblationWithoutMethods_WarnsOnClassName() => Verify(new ExperimentSource { Extra = "[Ablation]", Modifiers = "public partial class", Name = "{|DIR101:Exp|}" });

    [Fact]
    public Task StartSmoothAfterLastEpoch_WarnsOnStartSmoothArgument() => Verify(new ExperimentSource { Extra = "[Fds(StartSmooth = {|DIR102:3|})]" });

    [Fact]
    public Task PragmaSuppressesAWarning()
    {
        var source = new ExperimentSource
        {
            Extra = "#pragma warning disable DIR100\n[Lds(Size = 5)]\n#pragma warning restore DIR100",
            Bins = "[LabelBins(Min = 0, Max = 5, Count = 3)]",
        };
        return Verify(source);
    }

    [Fact]
    public void EveryDescriptor_HasATestAndADocument()
    {
        var tested = typeof(DiagnosticTests).GetMethods().Where(m => m.GetCustomAttributes(typeof(FactAttribute), false).Length > 0).Count();
        Assert.True(tested >= DiagnosticDescriptors.All.Length, $"{tested} tests for {DiagnosticDescriptors.All.Length} descriptors");
        var source = File.ReadAllText(Path.Combine(RepositoryRoot(), "tests", "DirDsl.Generators.Tests", "DiagnosticTests.cs"));
        foreach (var descriptor in DiagnosticDescriptors.All)
        {
            Assert.Contains("{|" + descriptor.Id + ":", source);
            Assert.True(File.Exists(Path.Combine(RepositoryRoot(), "docs", "diagnostics", descriptor.Id + ".md")), $"docs/diagnostics/{descriptor.Id}.md is missing");
            Assert.Equal($"docs/diagnostics/{descriptor.Id}.md", descriptor.HelpLinkUri);
        }
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DirDsl.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("DirDsl.sln not found above the test binaries.");
    }
}

