using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("DirDsl.Generators.Tests")]
